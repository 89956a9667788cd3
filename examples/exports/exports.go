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

// Command exports serves several named, read-only exports, each with
// a description that clients can list:
//
//	nbdkit golang ./libexports.so
//	nbdinfo --list nbd+unix:///?socket=...
//
// Every export is 1M of one repeated line of text; the default export
// ("") is "hello".
package main

import (
	"bytes"
	"fmt"
	"sort"
	"syscall"

	"github.com/nbdkit-golang/golib/nbdkit"
)

type export struct {
	description string
	data        []byte
}

// fill returns 1M of line, repeated.
func fill(line string) []byte {
	return bytes.Repeat([]byte(line), (1<<20)/len(line)+1)[:1<<20]
}

var exports = map[string]*export{
	"hello":   {"a friendly greeting", fill("hello, world\n")},
	"numbers": {"counting from zero", fill("0123456789\n")},
	"zeroes":  {"nothing but zero bytes", make([]byte, 1<<20)},
}

type plugin struct{}

type conn struct {
	name string
	*export
}

func (p *plugin) ThreadModel() nbdkit.ThreadModel { return nbdkit.ThreadModelParallel }

func (p *plugin) ListExports(readonly, isTLS bool, e *nbdkit.Exports) error {
	names := make([]string, 0, len(exports))
	for name := range exports {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := e.Add(name, exports[name].description); err != nil {
			return err
		}
	}
	return nil
}

func (p *plugin) DefaultExport(readonly, isTLS bool) (string, error) {
	return "hello", nil
}

// Open serves the export the client asked for.  nbdkit has already
// replaced "" with the default export's name.
func (p *plugin) Open(readonly bool) (nbdkit.Connection, error) {
	name, err := nbdkit.ExportName()
	if err != nil {
		return nil, err
	}
	e, ok := exports[name]
	if !ok {
		return nil, fmt.Errorf("unknown export %q: %w", name, syscall.ENOENT)
	}
	return &conn{name: name, export: e}, nil
}

func (c *conn) ExportDescription() (string, error) { return c.description, nil }

func (c *conn) GetSize() (int64, error) { return int64(len(c.data)), nil }

func (c *conn) CanMultiConn() (bool, error) { return true, nil }

func (c *conn) PRead(buf []byte, offset uint64, flags nbdkit.Flags) error {
	copy(buf, c.data[offset:])
	return nil
}

func init() { nbdkit.Register("exports", &plugin{}) }

func main() {}
