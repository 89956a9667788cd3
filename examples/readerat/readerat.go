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

// Command readerat serves a file with nbdkit.ReaderAtDisk:
//
//	nbdkit golang ./libreaderat.so file=disk.img [readonly=true]
//
// The *os.File is the disk's storage: it is an io.ReaderAt, an
// io.WriterAt and a Syncer, and with the PunchHole method below a
// HolePuncher, so the disk is writable with flush, FUA and trim.  With
// readonly=true the disk gets only an io.SectionReader over the file,
// which has ReadAt alone, and is read-only.  readerat_test.go tests
// the plugin with go test.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"

	"github.com/nbdkit-golang/golib/nbdkit"
)

type plugin struct {
	filename string
	readonly bool
	disk     *nbdkit.Disk
}

func (p *plugin) Config(key, value string) (err error) {
	switch key {
	case "file":
		p.filename, err = nbdkit.Realpath(value) // nbdkit may change directory to /
	case "readonly":
		p.readonly, err = nbdkit.ParseBool(value)
	default:
		err = fmt.Errorf("unknown parameter '%s'", key)
	}
	return err
}

func (p *plugin) ConfigComplete() error {
	if p.filename == "" {
		return errors.New("you must supply the file=<FILENAME> parameter")
	}
	return nil
}

func (p *plugin) ThreadModel() nbdkit.ThreadModel { return nbdkit.ThreadModelParallel }

// GetReady opens the file once; every connection serves it.
func (p *plugin) GetReady() error {
	flag := os.O_RDWR
	if p.readonly {
		flag = os.O_RDONLY
	}
	f, err := os.OpenFile(p.filename, flag, 0)
	if err != nil {
		return err
	}
	size, err := f.Seek(0, io.SeekEnd) // block devices too
	if err != nil {
		f.Close()
		return err
	}
	if p.readonly {
		p.disk = nbdkit.ReaderAtDisk(io.NewSectionReader(f, 0, size), size)
	} else {
		p.disk = nbdkit.ReaderAtDisk(file{f}, size)
	}
	return nil
}

func (p *plugin) Open(readonly bool) (nbdkit.Connection, error) { return p.disk, nil }

// file adds PunchHole to *os.File.
type file struct{ *os.File }

// PunchHole deallocates a range: fallocate(2) with
// FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE.
func (f file) PunchHole(offset, length int64) error {
	if err := syscall.Fallocate(int(f.Fd()), 0x02|0x01, offset, length); err != nil {
		return &os.PathError{Op: "fallocate", Path: f.Name(), Err: err}
	}
	return nil
}

// registered is the plugin, which readerat_test.go resets.
var registered = &plugin{}

func init() { nbdkit.Register("readerat", registered) }

func main() {}
