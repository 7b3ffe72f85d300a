module example.com/loopdefer_clears

go 1.26
