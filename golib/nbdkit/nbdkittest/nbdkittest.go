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

// Package nbdkittest runs a plugin through nbdkit's lifecycle inside
// the test process, so that a plugin can be tested with go test, as
// net/http/httptest does for handlers:
//
//	func TestDisk(t *testing.T) {
//		_, c := nbdkittest.Connect(t, nil, "size=1M") // the registered plugin
//		if err := c.PWrite([]byte("hello"), 0, 0); err != nil {
//			t.Fatal(err)
//		}
//	}
//
// Start calls the plugin-level callbacks in nbdkit's order (Load,
// Config for each parameter, ConfigComplete, ThreadModel, GetReady,
// AfterFork), Open makes a connection (PreConnect, Open, GetSize), and
// the methods of Conn make requests.  Outside nbdkit, golib's helpers
// (ParseSize, Realpath, ...) behave as nbdkit's do.
//
// The harness calls only what the plugin implements: a request whose
// method the connection lacks or omits (see nbdkit.Omitter) fails with
// EOPNOTSUPP, and the Can... methods are not consulted.  Conn.Methods
// says which methods nbdkit-golang-plugin.so would see.  nbdkit's own
// rules for what is missing (can_write is true when there is a
// PWrite, FUA emulated with Flush, zero written with PWrite, ...) are
// applied by nbdkit-golang-plugin.so alone: test them through nbdkit
// and a real client.  Like nbdkit, the harness refuses requests beyond
// the end of the disk without calling the plugin, and a panic in a
// callback becomes that callback's error.  The harness runs the
// callbacks in the calling goroutine; it does not enforce the plugin's
// thread model.
package nbdkittest

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"syscall"
	"testing"

	"github.com/nbdkit-golang/golib/nbdkit"
	"github.com/nbdkit-golang/golib/nbdkit/internal/hook"
)

// Server is a plugin that has been loaded and configured, as nbdkit
// does before it serves.
type Server struct {
	// Name is the plugin's name: the one given to nbdkit.Register,
	// or "" for Start.
	Name   string
	plugin nbdkit.Plugin
	model  nbdkit.ThreadModel
	closed bool
}

// Start loads and configures p as nbdkit does before it serves: Load,
// Config for each "key=value" parameter in order, ConfigComplete,
// ThreadModel, GetReady and AfterFork.  The first error stops it and
// is returned.
func Start(p nbdkit.Plugin, params ...string) (*Server, error) {
	if p == nil {
		return nil, errors.New("nbdkittest.Start: nil Plugin")
	}
	s := &Server{plugin: p}
	if err := s.start(params); err != nil {
		return nil, err
	}
	return s, nil
}

// StartRegistered starts the plugin that the package under test
// registered with nbdkit.Register, as Start does.
func StartRegistered(params ...string) (*Server, error) {
	name, p, err := hook.Registered()
	if err != nil {
		return nil, err
	}
	s, err := Start(p.(nbdkit.Plugin), params...)
	if s != nil {
		s.Name = name
	}
	return s, err
}

// Connect starts p with params, as Start does (the plugin registered
// with nbdkit.Register if p is nil), and opens a connection that is
// not read-only.  It stops the test at once on an error; the server
// and the connection are closed when the test ends.
func Connect(t testing.TB, p nbdkit.Plugin, params ...string) (*Server, *Conn) {
	t.Helper()
	var s *Server
	var err error
	if p == nil {
		s, err = StartRegistered(params...)
	} else {
		s, err = Start(p, params...)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	c, err := s.Open(false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return s, c
}

// start runs the configuration phase.
func (s *Server) start(params []string) error {
	p := s.plugin
	if l, ok := p.(nbdkit.Loader); ok {
		if err := call("load", l.Load); err != nil {
			return err
		}
	}
	for _, kv := range params {
		key, value, ok := strings.Cut(kv, "=")
		if !ok || key == "" {
			return fmt.Errorf("nbdkittest: parameter %q is not key=value", kv)
		}
		c, ok := p.(nbdkit.Configurer)
		if !ok {
			return fmt.Errorf("unknown parameter '%s': this plugin takes no parameters", key)
		}
		if err := call("config", func() error { return c.Config(key, value) }); err != nil {
			return err
		}
	}
	if c, ok := p.(nbdkit.ConfigCompleter); ok {
		if err := call("config_complete", c.ConfigComplete); err != nil {
			return err
		}
	}
	s.model = nbdkit.ThreadModelSerializeAllRequests
	if tm, ok := p.(nbdkit.ThreadModeler); ok {
		err := call("thread_model", func() error { s.model = tm.ThreadModel(); return nil })
		if err != nil {
			return err
		}
		if s.model < nbdkit.ThreadModelSerializeConnections || s.model > nbdkit.ThreadModelParallel {
			return fmt.Errorf("ThreadModel returned an invalid thread model %d", s.model)
		}
	}
	if g, ok := p.(nbdkit.GetReadier); ok {
		if err := call("get_ready", g.GetReady); err != nil {
			return err
		}
	}
	if a, ok := p.(nbdkit.AfterForker); ok {
		if err := call("after_fork", a.AfterFork); err != nil {
			return err
		}
	}
	return nil
}

// call calls f, turning a panic into the error golib reports for it.
func call(callback string, f func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = hook.PanicError(callback, v)
		}
	}()
	return f()
}

