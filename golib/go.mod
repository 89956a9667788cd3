module github.com/nbdkit-golang/golib

go 1.19
