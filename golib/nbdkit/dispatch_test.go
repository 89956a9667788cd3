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
	"errors"
	"io"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// minimal has only the required methods.
type minimal struct{ size int64 }

func (m *minimal) Open(readonly bool) (Connection, error)             { return m, nil }
func (m *minimal) GetSize() (int64, error)                            { return m.size, nil }
func (m *minimal) PRead(buf []byte, offset uint64, flags Flags) error { return nil }

// writable adds PWrite, Flush, Zero, Extents and Cache.
type writable struct {
	minimal
	data    []byte
	flushes int
	closed  bool
}

func (w *writable) PWrite(buf []byte, offset uint64, flags Flags) error {
	copy(w.data[offset:], buf)
	return nil
}
func (w *writable) Flush(flags Flags) error { w.flushes++; return nil }
func (w *writable) Zero(count uint32, offset uint64, flags Flags) error {
	return syscall.ENOSPC
}
func (w *writable) Extents(count uint32, offset uint64, flags Flags, e *Extents) error {
	return e.Add(offset, uint64(count), ExtentHole|ExtentZero)
}
func (w *writable) Cache(count uint32, offset uint64, flags Flags) error { return nil }
func (w *writable) Close()                                               { w.closed = true }

// overrides answers every Can... question itself.
type overrides struct{ minimal }

func (o *overrides) CanWrite() (bool, error)      { return true, nil }
func (o *overrides) CanFlush() (bool, error)      { return true, nil }
func (o *overrides) IsRotational() (bool, error)  { return true, nil }
func (o *overrides) CanTrim() (bool, error)       { return true, nil }
func (o *overrides) CanZero() (bool, error)       { return true, nil }
func (o *overrides) CanFastZero() (bool, error)   { return false, nil }
func (o *overrides) CanFUA() (FUAMode, error)     { return FUANative, nil }
func (o *overrides) CanMultiConn() (bool, error)  { return true, nil }
func (o *overrides) CanExtents() (bool, error)    { return true, nil }
func (o *overrides) CanCache() (CacheMode, error) { return CacheEmulate, nil }

// golib applies no defaults: it reports which methods a connection
// has, and the loader applies nbdkit's rules.
func TestConnMethods(t *testing.T) {
	if m := connMethods(&minimal{}); m != 0 {
		t.Errorf("minimal connection methods = %#x, want none", m)
	}
	want := MethodPWrite | MethodFlush | MethodZero | MethodExtents | MethodCache
	if m := connMethods(&writable{}); m != want {
		t.Errorf("writable connection methods = %#x, want %#x", m, want)
	}
	want = MethodCanWrite | MethodCanFlush | MethodIsRotational | MethodCanTrim |
		MethodCanZero | MethodCanFastZero | MethodCanFUA | MethodCanMultiConn |
		MethodCanExtents | MethodCanCache
	if m := connMethods(&overrides{}); m != want {
		t.Errorf("overrides connection methods = %#x, want %#x", m, want)
	}
	if m := connMethods(&describer{}); m != MethodExportDescription|MethodBlockSize {
		t.Errorf("describer connection methods = %#x", m)
	}
}

// omitting has every data method and omits what it was told to.
type omitting struct {
	writable
	omit Methods
}

func (o *omitting) Trim(count uint32, offset uint64, flags Flags) error { return nil }
func (o *omitting) Omit() Methods                                       { return o.omit }

func TestOmit(t *testing.T) {
	all := MethodPWrite | MethodFlush | MethodTrim | MethodZero | MethodExtents | MethodCache
	if m := connMethods(&omitting{}); m != all {
		t.Errorf("omitting nothing = %#x, want %#x", m, all)
	}
	if m := connMethods(&omitting{omit: MethodPWrite | MethodTrim | MethodCanFUA}); m != all&^(MethodPWrite|MethodTrim) {
		t.Errorf("omitting PWrite and Trim = %#x", m)
	}
}

