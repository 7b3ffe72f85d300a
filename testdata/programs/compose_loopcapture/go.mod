module example.com/compose

go 1.21
