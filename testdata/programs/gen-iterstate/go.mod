module example.com/iterstate

go 1.23