// A callback whose method is missing fails with ENOTSUP and says so;
// the loader never calls it.
func TestNotImplemented(t *testing.T) {
	c := &minimal{}
	for name, err := range map[string]error{
		"PWrite":  pwrite(c, []byte{1}, 0, 0),
		"Flush":   flush(c, 0),
		"Trim":    trim(c, 1, 0, 0),
		"Zero":    zero(c, 1, 0, 0),
		"Cache":   cache(c, 1, 0, 0),
		"Extents": extentsCall(c, 1, 0, 0, &Extents{}),
	} {
		if !errors.Is(err, syscall.ENOTSUP) || !strings.Contains(err.Error(), "has no "+name+" method") {
			t.Errorf("%s without the method: %v", name, err)
		}
	}
	if _, err := method(c, "CanWrite", CanWriter.CanWrite); !errors.Is(err, syscall.ENOTSUP) {
		t.Errorf("CanWrite without the method: %v", err)
	}
	if _, err := exportDescription(c); !errors.Is(err, syscall.ENOTSUP) {
		t.Errorf("ExportDescription without the method: %v", err)
	}
	if _, _, _, err := blockSize(c); !errors.Is(err, syscall.ENOTSUP) {
		t.Errorf("BlockSize without the method: %v", err)
	}
}

func TestMethodCalls(t *testing.T) {
	c := &writable{data: make([]byte, 16)}
	if err := pwrite(c, []byte("hi"), 3, FlagFUA); err != nil || string(c.data[3:5]) != "hi" {
		t.Errorf("pwrite: %v %q", err, c.data)
	}
	if err := flush(c, 0); err != nil || c.flushes != 1 {
		t.Errorf("flush: %v, %d flushes", err, c.flushes)
	}
	if err := zero(c, 1, 0, 0); !errors.Is(err, syscall.ENOSPC) {
		t.Errorf("zero: %v, want the plugin's ENOSPC", err)
	}
	var got []string
	if err := extentsCall(c, 100, 0, 0, &Extents{sink: extentRecorder{&got}}); err != nil || got[0] != "0+100:3" {
		t.Errorf("extents: %v %v", got, err)
	}
	o := &overrides{}
	if m, err := method(o, "CanFUA", CanFUAer.CanFUA); m != FUANative || err != nil {
		t.Errorf("CanFUA = %v %v", m, err)
	}
	if b, err := method(o, "CanFastZero", CanFastZeroer.CanFastZero); b || err != nil {
		t.Errorf("CanFastZero = %v %v", b, err)
	}
	if _, err := method(&badModes{}, "CanWrite", CanWriter.CanWrite); !errors.Is(err, syscall.EPERM) {
		t.Errorf("CanWrite error lost: %v", err)
	}
}

type badModes struct{ minimal }

func (b *badModes) CanWrite() (bool, error) { return false, syscall.EPERM }

// plugins for the registration and thread model tests.
type full struct{ minimal }

func (full) Load() error                                        { return nil }
func (full) Unload()                                            {}
func (full) Config(k, v string) error                           { return nil }
func (full) ConfigComplete() error                              { return nil }
func (full) ThreadModel() ThreadModel                           { return ThreadModelParallel }
func (full) GetReady() error                                    { return nil }
func (full) AfterFork() error                                   { return nil }
func (full) Cleanup()                                           {}
func (full) PreConnect(readonly bool) error                     { return nil }
func (full) ListExports(readonly, isTLS bool, e *Exports) error { return nil }
func (full) DefaultExport(readonly, isTLS bool) (string, error) { return "a", nil }
func (full) DumpPlugin(w io.Writer) error                       { return nil }
func (full) Info() Info                                         { return Info{Version: "1"} }
func (f full) Open(readonly bool) (Connection, error)           { return &f.minimal, nil }

type nilOpen struct{ minimal }

func (nilOpen) Open(readonly bool) (Connection, error) { return nil, nil }

func TestFeatures(t *testing.T) {
	if f := pluginFeatures(&minimal{}); f != (features{}) {
		t.Errorf("minimal plugin features = %+v, want none", f)
	}
	want := features{true, true, true, true, true, true, true, true, true, true, true, true}
	if f := pluginFeatures(full{}); f != want {
		t.Errorf("full plugin features = %+v, want all", f)
	}
}

