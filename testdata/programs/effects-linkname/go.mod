module example.com/effectslinkname

go 1.26
