module example.com/recoverpkg

go 1.26
