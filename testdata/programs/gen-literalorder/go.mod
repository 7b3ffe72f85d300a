module example.com/literalorder

go 1.26
