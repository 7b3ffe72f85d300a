module example.com/loopcaptureescaped

go 1.21
