module example.com/loopdefer

go 1.26
