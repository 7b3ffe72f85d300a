module example.com/exitdefer_wrapper

go 1.26
