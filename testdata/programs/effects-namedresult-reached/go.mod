module example.com/namedresultreached

go 1.22