// Plugin returns the plugin.
func (s *Server) Plugin() nbdkit.Plugin { return s.plugin }

// ThreadModel returns the thread model the plugin chose
// (ThreadModelSerializeAllRequests if it has no ThreadModel method).
func (s *Server) ThreadModel() nbdkit.ThreadModel { return s.model }

// Close calls Cleanup and Unload, as nbdkit does when it exits.  It
// does nothing the second time.
func (s *Server) Close() {
	if s.closed {
		return
	}
	s.closed = true
	if c, ok := s.plugin.(nbdkit.Cleaner); ok {
		call("cleanup", func() error { c.Cleanup(); return nil })
	}
	if u, ok := s.plugin.(nbdkit.Unloader); ok {
		call("unload", func() error { u.Unload(); return nil })
	}
}

// DumpPlugin returns what the plugin adds to nbdkit --dump-plugin.
func (s *Server) DumpPlugin() (string, error) {
	d, ok := s.plugin.(nbdkit.Dumper)
	if !ok {
		return "", nil
	}
	var buf bytes.Buffer
	err := call("dump_plugin", func() error { return d.DumpPlugin(&buf) })
	return buf.String(), err
}

// Export is one entry of an export list.
type Export struct {
	Name, Description string
	Default           bool // added with Exports.UseDefault
}

// ListExports returns the plugin's export list.  A plugin without
// ListExports lists only the default export.
func (s *Server) ListExports(readonly, isTLS bool) ([]Export, error) {
	var list []Export
	e := hook.NewExports(func(name, desc string) error {
		list = append(list, Export{Name: name, Description: desc})
		return nil
	}, func() error {
		list = append(list, Export{Default: true})
		return nil
	}).(*nbdkit.Exports)
	l, ok := s.plugin.(nbdkit.ExportLister)
	if !ok {
		return []Export{{Default: true}}, nil
	}
	err := call("list_exports", func() error { return l.ListExports(readonly, isTLS, e) })
	return list, err
}

// DefaultExport returns the name of the default export ("" if the
// plugin has no DefaultExport method).
func (s *Server) DefaultExport(readonly, isTLS bool) (name string, err error) {
	d, ok := s.plugin.(nbdkit.DefaultExporter)
	if !ok {
		return "", nil
	}
	err = call("default_export", func() (err error) { name, err = d.DefaultExport(readonly, isTLS); return err })
	return name, err
}

// Open connects a client: PreConnect, Open, then GetSize.  readonly
// is what nbdkit passes for -r or a read-only client.
func (s *Server) Open(readonly bool) (*Conn, error) {
	if s.closed {
		return nil, errors.New("nbdkittest: Open on a closed Server")
	}
	if p, ok := s.plugin.(nbdkit.PreConnecter); ok {
		if err := call("preconnect", func() error { return p.PreConnect(readonly) }); err != nil {
			return nil, err
		}
	}
	var c nbdkit.Connection
	err := call("open", func() (err error) { c, err = s.plugin.Open(readonly); return err })
	if err != nil {
		return nil, err
	}
	if c == nil {
		return nil, errors.New("Open returned a nil Connection and no error")
	}
	conn := &Conn{Connection: c, methods: nbdkit.Methods(hook.Methods(c))}
	err = call("get_size", func() (err error) { conn.size, err = c.GetSize(); return err })
	if err == nil && conn.size < 0 {
		err = fmt.Errorf("GetSize returned a negative size %d", conn.size)
	}
	if err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
}

// Conn is a client connection.
type Conn struct {
	// Connection is what the plugin's Open returned.
	Connection nbdkit.Connection
	methods    nbdkit.Methods
	size       int64
	closed     bool
}

// Methods returns the optional methods the connection implements and
// does not omit: the callbacks nbdkit-golang-plugin.so reports to
// nbdkit as implemented, computed by golib when the connection opened.
func (c *Conn) Methods() nbdkit.Methods { return c.methods }

