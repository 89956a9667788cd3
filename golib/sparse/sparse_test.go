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

package sparse

import (
	"bytes"
	"errors"
	"io"
	"math/rand"
	"sync"
	"testing"
)

type run struct {
	off, len uint64
	hole     bool
}

func extents(t *testing.T, a *Array, n uint32, off uint64) []run {
	t.Helper()
	var runs []run
	if err := a.Extents(n, off, func(o, l uint64, h bool) error {
		runs = append(runs, run{o, l, h})
		return nil
	}); err != nil {
		t.Fatalf("Extents(%d, %d): %v", n, off, err)
	}
	return runs
}

func TestNewIsAllHoles(t *testing.T) {
	a, err := New(5*PageSize + 100)
	if err != nil {
		t.Fatal(err)
	}
	if a.Size() != 5*PageSize+100 {
		t.Fatalf("Size() = %d", a.Size())
	}
	buf := bytes.Repeat([]byte{0xff}, 3*PageSize)
	if _, err := a.ReadAt(buf, 100); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf, make([]byte, len(buf))) {
		t.Fatal("a new array does not read as zeroes")
	}
	got := extents(t, a, 5*PageSize+100, 0)
	want := []run{{0, 5*PageSize + 100, true}}
	if len(got) != 1 || got[0] != want[0] {
		t.Fatalf("extents = %v, want %v", got, want)
	}
}

func TestNegativeSize(t *testing.T) {
	if _, err := New(-1); err == nil {
		t.Fatal("New(-1) did not fail")
	}
}

func TestWriteReadAcrossPages(t *testing.T) {
	a, _ := New(4 * PageSize)
	data := make([]byte, PageSize+2000)
	rand.New(rand.NewSource(1)).Read(data)
	off := int64(PageSize - 1000)
	if _, err := a.WriteAt(data, off); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, len(data))
	if _, err := a.ReadAt(got, off); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, data) {
		t.Fatal("read back differs from what was written")
	}
	// Pages 0, 1 and 2 hold data; page 3 is a hole.
	runs := extents(t, a, 4*PageSize, 0)
	want := []run{{0, 3 * PageSize, false}, {3 * PageSize, PageSize, true}}
	if len(runs) != 2 || runs[0] != want[0] || runs[1] != want[1] {
		t.Fatalf("extents = %v, want %v", runs, want)
	}
	// The untouched start of page 0 still reads as zeroes.
	head := make([]byte, 100)
	a.ReadAt(head, 0)
	if !bytes.Equal(head, make([]byte, 100)) {
		t.Fatal("bytes before the write are not zero")
	}
}

func TestZeroFreesWholePages(t *testing.T) {
	a, _ := New(3 * PageSize)
	a.WriteAt(bytes.Repeat([]byte{1}, 3*PageSize), 0)
	// Part of a page: cleared, still allocated.
	if err := a.Zero(10, 5); err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 20)
	a.ReadAt(b, 0)
	want := append(append(bytes.Repeat([]byte{1}, 5), make([]byte, 10)...), bytes.Repeat([]byte{1}, 5)...)
	if !bytes.Equal(b, want) {
		t.Fatalf("after a partial zero: %v, want %v", b, want)
	}
	if a.pages[0].Load() == nil {
		t.Fatal("a partial zero freed the page")
	}
	// Whole pages 1 and 2: freed.
	if err := a.Zero(2*PageSize, PageSize); err != nil {
		t.Fatal(err)
	}
	if a.pages[1].Load() != nil || a.pages[2].Load() != nil {
		t.Fatal("zeroing whole pages did not free them")
	}
	runs := extents(t, a, 3*PageSize, 0)
	if len(runs) != 2 || runs[0] != (run{0, PageSize, false}) || runs[1] != (run{PageSize, 2 * PageSize, true}) {
		t.Fatalf("extents = %v", runs)
	}
}

func TestExtentsOfAPart(t *testing.T) {
	a, _ := New(4 * PageSize)
	a.WriteAt([]byte{1}, 2*PageSize)
	runs := extents(t, a, 2*PageSize, PageSize+7)
	want := []run{{PageSize + 7, PageSize - 7, true}, {2 * PageSize, PageSize, false}, {3 * PageSize, 7, true}}
	if len(runs) != len(want) {
		t.Fatalf("extents = %v, want %v", runs, want)
	}
	for i := range want {
		if runs[i] != want[i] {
			t.Fatalf("extents = %v, want %v", runs, want)
		}
	}
}

