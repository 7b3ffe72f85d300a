module example.com/exitvariant

go 1.26
