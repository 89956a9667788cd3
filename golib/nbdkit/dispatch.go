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

// This file holds the plain Go side of every callback: which
// callbacks a plugin and each of its connections implement.  It uses
// no cgo, so go test covers it without a host.
//
// golib applies none of nbdkit's defaults: it tells the loader which
// callbacks exist and the loader applies nbdkit's rules for the
// missing ones, exactly as for a library that does not export them
// (ABI version 2).  Plugin-level callbacks are known at the handshake,
// because the registered Plugin is: their bits in info->implemented
// are set if and only if the Plugin implements the interface.
// Connection callbacks are known only when Open returns: their bits
// are set in open's out-parameter from the interfaces the connection
// implements (minus what Omitter omits).  The loader never calls a
// callback whose bit is clear; if something does, it fails with
// ENOTSUP.

import (
	"errors"
	"fmt"
	"runtime/cgo"
	"syscall"
)

// registration is what Register recorded.
type registration struct {
	name   string
	plugin Plugin
	err    error // a Register misuse, reported at the handshake
}

var registered registration

// Register registers the plugin.  It must be called exactly once, from
// an init function of the plugin's main package:
//
//	func init() { nbdkit.Register("ramdisk", &ramdisk{}) }
//
// name is the plugin's name (letters, digits and dashes).  Misuse
// (calling Register twice, or with a nil Plugin) is reported when
// nbdkit loads the library.
func Register(name string, p Plugin) {
	switch {
	case registered.err != nil:
	case registered.plugin != nil:
		registered.err = fmt.Errorf("nbdkit.Register called more than once (for %q and %q): a library holds exactly one plugin", registered.name, name)
	case p == nil:
		registered.err = fmt.Errorf("nbdkit.Register(%q) called with a nil Plugin", name)
	default:
		registered.name = name
		registered.plugin = p
	}
}

// registeredPlugin returns the registered plugin, or an error that
// says how to fix the library.
func registeredPlugin() (Plugin, error) {
	if registered.err != nil {
		return nil, registered.err
	}
	if registered.plugin == nil {
		return nil, errors.New("no plugin registered: call nbdkit.Register from an init function")
	}
	return registered.plugin, nil
}

// features says which optional plugin-level interfaces p implements.
type features struct {
	load, unload, config, configComplete, threadModel, getReady bool
	afterFork, cleanup, dumpPlugin, preconnect, listExports     bool
	defaultExport                                               bool
}

func pluginFeatures(p Plugin) (f features) {
	_, f.load = p.(Loader)
	_, f.unload = p.(Unloader)
	_, f.config = p.(Configurer)
	_, f.configComplete = p.(ConfigCompleter)
	_, f.threadModel = p.(ThreadModeler)
	_, f.getReady = p.(GetReadier)
	_, f.afterFork = p.(AfterForker)
	_, f.cleanup = p.(Cleaner)
	_, f.dumpPlugin = p.(Dumper)
	_, f.preconnect = p.(PreConnecter)
	_, f.listExports = p.(ExportLister)
	_, f.defaultExport = p.(DefaultExporter)
	return f
}

// openConnection calls the plugin's Open and checks its result.
func openConnection(p Plugin, readonly bool) (Connection, error) {
	c, err := p.Open(readonly)
	if err != nil {
		return nil, err
	}
	if c == nil {
		return nil, errors.New("Open returned a nil Connection and no error")
	}
	return c, nil
}

// newHandle returns the handle that C keeps for c: a cgo.Handle,
// never 0.  No Go pointer is ever stored in C.
func newHandle(c Connection) uintptr { return uintptr(cgo.NewHandle(c)) }

// connOf returns the connection of a handle made by newHandle.  An
// invalid handle panics (and the callback fails with EIO).
func connOf(h uintptr) Connection { return cgo.Handle(h).Value().(Connection) }

// closeHandle calls Close if the connection has it and deletes the
// handle, even if Close panics.
func closeHandle(h uintptr) {
	ch := cgo.Handle(h)
	defer ch.Delete()
	if cl, ok := ch.Value().(Closer); ok {
		cl.Close()
	}
}

