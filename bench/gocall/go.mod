module github.com/nbdkit-golang/bench/gocall

go 1.19
