module example.com/elseifreturn

go 1.26
