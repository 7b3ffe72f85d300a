module example.com/exitnilrecv

go 1.22
