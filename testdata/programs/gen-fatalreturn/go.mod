module example.com/fatalreturn

go 1.26
