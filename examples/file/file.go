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

// Command file serves a file or block device:
//
//	nbdkit golang ./libfile.so file=disk.img
//
// It shows how a plugin passes errors through (ENOSPC, EROFS, ... reach
// the client because os errors wrap a syscall.Errno), and how it
// implements flush, native FUA, trim, zero and extents with plain
// system calls.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"

	"github.com/nbdkit-golang/golib/nbdkit"
)

// fallocate(2) modes (linux/falloc.h); the syscall package lacks them.
const (
	fallocKeepSize  = 0x01
	fallocPunchHole = 0x02
	fallocZeroRange = 0x10
)

// lseek(2) whence values for sparse files.
const (
	seekData = 3
	seekHole = 4
)

type plugin struct {
	filename string
}

type conn struct {
	f        *os.File
	readonly bool
}

func (p *plugin) Config(key, value string) (err error) {
	switch key {
	case "file":
		// Resolve the name now: nbdkit may change directory to /.
		p.filename, err = nbdkit.Realpath(value)
		return err
	default:
		return fmt.Errorf("unknown parameter '%s'", key)
	}
}

func (p *plugin) ConfigComplete() error {
	if p.filename == "" {
		return errors.New("you must supply the file=<FILENAME> parameter")
	}
	return nil
}

func (p *plugin) Info() nbdkit.Info {
	return nbdkit.Info{
		Longname:    "nbdkit-golang file example",
		Description: "Serves a file or block device.",
		ConfigHelp:  "file=<FILENAME>     (required) The file to serve.",
	}
}

func (p *plugin) DumpPlugin(w io.Writer) error {
	_, err := fmt.Fprintf(w, "file_example_fallocate=yes\n")
	return err
}

func (p *plugin) ThreadModel() nbdkit.ThreadModel {
	return nbdkit.ThreadModelParallel
}

// Open opens the file read-write, or read-only if the client (or -r)
// asks for it or the file cannot be written (EACCES, EROFS): then the
// connection is read-only.
func (p *plugin) Open(readonly bool) (nbdkit.Connection, error) {
	if !readonly {
		f, err := os.OpenFile(p.filename, os.O_RDWR, 0)
		if err == nil {
			return &conn{f: f}, nil
		}
		if !errors.Is(err, syscall.EACCES) && !errors.Is(err, syscall.EROFS) {
			return nil, err
		}
		nbdkit.Debugf("%s: read-only: %v", p.filename, err)
	}
	f, err := os.Open(p.filename)
	if err != nil {
		return nil, err
	}
	return &conn{f: f, readonly: true}, nil
}

func (c *conn) Close() { c.f.Close() }

func (c *conn) fd() int { return int(c.f.Fd()) }

// GetSize works for block devices too, where Stat reports 0.
func (c *conn) GetSize() (int64, error) {
	return c.f.Seek(0, io.SeekEnd)
}

func (c *conn) CanWrite() (bool, error) { return !c.readonly, nil }

func (c *conn) CanMultiConn() (bool, error) { return true, nil }

func (c *conn) CanFUA() (nbdkit.FUAMode, error) { return nbdkit.FUANative, nil }

func (c *conn) PRead(buf []byte, offset uint64, flags nbdkit.Flags) error {
	n, err := c.f.ReadAt(buf, int64(offset))
	if err == io.EOF && n < len(buf) {
		return fmt.Errorf("read beyond the end of %s (did it shrink?): %w", c.f.Name(), syscall.EIO)
	}
	return err
}

func (c *conn) PWrite(buf []byte, offset uint64, flags nbdkit.Flags) error {
	if _, err := c.f.WriteAt(buf, int64(offset)); err != nil {
		return err
	}
	return c.fua(flags)
}

// fua makes a write durable when the client asked for FUA.
func (c *conn) fua(flags nbdkit.Flags) error {
	if flags&nbdkit.FlagFUA != 0 {
		return c.Flush(0)
	}
	return nil
}

func (c *conn) Flush(flags nbdkit.Flags) error {
	if err := syscall.Fdatasync(c.fd()); err != nil {
		return &os.PathError{Op: "fdatasync", Path: c.f.Name(), Err: err}
	}
	return nil
}

// Trim punches a hole.  Trim is advisory: a file system that cannot
// punch holes simply keeps the data.
func (c *conn) Trim(count uint32, offset uint64, flags nbdkit.Flags) error {
	err := syscall.Fallocate(c.fd(), fallocPunchHole|fallocKeepSize, int64(offset), int64(count))
	if err == syscall.EOPNOTSUPP {
		return nil
	}
	if err != nil {
		return &os.PathError{Op: "fallocate", Path: c.f.Name(), Err: err}
	}
	return c.fua(flags)
}

// Zero uses FALLOC_FL_ZERO_RANGE, or punches a hole if the client
// allows trimming.  If neither works it returns EOPNOTSUPP, and nbdkit
// falls back to writing zeroes (or fails a fast zero request).
func (c *conn) Zero(count uint32, offset uint64, flags nbdkit.Flags) error {
	err := syscall.Fallocate(c.fd(), fallocZeroRange, int64(offset), int64(count))
	if err == syscall.EOPNOTSUPP && flags&nbdkit.FlagMayTrim != 0 {
		err = syscall.Fallocate(c.fd(), fallocPunchHole|fallocKeepSize, int64(offset), int64(count))
	}
	if err != nil {
		return &os.PathError{Op: "fallocate", Path: c.f.Name(), Err: err}
	}
	return c.fua(flags)
}

// Extents reports holes with lseek SEEK_DATA/SEEK_HOLE.
func (c *conn) Extents(count uint32, offset uint64, flags nbdkit.Flags, e *nbdkit.Extents) error {
	pos, end := int64(offset), int64(offset)+int64(count)
	for pos < end {
		data, err := syscall.Seek(c.fd(), pos, seekData)
		if err == syscall.ENXIO { // no data after pos
			data = end
		} else if err != nil {
			// The file system cannot tell: all data.
			return e.Add(uint64(pos), uint64(end-pos), 0)
		}
		if data > pos {
			if data > end {
				data = end
			}
			if err := e.Add(uint64(pos), uint64(data-pos), nbdkit.ExtentHole|nbdkit.ExtentZero); err != nil {
				return err
			}
			pos = data
			continue
		}
		hole, err := syscall.Seek(c.fd(), pos, seekHole)
		if err != nil {
			return &os.PathError{Op: "lseek", Path: c.f.Name(), Err: err}
		}
		if hole > end {
			hole = end
		}
		if err := e.Add(uint64(pos), uint64(hole-pos), 0); err != nil {
			return err
		}
		pos = hole
		if flags&nbdkit.FlagReqOne != 0 {
			break
		}
	}
	return nil
}

func init() { nbdkit.Register("file", &plugin{}) }

func main() {}
