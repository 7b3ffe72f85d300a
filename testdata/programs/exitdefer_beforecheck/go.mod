module example.com/exitbeforecheck

go 1.22
