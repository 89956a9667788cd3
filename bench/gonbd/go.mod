module gonbd

go 1.21

require github.com/pojntfx/go-nbd v0.3.2
