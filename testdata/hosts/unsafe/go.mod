module example.com/unsafe

go 1.26
