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
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"

	"github.com/nbdkit-golang/golib/nbdkit"
	"github.com/nbdkit-golang/golib/nbdkit/nbdkittest"
)

// zeroDisk is a read-only disk of zeroes whose size is set by size=.
type zeroDisk struct{ size int64 }

func (d *zeroDisk) Config(key, value string) (err error) {
	if key != "size" {
		return fmt.Errorf("unknown parameter '%s'", key)
	}
	d.size, err = nbdkit.ParseSize(value)
	return err
}

func (d *zeroDisk) Open(readonly bool) (nbdkit.Connection, error) { return d, nil }
func (d *zeroDisk) GetSize() (int64, error)                       { return d.size, nil }

func (d *zeroDisk) PRead(buf []byte, offset uint64, flags nbdkit.Flags) error {
	for i := range buf {
		buf[i] = 0
	}
	return nil
}

// Extents says the whole disk is a hole.
func (d *zeroDisk) Extents(count uint32, offset uint64, flags nbdkit.Flags, e *nbdkit.Extents) error {
	return e.Add(offset, uint64(count), nbdkit.ExtentHole|nbdkit.ExtentZero)
}

// A plugin registers itself from an init function of its main
// package, built with go build -buildmode=c-shared.
func ExampleRegister() {
	// In the plugin: func init() { nbdkit.Register("zero", &zeroDisk{}) }
	var p nbdkit.Plugin = &zeroDisk{size: 1 << 20}
	c, _ := p.Open(true)
	size, _ := c.GetSize()
	_, writable := c.(nbdkit.Writer)
	_, extents := c.(nbdkit.Extenter)
	fmt.Println(size, writable, extents)
	// Output: 1048576 false true
}

// limitedDisk is writable up to a limit; past it, writes fail with
// ENOSPC, which the client sees.
type limitedDisk struct {
	data  []byte
	limit uint64
}

func (d *limitedDisk) PWrite(buf []byte, offset uint64, flags nbdkit.Flags) error {
	if offset+uint64(len(buf)) > d.limit {
		return fmt.Errorf("write at %d: over the limit: %w", offset, syscall.ENOSPC)
	}
	copy(d.data[offset:], buf)
	return nil
}

// Errors carry their errno to the client when it is anywhere in the
// chain.
func ExampleWriter_errno() {
	d := &limitedDisk{data: make([]byte, 8192), limit: 4096}
	err := d.PWrite(make([]byte, 512), 4096, 0)
	fmt.Println(errors.Is(err, syscall.ENOSPC))

	_, err = os.Open("") // no such file, on every machine
	fmt.Println(errors.Is(err, syscall.ENOENT))
	// Output:
	// true
	// true
}

// dumper adds its own lines to nbdkit --dump-plugin.
type dumper struct{ zeroDisk }

func (d *dumper) DumpPlugin(w io.Writer) error {
	_, err := fmt.Fprintf(w, "zero_max_size=%d\n", int64(1)<<62)
	return err
}

// A Dumper writes key=value lines.
func ExampleDumper() {
	var p nbdkit.Plugin = &dumper{}
	if d, ok := p.(nbdkit.Dumper); ok {
		d.DumpPlugin(os.Stdout)
	}
	// Output: zero_max_size=4611686018427387904
}

// Helpers such as ParseSize call into nbdkit; outside nbdkit (as in
// this example, or a plugin's own go test) they parse the same way.
func ExampleParseSize() {
	size, err := nbdkit.ParseSize("1M")
	fmt.Println(size, err)
	_, err = nbdkit.ParseSize("1X")
	fmt.Println(err)
	// Output:
	// 1048576 <nil>
	// could not parse size (1X): unknown suffix "X"
}

// A disk over any io.ReaderAt takes one call.  This one is read-only
// (a strings.Reader has no WriteAt, so the Disk omits PWrite); an
// *os.File would also be writable and support flush.  Package nbdkittest runs it here, in
// go test, as nbdkit would.
func ExampleReaderAtDisk() {
	// In the plugin:
	//	func init() { nbdkit.Register("hello", nbdkit.ReaderAtDisk(strings.NewReader("hello, world\n"), 13)) }
	s, err := nbdkittest.Start(nbdkit.ReaderAtDisk(strings.NewReader("hello, world\n"), 13))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	c, err := s.Open(false)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	buf := make([]byte, 5)
	err = c.PRead(buf, 7, 0)
	fmt.Println(c.Size(), string(buf), err)
	fmt.Println(c.PWrite(buf, 0, 0))
	// Output:
	// 13 world <nil>
	// nbdkittest: the connection has no PWrite method, or omits it: operation not supported
}

// configuredDisk has every method its configuration may ask for;
// Omit drops, per connection, those the configuration turned off.
type configuredDisk struct {
	zeroDisk
	extents bool // extents=on|off
}

func (d *configuredDisk) Omit() nbdkit.Methods {
	if !d.extents {
		return nbdkit.MethodExtents
	}
	return 0
}

// Features chosen by the configuration need one type and an Omit
// method, not one type per combination.  The loader treats an omitted
// method exactly like a missing one: here, without extents nbdkit
// reports the whole disk as data.
func ExampleOmitter() {
	for _, on := range []bool{true, false} {
		var c nbdkit.Connection = &configuredDisk{zeroDisk{1 << 20}, on}
		omitted := c.(nbdkit.Omitter).Omit()
		fmt.Println("extents:", omitted&nbdkit.MethodExtents == 0)
	}
	// Output:
	// extents: true
	// extents: false
}
