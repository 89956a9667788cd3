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

// Command ramdisk is a RAM disk: nbdkit golang ./libramdisk.so size=1G
//
// Memory is allocated in 64K pages on first write and freed by trim
// and zero.  No request takes a lock: page pointers are loaded and
// stored atomically (NBD leaves overlapping requests undefined), and a
// hole points to the shared zero page, which is never written.
package main

import (
	"fmt"
	"sync/atomic"

	"github.com/nbdkit-golang/golib/nbdkit"
)

const ps = 1 << 16 // page size; the page table costs 8 bytes per page (128M per 1T)

type page = atomic.Pointer[[ps]byte]
type disk struct{ pages []page }

var size, zero = int64(1 << 30), new([ps]byte)
var kind = map[bool]nbdkit.ExtentType{true: nbdkit.ExtentHole | nbdkit.ExtentZero}

// walk calls f(page, offset in page, bytes done, length) on each page
// piece of the n bytes at off.
func (d *disk) walk(off, n uint64, f func(p *page, o, i, l uint64) error) (err error) {
	for i, l := uint64(0), uint64(0); i < n && err == nil; i += l {
		if l = ps - (off+i)%ps; l > n-i {
			l = n - i
		}
		err = f(&d.pages[(off+i)/ps], (off+i)%ps, i, l)
	}
	return err
}

func (d *disk) Config(k, v string) (err error) {
	if size, err = nbdkit.ParseSize(v); k != "size" {
		err = fmt.Errorf("unknown parameter '%s'", k)
	}
	return err
}

func (d *disk) ConfigComplete() error {
	d.pages = make([]page, (size+ps-1)/ps)
	return d.walk(0, uint64(size), func(p *page, o, i, l uint64) error { p.Store(zero); return nil })
}

func (d *disk) ThreadModel() nbdkit.ThreadModel                 { return nbdkit.ThreadModelParallel }
func (d *disk) Open(bool) (nbdkit.Connection, error)            { return d, nil }
func (d *disk) GetSize() (int64, error)                         { return size, nil }
func (d *disk) CanMultiConn() (bool, error)                     { return true, nil }
func (d *disk) CanFUA() (nbdkit.FUAMode, error)                 { return nbdkit.FUANative, nil }
func (d *disk) Flush(nbdkit.Flags) error                        { return nil }
func (d *disk) Trim(n uint32, off uint64, f nbdkit.Flags) error { return d.Zero(n, off, f) }

func (d *disk) PRead(b []byte, off uint64, _ nbdkit.Flags) error {
	return d.walk(off, uint64(len(b)), func(p *page, o, i, l uint64) error { copy(b[i:i+l], p.Load()[o:]); return nil })
}

func (d *disk) PWrite(b []byte, off uint64, _ nbdkit.Flags) error {
	return d.walk(off, uint64(len(b)), func(p *page, o, i, l uint64) error {
		pg := p.Load()
		for ; pg == zero; pg = p.Load() { // allocate, unless another write just did
			p.CompareAndSwap(zero, new([ps]byte))
		}
		copy(pg[o:], b[i:i+l])
		return nil
	})
}

func (d *disk) Zero(n uint32, off uint64, _ nbdkit.Flags) error {
	return d.walk(off, uint64(n), func(p *page, o, i, l uint64) error {
		if pg := p.Load(); l == ps {
			p.Store(zero) // free the whole page
		} else if pg != zero {
			copy(pg[o:o+l], zero[:])
		}
		return nil
	})
}

func (d *disk) Extents(n uint32, off uint64, _ nbdkit.Flags, e *nbdkit.Extents) error {
	return d.walk(off, uint64(n), func(p *page, o, i, l uint64) error { return e.Add(off+i, l, kind[p.Load() == zero]) })
}

func init() { nbdkit.Register("ramdisk", &disk{}) }

func main() {}
