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
	"reflect"
	"strings"
	"testing"

	"github.com/nbdkit-golang/golib/nbdkit"
	"github.com/nbdkit-golang/golib/nbdkit/nbdkittest"
	"github.com/nbdkit-golang/golib/sparse"
)

func TestSize(t *testing.T) {
	if _, err := nbdkittest.StartRegistered("size=1Q"); err == nil || !strings.Contains(err.Error(), "1Q") {
		t.Errorf("size=1Q: %v", err)
	}
	if _, err := nbdkittest.StartRegistered("colour=red"); err == nil || !strings.Contains(err.Error(), "unknown parameter 'colour'") {
		t.Errorf("colour=red: %v", err)
	}
	s, c := nbdkittest.Connect(t, nil, "size=3M")
	if c.Size() != 3<<20 || s.ThreadModel() != nbdkit.ThreadModelSerializeRequests {
		t.Errorf("size %d, thread model %v", c.Size(), s.ThreadModel())
	}
}

// Written pages show as data, zeroed whole pages as holes again.
func TestWriteZeroExtents(t *testing.T) {
	_, c := nbdkittest.Connect(t, nil, "size=1M")
	data := bytes.Repeat([]byte("ramdisk!"), 2*sparse.PageSize/8)
	if err := c.PWrite(data, sparse.PageSize, 0); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, len(data))
	if err := c.PRead(got, sparse.PageSize, 0); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("read back: %v", err)
	}
	const page, hole = sparse.PageSize, nbdkit.ExtentHole | nbdkit.ExtentZero
	ext := func(o, l uint64, t nbdkit.ExtentType) nbdkittest.Extent {
		return nbdkittest.Extent{Offset: o, Length: l, Type: t}
	}
	want := []nbdkittest.Extent{ext(0, page, hole), ext(page, 2*page, 0), ext(3*page, 1<<20-3*page, hole)}
	if e, err := c.Extents(1<<20, 0, 0); err != nil || !reflect.DeepEqual(e, want) {
		t.Errorf("extents %v, %v; want %v", e, err, want)
	}
	if err := c.Zero(sparse.PageSize, sparse.PageSize, 0); err != nil {
		t.Fatal(err)
	}
	want = []nbdkittest.Extent{ext(0, 2*page, hole), ext(2*page, page, 0), ext(3*page, 1<<20-3*page, hole)}
	if e, err := c.Extents(1<<20, 0, 0); err != nil || !reflect.DeepEqual(e, want) {
		t.Errorf("extents after zero %v, %v; want %v", e, err, want)
	}
}
