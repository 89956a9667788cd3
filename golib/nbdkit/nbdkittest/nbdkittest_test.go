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

package nbdkittest_test

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"syscall"
	"testing"

	"github.com/nbdkit-golang/golib/nbdkit"
	"github.com/nbdkit-golang/golib/nbdkit/nbdkittest"
)

// recorder records the callbacks it gets, in order.
type recorder struct {
	calls []string
	size  int64
	data  []byte
}

func (r *recorder) rec(s string)             { r.calls = append(r.calls, s) }
func (r *recorder) Load() error              { r.rec("load"); return nil }
func (r *recorder) Unload()                  { r.rec("unload") }
func (r *recorder) ConfigComplete() error    { r.rec("config_complete"); return nil }
func (r *recorder) GetReady() error          { r.rec("get_ready"); r.data = make([]byte, r.size); return nil }
func (r *recorder) AfterFork() error         { r.rec("after_fork"); return nil }
func (r *recorder) Cleanup()                 { r.rec("cleanup") }
func (r *recorder) PreConnect(ro bool) error { r.rec(fmt.Sprint("preconnect ", ro)); return nil }
func (r *recorder) GetSize() (int64, error)  { r.rec("get_size"); return r.size, nil }
func (r *recorder) Close()                   { r.rec("close") }
func (r *recorder) ThreadModel() nbdkit.ThreadModel {
	r.rec("thread_model")
	return nbdkit.ThreadModelParallel
}

func (r *recorder) Config(key, value string) (err error) {
	r.rec("config " + key + "=" + value)
	if key != "size" {
		return fmt.Errorf("unknown parameter '%s'", key)
	}
	r.size, err = nbdkit.ParseSize(value)
	return err
}

func (r *recorder) Open(readonly bool) (nbdkit.Connection, error) {
	r.rec(fmt.Sprint("open ", readonly))
	return r, nil
}

func (r *recorder) PRead(buf []byte, off uint64, _ nbdkit.Flags) error {
	r.rec(fmt.Sprint("pread ", len(buf), " ", off))
	if off == 4096 {
		panic("pread at 4096")
	}
	copy(buf, r.data[off:])
	return nil
}

func (r *recorder) PWrite(buf []byte, off uint64, _ nbdkit.Flags) error {
	r.rec(fmt.Sprint("pwrite ", len(buf), " ", off))
	if off == 4096 {
		return fmt.Errorf("write at 4096: %w", syscall.ENOSPC)
	}
	copy(r.data[off:], buf)
	return nil
}

func (r *recorder) Extents(n uint32, off uint64, _ nbdkit.Flags, e *nbdkit.Extents) error {
	if err := e.Add(off, 100, 0); err != nil {
		return err
	}
	return e.Add(off+100, uint64(n)-100, nbdkit.ExtentHole|nbdkit.ExtentZero)
}

func TestLifecycle(t *testing.T) {
	r := &recorder{}
	s, err := nbdkittest.Start(r, "size=8k")
	if err != nil {
		t.Fatal(err)
	}
	if s.ThreadModel() != nbdkit.ThreadModelParallel {
		t.Errorf("thread model %v", s.ThreadModel())
	}
	c, err := s.Open(true)
	if err != nil {
		t.Fatal(err)
	}
	if c.Size() != 8192 {
		t.Errorf("size %d", c.Size())
	}
	if err := c.PWrite([]byte("hi"), 10, 0); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 2)
	if err := c.PRead(buf, 10, 0); err != nil || string(buf) != "hi" {
		t.Fatalf("read %q, %v", buf, err)
	}
	c.Close()
	c.Close()
	s.Close()
	s.Close()
	want := []string{
		"load", "config size=8k", "config_complete", "thread_model", "get_ready", "after_fork",
		"preconnect true", "open true", "get_size", "pwrite 2 10", "pread 2 10", "close",
		"cleanup", "unload",
	}
	if !reflect.DeepEqual(r.calls, want) {
		t.Errorf("callbacks:\n%q\nwant\n%q", r.calls, want)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, params := range [][]string{{"size=bogus"}, {"colour=red"}, {"size"}} {
		if _, err := nbdkittest.Start(&recorder{}, params...); err == nil {
			t.Errorf("Start(%q) did not fail", params)
		}
	}
	// A plugin without Config takes no parameters.
	type bare struct{ nbdkit.Plugin }
	if _, err := nbdkittest.Start(bare{}, "x=1"); err == nil || !strings.Contains(err.Error(), "unknown parameter 'x'") {
		t.Errorf("a parameter for a plugin without Config: %v", err)
	}
}

