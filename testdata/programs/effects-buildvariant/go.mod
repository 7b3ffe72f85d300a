module example.com/buildvariant

go 1.26
