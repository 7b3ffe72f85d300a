module example.com/nilfunc

go 1.26
