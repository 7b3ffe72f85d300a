module example.com/lenref

go 1.22
