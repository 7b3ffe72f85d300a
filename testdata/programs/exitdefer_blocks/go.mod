module example.com/exitblocks

go 1.22
