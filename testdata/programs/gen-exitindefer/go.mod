module example.com/exitindefer

go 1.26
