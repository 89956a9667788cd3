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
// What the disk can do follows from what the storage implements: it
// is writable if the storage is an io.WriterAt, supports flush and
// FUA if it is a Syncer, and trim if it is a HolePuncher.  Every
// connection shares the storage, so the disk allows multi-conn, and as
// io.ReaderAt and io.WriterAt allow parallel calls (to different
// ranges) it asks for ThreadModelParallel.
type Disk struct {
	r     io.ReaderAt
	w     io.WriterAt
	sync  Syncer
	punch HolePuncher
	size  int64
}

// ReaderAtDisk returns a Disk of size bytes over r:
//
//	nbdkit.Register("hello", nbdkit.ReaderAtDisk(strings.NewReader("hello, world\n"), 13))
func ReaderAtDisk(r io.ReaderAt, size int64) *Disk {
	d := &Disk{r: r, size: size}
	d.w, _ = r.(io.WriterAt)
	d.sync, _ = r.(Syncer)
	d.punch, _ = r.(HolePuncher)
	return d
}

// Open returns d: every connection serves the same storage.
func (d *Disk) Open(readonly bool) (Connection, error) { return d, nil }

// ThreadModel returns ThreadModelParallel, which io.ReaderAt and
// io.WriterAt allow.
func (d *Disk) ThreadModel() ThreadModel { return ThreadModelParallel }

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

// CanWrite says whether the storage is an io.WriterAt.
func (d *Disk) CanWrite() (bool, error) { return d.w != nil, nil }

// PWrite writes with WriteAt, then syncs if the client asked for FUA.
func (d *Disk) PWrite(buf []byte, offset uint64, flags Flags) error {
	if d.w == nil {
		return fmt.Errorf("the storage is not an io.WriterAt: %w", syscall.EROFS)
	}
	if _, err := d.w.WriteAt(buf, int64(offset)); err != nil {
		return err
	}
	return d.fua(flags)
}

// CanFlush says whether the storage is a Syncer.
func (d *Disk) CanFlush() (bool, error) { return d.sync != nil, nil }

// Flush calls Sync.
func (d *Disk) Flush(flags Flags) error {
	if d.sync == nil {
		return nil // nothing to commit: writes are already where they go
	}
	return d.sync.Sync()
}

// CanFUA is FUANative for a Syncer (the write or trim syncs when the
// client asks for FUA) and FUANone otherwise.
func (d *Disk) CanFUA() (FUAMode, error) {
	if d.sync == nil {
		return FUANone, nil
	}
	return FUANative, nil
}

func (d *Disk) fua(flags Flags) error {
	if flags&FlagFUA != 0 && d.sync != nil {
		return d.sync.Sync()
	}
	return nil
}

// CanMultiConn is true: all connections share the storage.
func (d *Disk) CanMultiConn() (bool, error) { return true, nil }

// CanTrim says whether the storage is a HolePuncher.
func (d *Disk) CanTrim() (bool, error) { return d.punch != nil && d.w != nil, nil }

// Trim punches a hole.
func (d *Disk) Trim(count uint32, offset uint64, flags Flags) error {
	if d.punch == nil {
		return fmt.Errorf("the storage is not a HolePuncher: %w", syscall.EOPNOTSUPP)
	}
	if err := d.punch.PunchHole(int64(offset), int64(count)); err != nil {
		return err
	}
	return d.fua(flags)
}

// CanZero is true for a HolePuncher, which zeroes a range when the
// client allows trimming; other zero requests are written as zeroes
// by nbdkit.
func (d *Disk) CanZero() (bool, error) { return d.punch != nil && d.w != nil, nil }

// Zero punches a hole if the client allows trimming; otherwise it
// returns EOPNOTSUPP, and nbdkit writes zeroes with PWrite instead.
func (d *Disk) Zero(count uint32, offset uint64, flags Flags) error {
	if flags&FlagMayTrim == 0 || d.punch == nil {
		return fmt.Errorf("zero without punching a hole: %w", syscall.EOPNOTSUPP)
	}
	return d.Trim(count, offset, flags)
}
