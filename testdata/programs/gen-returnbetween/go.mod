module example.com/returnbetween

go 1.26
