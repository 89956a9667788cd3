// nbdkit-golang
// Copyright the nbdkit-golang authors
//
// Redistribution and use in source and binary forms, with or without
// modification, are permitted provided that the following conditions are
// met:
//
// * Redistributions of source code must retain the above copyright
// notice, this list of conditions and the following disclaimer.
//
// * Redistributions in binary form must reproduce the above copyright
// notice, this list of conditions and the following disclaimer in the
// documentation and/or other materials provided with the distribution.
//
// * Neither the name of the copyright holder nor the names of its
// contributors may be used to endorse or promote products derived from
// this software without specific prior written permission.
//
// THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS
// "AS IS" AND ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT
// LIMITED TO, THE IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR
// A PARTICULAR PURPOSE ARE DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT
// HOLDER OR CONTRIBUTORS BE LIABLE FOR ANY DIRECT, INDIRECT, INCIDENTAL,
// SPECIAL, EXEMPLARY, OR CONSEQUENTIAL DAMAGES (INCLUDING, BUT NOT
// LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR SERVICES; LOSS OF USE,
// DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER CAUSED AND ON ANY
// THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY, OR TORT
// (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE
// OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.

// Command gonbd serves github.com/pojntfx/go-nbd's memory backend on a
// Unix socket: what a Go developer might pick instead of nbdkit.
// bench/run builds it with the module fetched from the Go module proxy
// (nothing of go-nbd lives in this repository) and benchmarks it as
// the "go-nbd" variant beside nbdkit's C memory plugin.
//
//	gonbd -socket PATH [-size BYTES]
package main

import (
	"errors"
	"flag"
	"io"
	"log"
	"net"
	"os"

	"github.com/pojntfx/go-nbd/pkg/backend"
	"github.com/pojntfx/go-nbd/pkg/server"
)

func main() {
	socket := flag.String("socket", "", "Unix socket to listen on")
	size := flag.Int64("size", 1<<30, "size of the RAM disk in bytes")
	flag.Parse()
	if *socket == "" {
		log.Fatal("gonbd: -socket is required")
	}
	os.Remove(*socket)
	l, err := net.Listen("unix", *socket)
	if err != nil {
		log.Fatal(err)
	}
	b := backend.NewMemoryBackend(make([]byte, *size))
	exports := []*server.Export{{Name: "", Description: "go-nbd memory backend", Backend: b}}
	opts := &server.Options{
		MinimumBlockSize:   1,
		PreferredBlockSize: 4096,
		MaximumBlockSize:   32 << 20,
		SupportsMultiConn:  true,
	}
	for {
		conn, err := l.Accept()
		if err != nil {
			log.Fatal(err)
		}
		go func() {
			defer conn.Close()
			if err := server.Handle(conn, exports, opts); err != nil && !errors.Is(err, io.EOF) {
				log.Printf("gonbd: %v", err)
			}
		}()
	}
}