func TestExtentsStopsAtError(t *testing.T) {
	a, _ := New(4 * PageSize)
	a.WriteAt([]byte{1}, PageSize)
	stop := errors.New("stop")
	calls := 0
	err := a.Extents(4*PageSize, 0, func(o, l uint64, h bool) error { calls++; return stop })
	if !errors.Is(err, stop) || calls != 1 {
		t.Fatalf("err = %v after %d calls, want stop after 1", err, calls)
	}
}

func TestOutOfRange(t *testing.T) {
	a, _ := New(PageSize)
	a.WriteAt([]byte{7, 8}, PageSize-2)
	// A read across the end: what there is, and io.EOF.
	b := []byte{1, 2, 3}
	if n, err := a.ReadAt(b, PageSize-2); n != 2 || err != io.EOF || b[0] != 7 || b[1] != 8 || b[2] != 3 {
		t.Fatalf("read across the end: %d, %v, %v; want 2, EOF, [7 8 3]", n, err, b)
	}
	// A read that ends exactly at the end: no error.
	if n, err := a.ReadAt(b[:2], PageSize-2); n != 2 || err != nil {
		t.Fatalf("read up to the end: %d, %v", n, err)
	}
	for _, off := range []int64{PageSize, PageSize + 1, 1 << 62} {
		if n, err := a.ReadAt(b, off); n != 0 || err != io.EOF {
			t.Fatalf("read at %d: %d, %v; want 0, EOF", off, n, err)
		}
	}
	if n, err := a.ReadAt(b, -1); n != 0 || err == nil || err == io.EOF {
		t.Fatalf("read at -1: %d, %v; want 0 and an error", n, err)
	}
	// A write that does not fit writes nothing.
	if n, err := a.WriteAt([]byte{9, 9, 9}, PageSize-2); n != 0 || err == nil {
		t.Fatalf("write across the end: %d, %v; want 0 and an error", n, err)
	}
	if a.ReadAt(b[:2], PageSize-2); b[0] != 7 || b[1] != 8 {
		t.Fatalf("a refused write changed the array: %v", b[:2])
	}
	if n, err := a.WriteAt(b, -1); n != 0 || err == nil {
		t.Fatalf("write at -1: %d, %v; want 0 and an error", n, err)
	}
	if err := a.Zero(1, 1<<62); err == nil {
		t.Fatal("a zero far past the end did not fail")
	}
}

// The request path neither allocates nor copies more than once: a
// read, and a write to pages already allocated, make no allocation.
func TestNoAllocations(t *testing.T) {
	a, _ := New(4 * PageSize)
	buf := make([]byte, 2*PageSize)
	a.WriteAt(buf, PageSize/2)
	if n := testing.AllocsPerRun(100, func() { a.ReadAt(buf, PageSize/2) }); n != 0 {
		t.Errorf("ReadAt: %v allocations per call, want 0", n)
	}
	if n := testing.AllocsPerRun(100, func() { a.WriteAt(buf, PageSize/2) }); n != 0 {
		t.Errorf("WriteAt: %v allocations per call, want 0", n)
	}
}

func BenchmarkReadAt(b *testing.B) {
	a, _ := New(1 << 30)
	buf := make([]byte, 4096)
	a.WriteAt(make([]byte, 1<<20), 0)
	b.SetBytes(int64(len(buf)))
	for i := 0; i < b.N; i++ {
		a.ReadAt(buf, int64(i%256)*4096)
	}
}

func BenchmarkWriteAt(b *testing.B) {
	a, _ := New(1 << 30)
	buf := make([]byte, 4096)
	b.SetBytes(int64(len(buf)))
	for i := 0; i < b.N; i++ {
		a.WriteAt(buf, int64(i%256)*4096)
	}
}

// Concurrent writers to different bytes of the same pages never lose
// each other's data (run with -race too).
func TestConcurrentWritesToOnePage(t *testing.T) {
	a, _ := New(2 * PageSize)
	const writers = 16
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for off := w; off < 2*PageSize; off += writers {
				a.WriteAt([]byte{byte(w + 1)}, int64(off))
			}
		}(w)
	}
	wg.Wait()
	b := make([]byte, 2*PageSize)
	a.ReadAt(b, 0)
	for off, v := range b {
		if v != byte(off%writers+1) {
			t.Fatalf("byte %d = %d, want %d", off, v, off%writers+1)
		}
	}
}
