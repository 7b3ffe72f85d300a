module example.com/exitdefer_deferexit

go 1.26
