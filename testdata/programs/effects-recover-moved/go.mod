module example.com/recovermoved

go 1.22
