module example.com/derefarg

go 1.26
