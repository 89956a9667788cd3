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

// Command gcdisk is a RAM disk that keeps the garbage collector busy,
// for measuring what GOMAXPROCS costs a plugin that allocates: every
// request allocates a buffer of its own size (reads copy through it,
// writes store a fresh copy of the block), and a 64 MiB live heap of
// small pointer-rich objects gives every GC cycle something to mark.
// bench/run serves it as the "goX.Y.Z-gc" variants.
//
//	go build -buildmode=c-shared -o libgcdisk.so .
package main

import (
	"fmt"
	"sync/atomic"

	"github.com/nbdkit-golang/golib/nbdkit"
)

const blockSize = 4096

type node struct {
	next *node
	data [48]byte
}

type disk struct {
	size   int64
	blocks []atomic.Pointer[[]byte]
	live   []*node
}

func (d *disk) Config(key, value string) (err error) {
	if key != "size" {
		return fmt.Errorf("unknown parameter '%s'", key)
	}
	d.size, err = nbdkit.ParseSize(value)
	return err
}

func (d *disk) GetReady() error {
	d.blocks = make([]atomic.Pointer[[]byte], (d.size+blockSize-1)/blockSize)
	// About 64 MiB of live, linked objects.
	d.live = make([]*node, 1<<20)
	for i := range d.live {
		d.live[i] = &node{}
		if i > 0 {
			d.live[i].next = d.live[i-1]
		}
	}
	return nil
}

func (d *disk) ThreadModel() nbdkit.ThreadModel               { return nbdkit.ThreadModelParallel }
func (d *disk) Open(readonly bool) (nbdkit.Connection, error) { return d, nil }
func (d *disk) GetSize() (int64, error)                       { return d.size, nil }
func (d *disk) CanMultiConn() (bool, error)                   { return true, nil }

func (d *disk) PRead(b []byte, off uint64, _ nbdkit.Flags) error {
	tmp := make([]byte, len(b))
	for n := 0; n < len(b); {
		i, o := (off+uint64(n))/blockSize, int((off+uint64(n))%blockSize)
		c := blockSize - o
		if c > len(b)-n {
			c = len(b) - n
		}
		if blk := d.blocks[i].Load(); blk != nil {
			copy(tmp[n:n+c], (*blk)[o:o+c])
		}
		n += c
	}
	copy(b, tmp)
	return nil
}

func (d *disk) PWrite(b []byte, off uint64, _ nbdkit.Flags) error {
	for n := 0; n < len(b); {
		i, o := (off+uint64(n))/blockSize, int((off+uint64(n))%blockSize)
		c := blockSize - o
		if c > len(b)-n {
			c = len(b) - n
		}
		blk := make([]byte, blockSize)
		if old := d.blocks[i].Load(); old != nil && c < blockSize {
			copy(blk, *old)
		}
		copy(blk[o:o+c], b[n:n+c])
		d.blocks[i].Store(&blk)
		n += c
	}
	return nil
}

func init() { nbdkit.Register("gcdisk", &disk{size: 1 << 30}) }

func main() {}