func TestRequests(t *testing.T) {
	s, c := nbdkittest.Connect(t, &recorder{}, "size=8k")
	// The errno a client would see.
	err := c.PWrite(make([]byte, 512), 4096, 0)
	if nbdkittest.Errno(err) != syscall.ENOSPC {
		t.Errorf("pwrite at 4096: %v (errno %v), want ENOSPC", err, nbdkittest.Errno(err))
	}
	// A panic is the callback's error, EIO.
	err = c.PRead(make([]byte, 512), 4096, 0)
	if err == nil || nbdkittest.Errno(err) != syscall.EIO || !strings.Contains(err.Error(), "pread at 4096") {
		t.Errorf("pread that panics: %v", err)
	}
	// Beyond the end: refused without calling the plugin.
	r := s.Plugin().(*recorder)
	before := len(r.calls)
	if err := c.PRead(make([]byte, 2), 8191, 0); !errors.Is(err, syscall.EINVAL) {
		t.Errorf("read beyond the end: %v", err)
	}
	if len(r.calls) != before {
		t.Errorf("the plugin was called for a request beyond the end: %q", r.calls[before:])
	}
	// Not implemented: EOPNOTSUPP, and nothing is emulated.
	if err := c.Trim(512, 0, 0); !errors.Is(err, syscall.EOPNOTSUPP) {
		t.Errorf("trim without Trim: %v", err)
	}
	if err := c.Flush(0); !errors.Is(err, syscall.EOPNOTSUPP) {
		t.Errorf("flush without Flush: %v", err)
	}
	got, err := c.Extents(1000, 24, 0)
	want := []nbdkittest.Extent{{24, 100, 0}, {124, 900, nbdkit.ExtentHole | nbdkit.ExtentZero}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("extents %v, %v; want %v", got, err, want)
	}
}

type lister struct{ recorder }

func (l *lister) ListExports(readonly, isTLS bool, e *nbdkit.Exports) error {
	if err := e.Add("a", "the first"); err != nil {
		return err
	}
	return e.UseDefault()
}

func (l *lister) DefaultExport(readonly, isTLS bool) (string, error) { return "a", nil }

func TestExports(t *testing.T) {
	s, err := nbdkittest.Start(&lister{})
	if err != nil {
		t.Fatal(err)
	}
	list, err := s.ListExports(false, false)
	want := []nbdkittest.Export{{Name: "a", Description: "the first"}, {Default: true}}
	if err != nil || !reflect.DeepEqual(list, want) {
		t.Errorf("ListExports: %v, %v; want %v", list, err, want)
	}
	if name, err := s.DefaultExport(false, false); name != "a" || err != nil {
		t.Errorf("DefaultExport: %q, %v", name, err)
	}
}

// omitting omits PWrite, as a plugin configured read-only would.
type omitting struct{ recorder }

func (o *omitting) Open(readonly bool) (nbdkit.Connection, error) { return o, nil }
func (o *omitting) Omit() nbdkit.Methods                          { return nbdkit.MethodPWrite }

func TestOmitted(t *testing.T) {
	o := &omitting{}
	_, c := nbdkittest.Connect(t, o, "size=4k")
	want := nbdkit.MethodExtents // recorder's optional methods, minus PWrite
	if c.Methods() != want {
		t.Errorf("Methods() = %#x, want %#x", c.Methods(), want)
	}
	before := len(o.calls)
	if err := c.PWrite([]byte("x"), 0, 0); !errors.Is(err, syscall.EOPNOTSUPP) {
		t.Errorf("an omitted PWrite: %v", err)
	}
	if len(o.calls) != before {
		t.Errorf("an omitted method was called: %q", o.calls[before:])
	}
}
