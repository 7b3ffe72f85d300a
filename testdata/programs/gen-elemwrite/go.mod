module example.com/elemwrite

go 1.26
