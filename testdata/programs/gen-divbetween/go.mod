module example.com/divbetween

go 1.26
