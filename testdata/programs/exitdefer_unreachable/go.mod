module example.com/exitdefer_unreachable

go 1.26
