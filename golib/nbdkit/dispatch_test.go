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

type boolFn func(Connection) (bool, error)

func check(t *testing.T, what string, f boolFn, c Connection, want bool) {
	t.Helper()
	got, err := f(c)
	if err != nil || got != want {
		t.Errorf("%s = %v, %v; want %v", what, got, err, want)
	}
}

func TestDefaultsMinimal(t *testing.T) {
	c := &minimal{}
	check(t, "canWrite", canWrite, c, false)
	check(t, "canFlush", canFlush, c, false)
	check(t, "isRotational", isRotational, c, false)
	check(t, "canTrim", canTrim, c, false)
	check(t, "canZero", canZero, c, false)
	check(t, "canFastZero", canFastZero, c, true) // nbdkit can fail fast zeroes at once
	check(t, "canMultiConn", canMultiConn, c, false)
	check(t, "canExtents", canExtents, c, false)
	if m, err := canFUA(c); m != FUANone || err != nil {
		t.Errorf("canFUA = %v, %v; want FUANone", m, err)
	}
	if m, err := canCache(c); m != CacheNone || err != nil {
		t.Errorf("canCache = %v, %v; want CacheNone", m, err)
	}
	if mn, pr, mx, err := blockSize(c); mn|pr|mx != 0 || err != nil {
		t.Errorf("blockSize = %d %d %d %v; want zeroes", mn, pr, mx, err)
	}
	if _, ok, err := exportDescription(c); ok || err != nil {
		t.Errorf("exportDescription: ok %v err %v; want none", ok, err)
	}

	// The data callbacks nbdkit never calls here still fail as nbdkit
	// would.
	if err := pwrite(c, []byte{1}, 0, 0); !errors.Is(err, syscall.EROFS) {
		t.Errorf("pwrite without Writer: %v, want EROFS", err)
	}
	if err := flush(c, 0); !errors.Is(err, syscall.EINVAL) {
		t.Errorf("flush without Flusher: %v, want EINVAL", err)
	}
	if err := trim(c, 1, 0, 0); !errors.Is(err, syscall.EINVAL) {
		t.Errorf("trim without Trimmer: %v, want EINVAL", err)
	}
	if err := zero(c, 1, 0, FlagMayTrim); !errors.Is(err, syscall.EOPNOTSUPP) {
		t.Errorf("zero without Zeroer: %v, want EOPNOTSUPP (nbdkit falls back to pwrite)", err)
	}
	if err := cache(c, 1, 0, 0); err != nil {
		t.Errorf("cache without Cacher: %v, want nil", err)
	}
	var got []string
	e := &Extents{sink: extentRecorder{&got}}
	if err := extentsCall(c, 4096, 512, 0, e); err != nil || strings.Join(got, ",") != "512+4096:0" {
		t.Errorf("extents without Extenter: %v %v; want one data extent", got, err)
	}
}

func TestDefaultsWritable(t *testing.T) {
	c := &writable{data: make([]byte, 16)}
	check(t, "canWrite", canWrite, c, true)
	check(t, "canFlush", canFlush, c, true)
	check(t, "canTrim", canTrim, c, false)
	check(t, "canZero", canZero, c, true)
	check(t, "canFastZero", canFastZero, c, false)
	check(t, "canExtents", canExtents, c, true)
	if m, _ := canFUA(c); m != FUAEmulate {
		t.Errorf("canFUA = %v; want FUAEmulate (it has Flush)", m)
	}
	if m, _ := canCache(c); m != CacheNative {
		t.Errorf("canCache = %v; want CacheNative (it has Cache)", m)
	}
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
}

func TestDefaultsOverridden(t *testing.T) {
	c := &overrides{}
	check(t, "canWrite", canWrite, c, true)
	check(t, "canFlush", canFlush, c, true)
	check(t, "isRotational", isRotational, c, true)
	check(t, "canTrim", canTrim, c, true)
	check(t, "canZero", canZero, c, true)
	check(t, "canFastZero", canFastZero, c, false)
	check(t, "canMultiConn", canMultiConn, c, true)
	check(t, "canExtents", canExtents, c, true)
	if m, _ := canFUA(c); m != FUANative {
		t.Errorf("canFUA = %v; want FUANative", m)
	}
	if m, _ := canCache(c); m != CacheEmulate {
		t.Errorf("canCache = %v; want CacheEmulate", m)
	}
}

// zeroOff has Zero but turns it off: nbdkit then emulates zeroes and
// can fail fast zeroes at once.
type zeroOff struct{ writable }

func (z *zeroOff) CanZero() (bool, error) { return false, nil }

type badModes struct{ minimal }

func (b *badModes) CanFUA() (FUAMode, error)     { return 7, nil }
func (b *badModes) CanCache() (CacheMode, error) { return -1, nil }
func (b *badModes) CanWrite() (bool, error)      { return false, syscall.EPERM }

func TestCanFastZeroFollowsCanZero(t *testing.T) {
	check(t, "canZero", canZero, &zeroOff{}, false)
	check(t, "canFastZero", canFastZero, &zeroOff{}, true)
}

func TestInvalidModesAndErrors(t *testing.T) {
	if _, err := canFUA(&badModes{}); err == nil {
		t.Errorf("canFUA accepted mode 7")
	}
	if _, err := canCache(&badModes{}); err == nil {
		t.Errorf("canCache accepted mode -1")
	}
	if _, err := canWrite(&badModes{}); !errors.Is(err, syscall.EPERM) {
		t.Errorf("canWrite error lost: %v", err)
	}
}

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

type badModel struct{ minimal }

func (badModel) ThreadModel() ThreadModel { return 42 }

func TestFeatures(t *testing.T) {
	if f := pluginFeatures(&minimal{}); f != (features{}) {
		t.Errorf("minimal plugin features = %+v, want none", f)
	}
	want := features{true, true, true, true, true, true, true, true, true, true, true}
	if f := pluginFeatures(full{}); f != want {
		t.Errorf("full plugin features = %+v, want all", f)
	}
}

func TestThreadModel(t *testing.T) {
	if m, err := threadModel(&minimal{}); m != ThreadModelSerializeAllRequests || err != nil {
		t.Errorf("default thread model = %v %v", m, err)
	}
	if m, err := threadModel(full{}); m != ThreadModelParallel || err != nil {
		t.Errorf("ThreadModeler = %v %v", m, err)
	}
	if _, err := threadModel(&badModel{}); err == nil {
		t.Errorf("thread model 42 accepted")
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
	if d, ok, err := exportDescription(&describer{}); d != "a disk" || !ok || err != nil {
		t.Errorf("exportDescription = %q %v %v", d, ok, err)
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
