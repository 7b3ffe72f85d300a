module example.com/deferbeforecheck_flow

go 1.26
