module example.com/nilonerrdefer

go 1.22
