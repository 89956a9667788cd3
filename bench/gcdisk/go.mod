module github.com/nbdkit-golang/bench/gcdisk

go 1.19

require github.com/nbdkit-golang/golib v0.0.0

replace github.com/nbdkit-golang/golib => ../../golib
