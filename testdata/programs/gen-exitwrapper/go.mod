module example.com/exitwrapper

go 1.26
