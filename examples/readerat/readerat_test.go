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

package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/nbdkit-golang/golib/nbdkit"
	"github.com/nbdkit-golang/golib/nbdkit/nbdkittest"
)

// disk makes a file of size bytes full of 'x'.
func disk(t *testing.T, size int) string {
	t.Helper()
	name := filepath.Join(t.TempDir(), "disk.img")
	if err := os.WriteFile(name, bytes.Repeat([]byte("x"), size), 0o600); err != nil {
		t.Fatal(err)
	}
	return name
}

// start starts the registered plugin, reset, with params and opens a
// connection.
func start(t *testing.T, params ...string) *nbdkittest.Conn {
	t.Helper()
	*registered = plugin{}
	s, c := nbdkittest.Connect(t, nil, params...)
	if s.Name != "readerat" {
		t.Errorf("registered as %q", s.Name)
	}
	return c
}

func TestConfig(t *testing.T) {
	for _, tt := range []struct {
		params []string
		err    string
	}{
		{nil, "you must supply the file=<FILENAME> parameter"},
		{[]string{"file=" + filepath.Join(t.TempDir(), "missing")}, "no such file or directory"},
		{[]string{"file=" + disk(t, 512), "readonly=maybe"}, "could not decipher boolean (maybe)"},
		{[]string{"size=1M"}, "unknown parameter 'size'"},
	} {
		*registered = plugin{} // Start configures the registered plugin again
		_, err := nbdkittest.StartRegistered(tt.params...)
		if err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("%q: %v, want %q", tt.params, err, tt.err)
		}
	}
}

func TestReadWrite(t *testing.T) {
	name := disk(t, 1<<20)
	c := start(t, "file="+name)
	if c.Size() != 1<<20 {
		t.Fatalf("size %d", c.Size())
	}
	if err := c.PWrite([]byte("hello"), 4096, 0); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 7)
	if err := c.PRead(buf, 4095, 0); err != nil || string(buf) != "xhellox" {
		t.Fatalf("read %q, %v", buf, err)
	}
	if err := c.Flush(0); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(name)
	if string(data[4096:4101]) != "hello" {
		t.Errorf("the file holds %q", data[4096:4101])
	}
}

func TestTrim(t *testing.T) {
	name := disk(t, 1<<20)
	c := start(t, "file="+name)
	err := c.Trim(65536, 65536, 0)
	if errors.Is(err, syscall.EOPNOTSUPP) {
		t.Skipf("the file system of %s cannot punch holes", name)
	}
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 65536)
	if err := c.PRead(buf, 65536, 0); err != nil || !bytes.Equal(buf, make([]byte, 65536)) {
		t.Errorf("a trimmed range does not read as zeroes (%v)", err)
	}
}

func TestReadOnly(t *testing.T) {
	c := start(t, "file="+disk(t, 4096), "readonly=on")
	// An io.SectionReader has no WriteAt: the disk omits PWrite (and
	// so nbdkit serves it read-only), and Flush and Trim with it.
	if m := c.Methods(); m&(nbdkit.MethodPWrite|nbdkit.MethodFlush|nbdkit.MethodTrim) != 0 {
		t.Errorf("readonly=on: methods %#x include PWrite, Flush or Trim", m)
	}
	if err := c.PWrite([]byte("y"), 0, 0); nbdkittest.Errno(err) != syscall.EOPNOTSUPP {
		t.Errorf("write with readonly=on: %v, want EOPNOTSUPP", err)
	}
}
