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
// callbacks a plugin implements, and nbdkit's defaults for the ones a
// connection lacks.  It uses no cgo, so go test covers it without a
// host.
//
// The rule for the capability bits (info->implemented): plugin-level
// callbacks are known at the handshake, because the registered Plugin
// is, so their bits are set if and only if the Plugin implements the
// interface.  Connection-level callbacks are known only when Open
// returns, so their bits are always set and each one applies nbdkit's
// own default (server/plugins.c) when the connection lacks the
// interface: can_write is true if and only if the connection is a
// Writer, can_zero if it is a Zeroer, can_fua is FUAEmulate if it is a
// Flusher, and so on.  The data callbacks of a connection that lacks
// the interface fail with the errno nbdkit would give (zero:
// EOPNOTSUPP, so that nbdkit falls back to pwrite), and nbdkit never
// calls them anyway because the matching can_* says no.

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
	load, unload, config, configComplete, getReady, afterFork   bool
	cleanup, dumpPlugin, preconnect, listExports, defaultExport bool
}

func pluginFeatures(p Plugin) (f features) {
	_, f.load = p.(Loader)
	_, f.unload = p.(Unloader)
	_, f.config = p.(Configurer)
	_, f.configComplete = p.(ConfigCompleter)
	_, f.getReady = p.(GetReadier)
	_, f.afterFork = p.(AfterForker)
	_, f.cleanup = p.(Cleaner)
	_, f.dumpPlugin = p.(Dumper)
	_, f.preconnect = p.(PreConnecter)
	_, f.listExports = p.(ExportLister)
	_, f.defaultExport = p.(DefaultExporter)
	return f
}

