module example.com/exitunseen

go 1.22