func TestRegister(t *testing.T) {
	defer func(saved registration) { registered = saved }(registered)

	registered = registration{}
	if _, err := registeredPlugin(); err == nil || !strings.Contains(err.Error(), "call nbdkit.Register from an init function") {
		t.Errorf("no Register: %v", err)
	}
	Register("one", &minimal{})
	if p, err := registeredPlugin(); err != nil || p == nil || registered.name != "one" {
		t.Errorf("Register once: %v %v", p, err)
	}
	Register("two", &minimal{})
	if _, err := registeredPlugin(); err == nil || !strings.Contains(err.Error(), "more than once") {
		t.Errorf("Register twice: %v", err)
	}
	registered = registration{}
	Register("nil", nil)
	if _, err := registeredPlugin(); err == nil || !strings.Contains(err.Error(), "nil Plugin") {
		t.Errorf("Register nil: %v", err)
	}
}

func TestOpenAndHandles(t *testing.T) {
	if _, err := openConnection(nilOpen{}, false); err == nil {
		t.Errorf("a nil Connection was accepted")
	}
	w := &writable{}
	c, err := openConnection(&onePlugin{w}, true)
	if err != nil {
		t.Fatal(err)
	}
	h := newHandle(c)
	if h == 0 {
		t.Fatal("handle 0")
	}
	if connOf(h) != Connection(w) {
		t.Errorf("connOf returned another connection")
	}
	closeHandle(h)
	if !w.closed {
		t.Errorf("Close was not called")
	}
	// The handle is gone: using it again panics (and a callback
	// would fail with EIO).
	func() {
		defer func() {
			if recover() == nil {
				t.Errorf("a deleted handle still works")
			}
		}()
		connOf(h)
	}()
}

// Handles are safe for concurrent use (upstream's connection map was
// not).
func TestHandlesConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 1000; j++ {
				m := &minimal{size: int64(j)}
				h := newHandle(m)
				if connOf(h) != Connection(m) {
					t.Errorf("wrong connection")
				}
				closeHandle(h)
			}
		}()
	}
	wg.Wait()
}

type onePlugin struct{ c Connection }

func (p *onePlugin) Open(readonly bool) (Connection, error) { return p.c, nil }

type describer struct{ minimal }

func (describer) ExportDescription() (string, error) { return "a disk", nil }
func (describer) BlockSize() (uint32, uint32, uint32, error) {
	return 512, 4096, 1 << 20, nil
}

func TestDescriptionAndBlockSize(t *testing.T) {
	if d, err := exportDescription(&describer{}); d != "a disk" || err != nil {
		t.Errorf("exportDescription = %q %v", d, err)
	}
	if mn, pr, mx, err := blockSize(&describer{}); mn != 512 || pr != 4096 || mx != 1<<20 || err != nil {
		t.Errorf("blockSize = %d %d %d %v", mn, pr, mx, err)
	}
}

// extentRecorder and exportRecorder are test sinks.

type extentRecorder struct{ got *[]string }

func (r extentRecorder) addExtent(offset, length uint64, t ExtentType) error {
	*r.got = append(*r.got, fmtExtent(offset, length, t))
	return nil
}

func fmtExtent(o, l uint64, t ExtentType) string {
	return strings.Join([]string{itoa(o) + "+" + itoa(l), itoa(uint64(t))}, ":")
}

func itoa(v uint64) string {
	if v == 0 {
		return "0"
	}
	var b []byte
	for ; v > 0; v /= 10 {
		b = append([]byte{byte('0' + v%10)}, b...)
	}
	return string(b)
}

type exportRecorder struct{ got *[]string }

func (r exportRecorder) addExport(name, desc string) error {
	*r.got = append(*r.got, name+"="+desc)
	return nil
}
func (r exportRecorder) useDefaultExport() error {
	*r.got = append(*r.got, "<default>")
	return nil
}

func TestExports(t *testing.T) {
	var got []string
	e := &Exports{sink: exportRecorder{&got}}
	if err := e.Add("a", "first"); err != nil {
		t.Fatal(err)
	}
	if err := e.UseDefault(); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, ",") != "a=first,<default>" {
		t.Errorf("exports = %v", got)
	}
	var none *Exports
	if none.Add("x", "") != errNoHost || none.UseDefault() != errNoHost {
		t.Errorf("nil Exports must fail")
	}
}