// threadModel returns the plugin's thread model, by default
// ThreadModelSerializeAllRequests.
func threadModel(p Plugin) (ThreadModel, error) {
	tm, ok := p.(ThreadModeler)
	if !ok {
		return ThreadModelSerializeAllRequests, nil
	}
	m := tm.ThreadModel()
	if m < ThreadModelSerializeConnections || m > ThreadModelParallel {
		return 0, fmt.Errorf("ThreadModel returned an invalid thread model %d", m)
	}
	return m, nil
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

// exportDescription returns the connection's description; ok is
// false when the connection has none.
func exportDescription(c Connection) (desc string, ok bool, err error) {
	d, has := c.(ExportDescriber)
	if !has {
		return "", false, nil
	}
	desc, err = d.ExportDescription()
	return desc, err == nil, err
}

// blockSize returns the connection's block size constraints; all
// zero (no constraints) when it has none.
func blockSize(c Connection) (minimum, preferred, maximum uint32, err error) {
	if b, ok := c.(BlockSizer); ok {
		return b.BlockSize()
	}
	return 0, 0, 0, nil
}

// canWrite: nbdkit's plugin_can_write.
func canWrite(c Connection) (bool, error) {
	if i, ok := c.(CanWriter); ok {
		return i.CanWrite()
	}
	_, ok := c.(Writer)
	return ok, nil
}

// canFlush: nbdkit's plugin_can_flush.
func canFlush(c Connection) (bool, error) {
	if i, ok := c.(CanFlusher); ok {
		return i.CanFlush()
	}
	_, ok := c.(Flusher)
	return ok, nil
}

// isRotational: nbdkit's plugin_is_rotational.
func isRotational(c Connection) (bool, error) {
	if i, ok := c.(Rotationaler); ok {
		return i.IsRotational()
	}
	return false, nil
}

// canTrim: nbdkit's plugin_can_trim.
func canTrim(c Connection) (bool, error) {
	if i, ok := c.(CanTrimmer); ok {
		return i.CanTrim()
	}
	_, ok := c.(Trimmer)
	return ok, nil
}

// canZero: nbdkit's plugin_can_zero, as a C plugin's .can_zero sees
// it: whether nbdkit should call Zero rather than emulate with PWrite.
func canZero(c Connection) (bool, error) {
	if i, ok := c.(CanZeroer); ok {
		return i.CanZero()
	}
	_, ok := c.(Zeroer)
	return ok, nil
}

// canFastZero: nbdkit's plugin_can_fast_zero.  Without a Zeroer, or
// when Zero is not called, nbdkit can fail a fast zero at once.
func canFastZero(c Connection) (bool, error) {
	if i, ok := c.(CanFastZeroer); ok {
		return i.CanFastZero()
	}
	if _, ok := c.(Zeroer); !ok {
		return true, nil
	}
	z, err := canZero(c)
	return !z, err
}

// canFUA: nbdkit's plugin_can_fua.
func canFUA(c Connection) (FUAMode, error) {
	if i, ok := c.(CanFUAer); ok {
		m, err := i.CanFUA()
		if err == nil && (m < FUANone || m > FUANative) {
			err = fmt.Errorf("CanFUA returned an invalid FUA mode %d", m)
		}
		return m, err
	}
	if _, ok := c.(Flusher); ok {
		return FUAEmulate, nil
	}
	return FUANone, nil
}

// canMultiConn: nbdkit's plugin_can_multi_conn.
func canMultiConn(c Connection) (bool, error) {
	if i, ok := c.(CanMultiConner); ok {
		return i.CanMultiConn()
	}
	return false, nil
}

// canExtents: nbdkit's plugin_can_extents.
func canExtents(c Connection) (bool, error) {
	if i, ok := c.(CanExtenter); ok {
		return i.CanExtents()
	}
	_, ok := c.(Extenter)
	return ok, nil
}

// canCache: nbdkit's plugin_can_cache.
func canCache(c Connection) (CacheMode, error) {
	if i, ok := c.(CanCacher); ok {
		m, err := i.CanCache()
		if err == nil && (m < CacheNone || m > CacheNative) {
			err = fmt.Errorf("CanCache returned an invalid cache mode %d", m)
		}
		return m, err
	}
	if _, ok := c.(Cacher); ok {
		return CacheNative, nil
	}
	return CacheNone, nil
}

// pwrite calls PWrite.  A connection that says it can write but has no
// PWrite fails with EROFS.
func pwrite(c Connection, buf []byte, offset uint64, flags Flags) error {
	if w, ok := c.(Writer); ok {
		return w.PWrite(buf, offset, flags)
	}
	return fmt.Errorf("pwrite: the plugin has no PWrite method: %w", syscall.EROFS)
}

// flush calls Flush; without it, EINVAL.
func flush(c Connection, flags Flags) error {
	if f, ok := c.(Flusher); ok {
		return f.Flush(flags)
	}
	return fmt.Errorf("flush: the plugin has no Flush method: %w", syscall.EINVAL)
}

// trim calls Trim; without it, EINVAL.
func trim(c Connection, count uint32, offset uint64, flags Flags) error {
	if t, ok := c.(Trimmer); ok {
		return t.Trim(count, offset, flags)
	}
	return fmt.Errorf("trim: the plugin has no Trim method: %w", syscall.EINVAL)
}

// zero calls Zero; without it, EOPNOTSUPP, on which nbdkit falls back
// to writing zeroes with pwrite (or fails a fast zero).
func zero(c Connection, count uint32, offset uint64, flags Flags) error {
	if z, ok := c.(Zeroer); ok {
		return z.Zero(count, offset, flags)
	}
	return fmt.Errorf("zero: the plugin has no Zero method: %w", syscall.EOPNOTSUPP)
}

// extentsCall calls Extents; without it, the whole range is data (what
// nbdkit reports for a plugin without extents).
func extentsCall(c Connection, count uint32, offset uint64, flags Flags, e *Extents) error {
	if x, ok := c.(Extenter); ok {
		return x.Extents(count, offset, flags, e)
	}
	return e.Add(offset, uint64(count), 0)
}

// cache calls Cache; without it, a cache request succeeds and does
// nothing (caching is advisory).
func cache(c Connection, count uint32, offset uint64, flags Flags) error {
	if x, ok := c.(Cacher); ok {
		return x.Cache(count, offset, flags)
	}
	return nil
}
