module example.com/shadowtrue

go 1.26
