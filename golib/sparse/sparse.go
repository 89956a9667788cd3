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

// Package sparse is a sparse array of bytes for plugins that keep a
// disk in memory, like nbdkit's own memory plugin and its sparse
// allocator.
//
// Memory is allocated in pages of PageSize bytes on the first write to
// a page, and freed again when a whole page is zeroed.  A page that was
// never written, or was zeroed whole, is a hole: it reads as zeroes
// and takes no memory.
//
// No method takes a lock.  Each page is an atomic pointer, so any
// number of goroutines (or nbdkit threads, under
// nbdkit.ThreadModelParallel) may read and write at once.  As in the
// NBD protocol, the result of requests that overlap in time and in
// bytes is undefined; requests to different bytes never interfere,
// even within one page.
package sparse

import (
	"fmt"
	"io"
	"sync/atomic"
)

// PageSize is the unit of allocation, in bytes.
const PageSize = 1 << 16

type page = [PageSize]byte

// clearBytes zeroes b (the compiler turns this loop into memclr; Go
// 1.19 has no clear builtin).
func clearBytes(b []byte) {
	for i := range b {
		b[i] = 0
	}
}

// Array is a sparse array of bytes of a fixed size.  The zero value is
// an empty array; use New to make one of a given size.
type Array struct {
	size  int64
	pages []atomic.Pointer[page]
}

// Array is an io.ReaderAt and an io.WriterAt.
var (
	_ io.ReaderAt = (*Array)(nil)
	_ io.WriterAt = (*Array)(nil)
)

// New returns an array of size bytes, all zero and all holes.  The
// page table costs 8 bytes per PageSize bytes of size (128 KiB for
// 1 TiB).
func New(size int64) (*Array, error) {
	if size < 0 {
		return nil, fmt.Errorf("sparse: negative size %d", size)
	}
	return &Array{size: size, pages: make([]atomic.Pointer[page], (size+PageSize-1)/PageSize)}, nil
}

// Size returns the size of the array in bytes.
func (a *Array) Size() int64 { return a.size }

// check refuses a range that is not inside the array.  nbdkit never
// sends such a request, but the array must not be corrupted if a
// plugin does.
func (a *Array) check(n int, off uint64) error {
	if off > uint64(a.size) || uint64(n) > uint64(a.size)-off {
		return fmt.Errorf("sparse: %d bytes at offset %d are beyond the end (%d bytes)", n, off, a.size)
	}
	return nil
}

// walk calls f once for each page that the n bytes at off touch, with
// the page, the offset in the page, the offset in the request and the
// length of the piece, until f returns false.
func (a *Array) walk(n int, off uint64, f func(p *atomic.Pointer[page], po, i, l int) bool) {
	for i := 0; i < n; {
		po := int((off + uint64(i)) % PageSize)
		l := PageSize - po
		if l > n-i {
			l = n - i
		}
		if !f(&a.pages[(off+uint64(i))/PageSize], po, i, l) {
			return
		}
		i += l
	}
}

// ReadAt fills b with the bytes at off, as io.ReaderAt: holes read as
// zeroes, and a read that reaches past the end reads what there is and
// returns io.EOF with the count.
func (a *Array) ReadAt(b []byte, off int64) (n int, err error) {
	if off < 0 {
		return 0, fmt.Errorf("sparse: ReadAt at negative offset %d", off)
	}
	if off >= a.size {
		return 0, io.EOF
	}
	if n = len(b); int64(n) > a.size-off {
		n, err = int(a.size-off), io.EOF
	}
	a.walk(n, uint64(off), func(p *atomic.Pointer[page], po, i, l int) bool {
		if pg := p.Load(); pg != nil {
			copy(b[i:i+l], pg[po:])
		} else {
			clearBytes(b[i : i+l])
		}
		return true
	})
	return n, err
}

// WriteAt stores b at off, allocating the pages it needs, as
// io.WriterAt.  The array does not grow: a write that does not fit
// writes nothing and returns an error.
func (a *Array) WriteAt(b []byte, off int64) (n int, err error) {
	if off < 0 {
		return 0, fmt.Errorf("sparse: WriteAt at negative offset %d", off)
	}
	if err := a.check(len(b), uint64(off)); err != nil {
		return 0, err
	}
	a.walk(len(b), uint64(off), func(p *atomic.Pointer[page], po, i, l int) bool {
		pg := p.Load()
		if pg == nil {
			// Allocate, unless a concurrent write to another
			// part of the page has just done so.
			if np := new(page); p.CompareAndSwap(nil, np) {
				pg = np
			} else {
				pg = p.Load()
			}
		}
		copy(pg[po:], b[i:i+l])
		return true
	})
	return len(b), nil
}

// Zero sets n bytes at off to zero.  Whole pages become holes and
// their memory is freed; parts of pages are cleared in place.
func (a *Array) Zero(n uint32, off uint64) error {
	if err := a.check(int(n), off); err != nil {
		return err
	}
	a.walk(int(n), off, func(p *atomic.Pointer[page], po, i, l int) bool {
		if l == PageSize {
			p.Store(nil)
		} else if pg := p.Load(); pg != nil {
			clearBytes(pg[po : po+l])
		}
		return true
	})
	return nil
}

// Extents describes the n bytes at off as a list of runs that are
// either all holes or all data, in order, calling add once per run.
// Adjacent pages of the same kind are merged into one run.
func (a *Array) Extents(n uint32, off uint64, add func(offset, length uint64, hole bool) error) error {
	if err := a.check(int(n), off); err != nil {
		return err
	}
	var start, length uint64
	var hole bool
	var err error
	a.walk(int(n), off, func(p *atomic.Pointer[page], po, i, l int) bool {
		h := p.Load() == nil
		if length > 0 && h == hole {
			length += uint64(l)
			return true
		}
		if length > 0 {
			if err = add(start, length, hole); err != nil {
				return false
			}
		}
		start, length, hole = off+uint64(i), uint64(l), h
		return true
	})
	if err == nil && length > 0 {
		err = add(start, length, hole)
	}
	return err
}
