module shortcuts

go 1.26
