module example.com/loopdefertypeswitch

go 1.22
