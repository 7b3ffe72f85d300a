module example.com/nilonerrrewritten

go 1.26
