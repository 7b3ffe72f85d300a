module gen.example/batch

go 1.23
