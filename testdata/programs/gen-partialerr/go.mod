module example.com/partialerr

go 1.26