// connMethods returns the optional methods c implements, minus
// those it omits.
func connMethods(c Connection) Methods {
	var m Methods
	has := func(ok bool, bit Methods) {
		if ok {
			m |= bit
		}
	}
	_, ok := c.(ExportDescriber)
	has(ok, MethodExportDescription)
	_, ok = c.(BlockSizer)
	has(ok, MethodBlockSize)
	_, ok = c.(Writer)
	has(ok, MethodPWrite)
	_, ok = c.(Flusher)
	has(ok, MethodFlush)
	_, ok = c.(Trimmer)
	has(ok, MethodTrim)
	_, ok = c.(Zeroer)
	has(ok, MethodZero)
	_, ok = c.(Extenter)
	has(ok, MethodExtents)
	_, ok = c.(Cacher)
	has(ok, MethodCache)
	_, ok = c.(CanWriter)
	has(ok, MethodCanWrite)
	_, ok = c.(CanFlusher)
	has(ok, MethodCanFlush)
	_, ok = c.(Rotationaler)
	has(ok, MethodIsRotational)
	_, ok = c.(CanTrimmer)
	has(ok, MethodCanTrim)
	_, ok = c.(CanZeroer)
	has(ok, MethodCanZero)
	_, ok = c.(CanFastZeroer)
	has(ok, MethodCanFastZero)
	_, ok = c.(CanFUAer)
	has(ok, MethodCanFUA)
	_, ok = c.(CanMultiConner)
	has(ok, MethodCanMultiConn)
	_, ok = c.(CanExtenter)
	has(ok, MethodCanExtents)
	_, ok = c.(CanCacher)
	has(ok, MethodCanCache)
	if o, ok := c.(Omitter); ok {
		m &^= o.Omit()
	}
	return m
}

// notImplemented is the error of a callback whose method v (the
// plugin or a connection) does not have: the loader never calls it,
// because its bit is clear.
func notImplemented(v interface{}, method string) error {
	return fmt.Errorf("golib: %T has no %s method, and its callback was called anyway: %w", v, method, syscall.ENOTSUP)
}

// method calls the method m of interface I on c (a method expression
// such as CanWriter.CanWrite); name is m's name.
func method[I any, R any](c Connection, name string, m func(I) (R, error)) (R, error) {
	if i, ok := c.(I); ok {
		return m(i)
	}
	var zero R
	return zero, notImplemented(c, name)
}

// exportDescription calls ExportDescription.
func exportDescription(c Connection) (string, error) {
	if d, ok := c.(ExportDescriber); ok {
		return d.ExportDescription()
	}
	return "", notImplemented(c, "ExportDescription")
}

// blockSize calls BlockSize.
func blockSize(c Connection) (minimum, preferred, maximum uint32, err error) {
	if b, ok := c.(BlockSizer); ok {
		return b.BlockSize()
	}
	return 0, 0, 0, notImplemented(c, "BlockSize")
}

// pwrite calls PWrite.
func pwrite(c Connection, buf []byte, offset uint64, flags Flags) error {
	if w, ok := c.(Writer); ok {
		return w.PWrite(buf, offset, flags)
	}
	return notImplemented(c, "PWrite")
}

// flush calls Flush.
func flush(c Connection, flags Flags) error {
	if f, ok := c.(Flusher); ok {
		return f.Flush(flags)
	}
	return notImplemented(c, "Flush")
}

// trim calls Trim.
func trim(c Connection, count uint32, offset uint64, flags Flags) error {
	if t, ok := c.(Trimmer); ok {
		return t.Trim(count, offset, flags)
	}
	return notImplemented(c, "Trim")
}

// zero calls Zero.
func zero(c Connection, count uint32, offset uint64, flags Flags) error {
	if z, ok := c.(Zeroer); ok {
		return z.Zero(count, offset, flags)
	}
	return notImplemented(c, "Zero")
}

// extentsCall calls Extents.
func extentsCall(c Connection, count uint32, offset uint64, flags Flags, e *Extents) error {
	if x, ok := c.(Extenter); ok {
		return x.Extents(count, offset, flags, e)
	}
	return notImplemented(c, "Extents")
}

// cache calls Cache.
func cache(c Connection, count uint32, offset uint64, flags Flags) error {
	if x, ok := c.(Cacher); ok {
		return x.Cache(count, offset, flags)
	}
	return notImplemented(c, "Cache")
}
