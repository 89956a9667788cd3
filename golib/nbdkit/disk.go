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

package nbdkit

import (
	"fmt"
	"io"
	"syscall"
)

// HolePuncher is implemented by storage that can deallocate a range,
// after which the range reads as zeroes, like fallocate(2) with
// FALLOC_FL_PUNCH_HOLE.  A Disk over a HolePuncher supports trim, and
// zero requests that allow trimming.
type HolePuncher interface {
	PunchHole(offset, length int64) error
}

// Syncer is implemented by storage that can commit written data to
// permanent storage, as *os.File does.  A Disk over a Syncer supports
// flush and FUA.
type Syncer interface{ Sync() error }

// Disk serves an io.ReaderAt as a disk: it is both a Plugin, which can
// be passed to Register as it is, and the Connection that its Open
// returns, so a plugin with its own configuration can return a Disk
// from its own Open.  Make one with ReaderAtDisk.
//
// What the disk can do follows from what the storage implements, and
// Disk omits (see Omitter) the methods its storage cannot back: it is
// writable if the storage is an io.WriterAt, supports flush (and so
// FUA, which nbdkit emulates with a flush) if it is also a Syncer, and
// trim if it is also a HolePuncher.  Every connection shares the
// storage, so the disk allows multi-conn, and as io.ReaderAt and
// io.WriterAt allow parallel calls (to different ranges) it asks for
// ThreadModelParallel.
type Disk struct {
	r     io.ReaderAt
	w     io.WriterAt
	sync  Syncer
	punch HolePuncher
	size  int64
	omit  Methods
}

// ReaderAtDisk returns a Disk of size bytes over r:
//
//	nbdkit.Register("hello", nbdkit.ReaderAtDisk(strings.NewReader("hello, world\n"), 13))
func ReaderAtDisk(r io.ReaderAt, size int64) *Disk {
	d := &Disk{r: r, size: size}
	d.w, _ = r.(io.WriterAt)
	if d.w != nil {
		d.sync, _ = r.(Syncer)
		d.punch, _ = r.(HolePuncher)
	}
	if d.w == nil {
		d.omit |= MethodPWrite
	}
	if d.sync == nil {
		d.omit |= MethodFlush
	}
	if d.punch == nil {
		d.omit |= MethodTrim | MethodZero
	}
	return d
}

// Open returns d: every connection serves the same storage.
func (d *Disk) Open(readonly bool) (Connection, error) { return d, nil }

// ThreadModel returns ThreadModelParallel, which io.ReaderAt and
// io.WriterAt allow.
func (d *Disk) ThreadModel() ThreadModel { return ThreadModelParallel }

// Omit returns the methods that the storage cannot back.
func (d *Disk) Omit() Methods { return d.omit }

// GetSize returns the size given to ReaderAtDisk.
func (d *Disk) GetSize() (int64, error) {
	if d.size < 0 {
		return 0, fmt.Errorf("ReaderAtDisk: negative size %d", d.size)
	}
	return d.size, nil
}

// PRead reads with ReadAt.  A short read (storage smaller than the
// disk) fails with EIO.
func (d *Disk) PRead(buf []byte, offset uint64, flags Flags) error {
	n, err := d.r.ReadAt(buf, int64(offset))
	if n == len(buf) {
		return nil // io.ReaderAt may return io.EOF with a full read
	}
	if err == nil || err == io.EOF {
		err = fmt.Errorf("short read: %d of %d bytes at offset %d: %w", n, len(buf), offset, syscall.EIO)
	}
	return err
}

// PWrite writes with WriteAt (omitted unless the storage is an
// io.WriterAt).
func (d *Disk) PWrite(buf []byte, offset uint64, flags Flags) error {
	if d.w == nil {
		return fmt.Errorf("the storage is not an io.WriterAt: %w", syscall.EROFS)
	}
	_, err := d.w.WriteAt(buf, int64(offset))
	return err
}

// Flush calls Sync (omitted unless the storage is a Syncer).
func (d *Disk) Flush(flags Flags) error {
	if d.sync == nil {
		return fmt.Errorf("the storage is not a Syncer: %w", syscall.EINVAL)
	}
	return d.sync.Sync()
}

// CanMultiConn is true: all connections share the storage.
func (d *Disk) CanMultiConn() (bool, error) { return true, nil }

// Trim punches a hole (omitted unless the storage is a HolePuncher).
func (d *Disk) Trim(count uint32, offset uint64, flags Flags) error {
	if d.punch == nil {
		return fmt.Errorf("the storage is not a HolePuncher: %w", syscall.EOPNOTSUPP)
	}
	return d.punch.PunchHole(int64(offset), int64(count))
}

// Zero punches a hole if the client allows trimming; otherwise it
// returns EOPNOTSUPP, and nbdkit writes zeroes with PWrite instead
// (omitted unless the storage is a HolePuncher).
func (d *Disk) Zero(count uint32, offset uint64, flags Flags) error {
	if flags&FlagMayTrim == 0 || d.punch == nil {
		return fmt.Errorf("zero without punching a hole: %w", syscall.EOPNOTSUPP)
	}
	return d.punch.PunchHole(int64(offset), int64(count))
}
