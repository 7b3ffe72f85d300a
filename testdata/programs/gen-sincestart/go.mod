module example.com/sincestart

go 1.26