// Size returns the size GetSize returned when the connection opened.
func (c *Conn) Size() int64 { return c.size }

// Close calls the connection's Close, if it has one.  It does
// nothing the second time.
func (c *Conn) Close() {
	if c.closed {
		return
	}
	c.closed = true
	if cl, ok := c.Connection.(nbdkit.Closer); ok {
		call("close", func() error { cl.Close(); return nil })
	}
}

// request checks a request as nbdkit does before calling the plugin.
func (c *Conn) request(callback string, count uint64, offset uint64) error {
	if c.closed {
		return fmt.Errorf("nbdkittest: %s on a closed connection", callback)
	}
	if offset > uint64(c.size) || count > uint64(c.size)-offset {
		return fmt.Errorf("nbdkittest: %s of %d bytes at offset %d is beyond the end of the disk (%d bytes): nbdkit never calls the plugin with it: %w",
			callback, count, offset, c.size, syscall.EINVAL)
	}
	return nil
}

// do makes a request: it fails with EOPNOTSUPP if the connection
// lacks or omits the method (bit), and is refused if it is beyond the
// end, as nbdkit does; otherwise it calls f.
func (c *Conn) do(callback, method string, bit nbdkit.Methods, count, offset uint64, f func() error) error {
	if bit != 0 && c.methods&bit == 0 {
		return fmt.Errorf("nbdkittest: the connection has no %s method, or omits it: %w", method, syscall.EOPNOTSUPP)
	}
	if err := c.request(callback, count, offset); err != nil {
		return err
	}
	return call(callback, f)
}

// PRead reads len(buf) bytes at offset.
func (c *Conn) PRead(buf []byte, offset uint64, flags nbdkit.Flags) error {
	return c.do("pread", "PRead", 0, uint64(len(buf)), offset,
		func() error { return c.Connection.PRead(buf, offset, flags) })
}

// PWrite writes buf at offset.
func (c *Conn) PWrite(buf []byte, offset uint64, flags nbdkit.Flags) error {
	w, _ := c.Connection.(nbdkit.Writer)
	return c.do("pwrite", "PWrite", nbdkit.MethodPWrite, uint64(len(buf)), offset,
		func() error { return w.PWrite(buf, offset, flags) })
}

// Flush flushes.
func (c *Conn) Flush(flags nbdkit.Flags) error {
	f, _ := c.Connection.(nbdkit.Flusher)
	return c.do("flush", "Flush", nbdkit.MethodFlush, 0, 0, func() error { return f.Flush(flags) })
}

// Trim trims count bytes at offset.
func (c *Conn) Trim(count uint32, offset uint64, flags nbdkit.Flags) error {
	t, _ := c.Connection.(nbdkit.Trimmer)
	return c.do("trim", "Trim", nbdkit.MethodTrim, uint64(count), offset,
		func() error { return t.Trim(count, offset, flags) })
}

// Zero zeroes count bytes at offset.
func (c *Conn) Zero(count uint32, offset uint64, flags nbdkit.Flags) error {
	z, _ := c.Connection.(nbdkit.Zeroer)
	return c.do("zero", "Zero", nbdkit.MethodZero, uint64(count), offset,
		func() error { return z.Zero(count, offset, flags) })
}

// Cache asks the plugin to prefetch count bytes at offset.
func (c *Conn) Cache(count uint32, offset uint64, flags nbdkit.Flags) error {
	x, _ := c.Connection.(nbdkit.Cacher)
	return c.do("cache", "Cache", nbdkit.MethodCache, uint64(count), offset,
		func() error { return x.Cache(count, offset, flags) })
}

// Extent is one extent reported by Extents.
type Extent struct {
	Offset, Length uint64
	Type           nbdkit.ExtentType
}

// Extents returns the extents the plugin reports for count bytes at
// offset, as it added them.
func (c *Conn) Extents(count uint32, offset uint64, flags nbdkit.Flags) ([]Extent, error) {
	x, _ := c.Connection.(nbdkit.Extenter)
	var list []Extent
	e := hook.NewExtents(func(o, l uint64, t uint32) error {
		list = append(list, Extent{o, l, nbdkit.ExtentType(t)})
		return nil
	}).(*nbdkit.Extents)
	err := c.do("extents", "Extents", nbdkit.MethodExtents, uint64(count), offset,
		func() error { return x.Extents(count, offset, flags, e) })
	return list, err
}

// Errno returns the errno a client gets for err: the syscall.Errno
// in its chain, or EIO.  It is golib's own rule, so a test can check
// what a client would see.
func Errno(err error) syscall.Errno {
	if err == nil {
		return 0
	}
	return hook.Errno(err)
}
