module example.com/convcopy

go 1.22
