module example.com/sharedloopvar

go 1.21
