module example.com/closurevar

go 1.26
