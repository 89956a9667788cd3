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
// The disk is a sparse.Array: memory is allocated in 64K pages on
// first write and freed by trim and zero, holes show in extents, and
// no request takes a lock, so connections run in parallel and it
// allows multi-conn.  No request ever waits either, so it asks nbdkit
// to take each connection's requests one at a time: nbdkit then serves
// a connection from one thread instead of handing requests between 16
// (see "Threads" in the golib/nbdkit documentation for the figures).
package main

import (
	"fmt"

	"github.com/nbdkit-golang/golib/nbdkit"
	"github.com/nbdkit-golang/golib/sparse"
)

type disk struct {
	*sparse.Array
	size int64
}

func (d *disk) Config(key, value string) (err error) {
	if key != "size" {
		return fmt.Errorf("unknown parameter '%s'", key)
	}
	d.size, err = nbdkit.ParseSize(value)
	return err
}

func (d *disk) GetReady() (err error)                           { d.Array, err = sparse.New(d.size); return err }
func (d *disk) ThreadModel() nbdkit.ThreadModel                 { return nbdkit.ThreadModelSerializeRequests }
func (d *disk) Open(readonly bool) (nbdkit.Connection, error)   { return d, nil }
func (d *disk) GetSize() (int64, error)                         { return d.size, nil }
func (d *disk) CanMultiConn() (bool, error)                     { return true, nil }
func (d *disk) CanFUA() (nbdkit.FUAMode, error)                 { return nbdkit.FUANative, nil }
func (d *disk) Flush(nbdkit.Flags) error                        { return nil }
func (d *disk) PRead(b []byte, o uint64, _ nbdkit.Flags) error  { return errOf(d.ReadAt(b, int64(o))) }
func (d *disk) PWrite(b []byte, o uint64, _ nbdkit.Flags) error { return errOf(d.WriteAt(b, int64(o))) }
func (d *disk) Zero(n uint32, o uint64, _ nbdkit.Flags) error   { return d.Array.Zero(n, o) }
func (d *disk) Trim(n uint32, o uint64, _ nbdkit.Flags) error   { return d.Array.Zero(n, o) }

// errOf drops the count that ReadAt and WriteAt return with an error.
func errOf(_ int, err error) error { return err }

func (d *disk) Extents(n uint32, o uint64, _ nbdkit.Flags, e *nbdkit.Extents) error {
	return d.Array.Extents(n, o, func(o, l uint64, hole bool) error {
		if hole {
			return e.Add(o, l, nbdkit.ExtentHole|nbdkit.ExtentZero)
		}
		return e.Add(o, l, 0)
	})
}

func init() { nbdkit.Register("ramdisk", &disk{size: 1 << 30}) }

func main() {}
