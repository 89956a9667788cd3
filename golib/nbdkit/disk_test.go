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

package nbdkit_test

import (
	"errors"
	"io"
	"strings"
	"syscall"
	"testing"

	"github.com/nbdkit-golang/golib/nbdkit"
	"github.com/nbdkit-golang/golib/nbdkit/nbdkittest"
)

// mem is storage in memory: an io.ReaderAt and io.WriterAt.
type mem []byte

func (m mem) ReadAt(p []byte, off int64) (int, error) {
	if off >= int64(len(m)) {
		return 0, io.EOF
	}
	n := copy(p, m[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func (m mem) WriteAt(p []byte, off int64) (int, error) {
	if off+int64(len(p)) > int64(len(m)) {
		return 0, syscall.ENOSPC
	}
	return copy(m[off:], p), nil
}

// store adds Sync and PunchHole to mem, and counts the calls.
type store struct {
	mem
	syncs, punches int
}

func (s *store) Sync() error { s.syncs++; return nil }

func (s *store) PunchHole(off, n int64) error {
	s.punches++
	for i := off; i < off+n; i++ {
		s.mem[i] = 0
	}
	return nil
}

func open(t *testing.T, d *nbdkit.Disk) *nbdkittest.Conn {
	t.Helper()
	s, c := nbdkittest.Connect(t, d)
	if s.ThreadModel() != nbdkit.ThreadModelParallel {
		t.Errorf("thread model %v, want parallel", s.ThreadModel())
	}
	return c
}

// methods is what every Disk has, plus what its storage backs.
func methods(extra nbdkit.Methods) nbdkit.Methods { return nbdkit.MethodCanMultiConn | extra }

func TestReaderAtDiskReadOnly(t *testing.T) {
	d := nbdkit.ReaderAtDisk(strings.NewReader("hello, world"), 12)
	c := open(t, d)
	if c.Size() != 12 {
		t.Errorf("size %d", c.Size())
	}
	buf := make([]byte, 5)
	if err := c.PRead(buf, 7, 0); err != nil || string(buf) != "world" {
		t.Errorf("read %q, %v", buf, err)
	}
	if got, want := c.Methods(), methods(0); got != want {
		t.Errorf("methods %#x, want %#x", got, want)
	}
	// The harness, like the loader, does not call omitted methods;
	// called anyway, PWrite fails with EROFS.
	if err := c.PWrite(buf, 0, 0); !errors.Is(err, syscall.EOPNOTSUPP) {
		t.Errorf("write to a plain io.ReaderAt: %v, want EOPNOTSUPP", err)
	}
	if err := d.PWrite(buf, 0, 0); !errors.Is(err, syscall.EROFS) {
		t.Errorf("PWrite of a plain io.ReaderAt: %v, want EROFS", err)
	}
}

func TestReaderAtDiskShortStorage(t *testing.T) {
	// The storage is shorter than the disk: the read fails (EIO)
	// rather than return data it does not have.
	c := open(t, nbdkit.ReaderAtDisk(strings.NewReader("short"), 4096))
	err := c.PRead(make([]byte, 512), 0, 0)
	if nbdkittest.Errno(err) != syscall.EIO || !strings.Contains(err.Error(), "short read: 5 of 512 bytes") {
		t.Errorf("short read: %v", err)
	}
}

func TestReaderAtDiskWriterAt(t *testing.T) {
	m := make(mem, 4096)
	d := nbdkit.ReaderAtDisk(m, 4096)
	c := open(t, d)
	if err := c.PWrite([]byte("data"), 100, 0); err != nil {
		t.Fatal(err)
	}
	if string(m[100:104]) != "data" {
		t.Errorf("the write did not reach the storage: %q", m[100:104])
	}
	if got, want := c.Methods(), methods(nbdkit.MethodPWrite); got != want {
		t.Errorf("methods %#x, want %#x", got, want)
	}
	// Errors of the storage reach the client with their errno.
	if err := d.PWrite(make([]byte, 2), 4095, 0); nbdkittest.Errno(err) != syscall.ENOSPC {
		t.Errorf("write past the storage: %v", err)
	}
}

func TestReaderAtDiskExtras(t *testing.T) {
	s := &store{mem: make(mem, 8192)}
	d := nbdkit.ReaderAtDisk(s, 8192)
	c := open(t, d)
	want := methods(nbdkit.MethodPWrite | nbdkit.MethodFlush | nbdkit.MethodTrim | nbdkit.MethodZero)
	if got := c.Methods(); got != want {
		t.Errorf("methods %#x, want %#x", got, want)
	}
	copy(s.mem, strings.Repeat("x", 8192))
	if err := c.PWrite([]byte("y"), 0, 0); err != nil || s.mem[0] != 'y' {
		t.Errorf("write: %v", err)
	}
	if err := c.Flush(0); err != nil || s.syncs != 1 {
		t.Errorf("flush: %v, %d syncs", err, s.syncs)
	}
	if err := c.Trim(100, 1000, 0); err != nil || s.punches != 1 || s.mem[1000] != 0 || s.mem[1100] != 'x' {
		t.Errorf("trim: %v, %d punches", err, s.punches)
	}
	// Zero punches a hole only when the client allows trimming;
	// otherwise nbdkit writes zeroes itself.
	if err := c.Zero(100, 2000, 0); !errors.Is(err, syscall.EOPNOTSUPP) || s.punches != 1 {
		t.Errorf("zero without may-trim: %v, %d punches", err, s.punches)
	}
	if err := c.Zero(100, 2000, nbdkit.FlagMayTrim); err != nil || s.punches != 2 || s.mem[2000] != 0 {
		t.Errorf("zero with may-trim: %v, %d punches", err, s.punches)
	}
}
