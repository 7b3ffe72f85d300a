module example.com/names_shadow

go 1.26
