module example.com/hiddenwrite

go 1.23
