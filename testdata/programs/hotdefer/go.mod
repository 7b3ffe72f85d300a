module example.com/hotdefer

go 1.26
