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

// This file holds every nbdkitgo_* export of the ABI
// (nbdkitgo-abi.h).  Each one is a thin shell: it recovers panics,
// converts C values, calls the plain Go code in dispatch.go and turns
// the resulting error into struct nbdkitgo_error.  abi_check.c checks
// every signature against the header.

/*
#include <stdlib.h>
#include "nbdkitgo-abi.h"

// cgo never writes "const" into _cgo_export.h, except through a
// typedef: these make the exports' parameters exactly the header's.
typedef const char nbdkitgo_cchar;
typedef const struct nbdkitgo_host nbdkitgo_chost;
*/
import "C"

import (
	"bytes"
	"fmt"
	"runtime"
	"sync"
	"unsafe"
)

// errnoMax is the ABI's NBDKITGO_ERRNO_MAX: an errno outside 1 to
// errnoMax reaches the client as EIO (the loader applies the same rule
// to whatever a library sets).
const errnoMax = C.NBDKITGO_ERRNO_MAX

// setError stores err in the C error struct and returns -1, or returns
// 0 if err is nil.  The message is malloc'd; the loader frees it.
func setError(cerr *C.struct_nbdkitgo_error, err error) C.int {
	if err == nil {
		return 0
	}
	errno, msg, report := errorToC(err)
	if cerr != nil {
		cerr.errnum = C.int(errno)
		if report {
			cerr.msg = C.CString(msg)
		}
	}
	return -1
}

// catch must be deferred directly by each export returning int: it
// turns a panic into -1 and EIO with the panic's message and stack.
func catch(cerr *C.struct_nbdkitgo_error, callback string, ret *C.int) {
	if v := recover(); v != nil {
		*ret = setError(cerr, panicError(callback, v))
	}
}

// catch64 is catch for exports returning int64_t.
func catch64(cerr *C.struct_nbdkitgo_error, callback string, ret *C.int64_t) {
	if v := recover(); v != nil {
		*ret = C.int64_t(setError(cerr, panicError(callback, v)))
	}
}

// catchString is catch for exports returning a string (NULL on error).
func catchString(cerr *C.struct_nbdkitgo_error, callback string, ret **C.char) {
	if v := recover(); v != nil {
		setError(cerr, panicError(callback, v))
		*ret = nil
	}
}

// catchVoid is catch for exports that cannot fail: the panic is only
// logged.
func catchVoid(callback string) {
	if v := recover(); v != nil {
		Errorf("%v", panicError(callback, v))
	}
}

// boolResult converts the result of a can_* function.
func boolResult(cerr *C.struct_nbdkitgo_error, b bool, err error) C.int {
	if err != nil {
		return setError(cerr, err)
	}
	if b {
		return 1
	}
	return 0
}

// conn returns the connection of a handle made by nbdkitgo_open.
func conn(h C.uintptr_t) Connection { return connOf(uintptr(h)) }

// info holds the strings given to the loader in struct nbdkitgo_info:
// allocated once, never freed (the library is never unloaded).
var info struct {
	once                                                      sync.Once
	runtime, name, longname, version, description, configHelp *C.char
}

// cstringOrNil returns a C copy of s, or NULL for "".
func cstringOrNil(s string) *C.char {
	if s == "" {
		return nil
	}
	return C.CString(s)
}

// implementedBits returns info->implemented for p: the plugin-level
// callbacks p implements, and the connection callbacks every
// connection has.  Each connection's own are set in nbdkitgo_open
// (see the comment at the top of dispatch.go).
func implementedBits(p Plugin) C.uint64_t {
	f := pluginFeatures(p)
	var bits C.uint64_t
	set := func(has bool, cb C.int) {
		if has {
			bits |= 1 << cb
		}
	}
	set(f.load, C.NBDKITGO_CB_LOAD)
	set(f.unload, C.NBDKITGO_CB_UNLOAD)
	set(f.config, C.NBDKITGO_CB_CONFIG)
	set(f.configComplete, C.NBDKITGO_CB_CONFIG_COMPLETE)
	set(f.threadModel, C.NBDKITGO_CB_THREAD_MODEL)
	set(f.getReady, C.NBDKITGO_CB_GET_READY)
	set(f.afterFork, C.NBDKITGO_CB_AFTER_FORK)
	set(f.cleanup, C.NBDKITGO_CB_CLEANUP)
	set(f.dumpPlugin, C.NBDKITGO_CB_DUMP_PLUGIN)
	set(f.preconnect, C.NBDKITGO_CB_PRECONNECT)
	set(f.listExports, C.NBDKITGO_CB_LIST_EXPORTS)
	set(f.defaultExport, C.NBDKITGO_CB_DEFAULT_EXPORT)
	// close always: it releases the connection's handle.
	set(true, C.NBDKITGO_CB_OPEN)
	set(true, C.NBDKITGO_CB_CLOSE)
	set(true, C.NBDKITGO_CB_GET_SIZE)
	set(true, C.NBDKITGO_CB_PREAD)
	return bits
}

// methodCallbacks maps each optional Connection method to the bit of
// its callback.
var methodCallbacks = [...]struct {
	m  Methods
	cb C.int
}{
	{MethodExportDescription, C.NBDKITGO_CB_EXPORT_DESCRIPTION},
	{MethodBlockSize, C.NBDKITGO_CB_BLOCK_SIZE},
	{MethodPWrite, C.NBDKITGO_CB_PWRITE},
	{MethodFlush, C.NBDKITGO_CB_FLUSH},
	{MethodTrim, C.NBDKITGO_CB_TRIM},
	{MethodZero, C.NBDKITGO_CB_ZERO},
	{MethodExtents, C.NBDKITGO_CB_EXTENTS},
	{MethodCache, C.NBDKITGO_CB_CACHE},
	{MethodCanWrite, C.NBDKITGO_CB_CAN_WRITE},
	{MethodCanFlush, C.NBDKITGO_CB_CAN_FLUSH},
	{MethodIsRotational, C.NBDKITGO_CB_IS_ROTATIONAL},
	{MethodCanTrim, C.NBDKITGO_CB_CAN_TRIM},
	{MethodCanZero, C.NBDKITGO_CB_CAN_ZERO},
	{MethodCanFastZero, C.NBDKITGO_CB_CAN_FAST_ZERO},
	{MethodCanFUA, C.NBDKITGO_CB_CAN_FUA},
	{MethodCanMultiConn, C.NBDKITGO_CB_CAN_MULTI_CONN},
	{MethodCanExtents, C.NBDKITGO_CB_CAN_EXTENTS},
	{MethodCanCache, C.NBDKITGO_CB_CAN_CACHE},
}

// connectionBits returns open's implemented for a connection with
// methods m: bits as the loader passed them (info->implemented), with
// the optional connection callbacks set exactly for m.
func connectionBits(bits C.uint64_t, m Methods) C.uint64_t {
	for _, mc := range methodCallbacks {
		if m&mc.m != 0 {
			bits |= 1 << mc.cb
		} else {
			bits &^= 1 << mc.cb
		}
	}
	return bits
}

// fits says whether the loader's struct nbdkitgo_info (of size size)
// has a field at offset off of size n.
func fits(size C.uint64_t, off, n uintptr) bool {
	return uint64(size) >= uint64(off+n)
}

//export nbdkitgo_init
func nbdkitgo_init(abiVersion C.uint32_t, host *C.nbdkitgo_chost, ci *C.struct_nbdkitgo_info, cerr *C.struct_nbdkitgo_error) (ret C.int) {
	defer catch(cerr, "init", &ret)
	if ci == nil || !fits(ci.size, unsafe.Offsetof(ci.abi_version), unsafe.Sizeof(ci.abi_version)) {
		return setError(cerr, fmt.Errorf("golib: the loader passed no usable struct nbdkitgo_info"))
	}
	ci.abi_version = C.NBDKITGO_ABI_VERSION
	if abiVersion != C.NBDKITGO_ABI_VERSION {
		return setError(cerr, fmt.Errorf("ABI version mismatch: the loader (nbdkit-golang-plugin.so) speaks nbdkit-golang ABI version %d, but this library was built with golib for ABI version %d; rebuild the library against a golib that matches the loader, or install the matching loader", abiVersion, C.NBDKITGO_ABI_VERSION))
	}
	if host == nil {
		return setError(cerr, fmt.Errorf("golib: the loader passed no host table"))
	}
	if err := setHost((*C.struct_nbdkitgo_host)(unsafe.Pointer(host))); err != nil {
		return setError(cerr, err)
	}
	p, err := registeredPlugin()
	if err != nil {
		return setError(cerr, err)
	}
	info.once.Do(func() {
		info.runtime = C.CString(runtime.Version())
		info.name = cstringOrNil(registered.name)
		if i, ok := p.(Informer); ok {
			in := i.Info()
			info.longname = cstringOrNil(in.Longname)
			info.version = cstringOrNil(in.Version)
			info.description = cstringOrNil(in.Description)
			info.configHelp = cstringOrNil(in.ConfigHelp)
		}
	})
	if fits(ci.size, unsafe.Offsetof(ci.implemented), unsafe.Sizeof(ci.implemented)) {
		ci.implemented = implementedBits(p)
	}
	set := func(field **C.char, off uintptr, v *C.char) {
		if fits(ci.size, off, unsafe.Sizeof(v)) {
			*field = v
		}
	}
	set(&ci.runtime_version, unsafe.Offsetof(ci.runtime_version), info.runtime)
	set(&ci.name, unsafe.Offsetof(ci.name), info.name)
	set(&ci.longname, unsafe.Offsetof(ci.longname), info.longname)
	set(&ci.version, unsafe.Offsetof(ci.version), info.version)
	set(&ci.description, unsafe.Offsetof(ci.description), info.description)
	set(&ci.config_help, unsafe.Offsetof(ci.config_help), info.configHelp)
	return 0
}

// nbdkitgo_threads is the optional export the loader calls when a new
// nbdkit thread calls in (procs.go).
//
//export nbdkitgo_threads
func nbdkitgo_threads(live C.uint32_t) {
	defer catchVoid("threads")
	threadsChanged(int(live))
}

//export nbdkitgo_load
func nbdkitgo_load(cerr *C.struct_nbdkitgo_error) (ret C.int) {
	defer catch(cerr, "load", &ret)
	if l, ok := registered.plugin.(Loader); ok {
		return setError(cerr, l.Load())
	}
	return 0
}

//export nbdkitgo_unload
func nbdkitgo_unload() {
	defer catchVoid("unload")
	if u, ok := registered.plugin.(Unloader); ok {
		u.Unload()
	}
}

//export nbdkitgo_config
func nbdkitgo_config(key, value *C.nbdkitgo_cchar, cerr *C.struct_nbdkitgo_error) (ret C.int) {
	defer catch(cerr, "config", &ret)
	k := C.GoString((*C.char)(unsafe.Pointer(key)))
	v := C.GoString((*C.char)(unsafe.Pointer(value)))
	if c, ok := registered.plugin.(Configurer); ok {
		return setError(cerr, c.Config(k, v))
	}
	return setError(cerr, fmt.Errorf("unknown parameter '%s': this plugin takes no parameters", k))
}

//export nbdkitgo_config_complete
func nbdkitgo_config_complete(cerr *C.struct_nbdkitgo_error) (ret C.int) {
	defer catch(cerr, "config_complete", &ret)
	if c, ok := registered.plugin.(ConfigCompleter); ok {
		return setError(cerr, c.ConfigComplete())
	}
	return 0
}

//export nbdkitgo_thread_model
func nbdkitgo_thread_model(cerr *C.struct_nbdkitgo_error) (ret C.int) {
	defer catch(cerr, "thread_model", &ret)
	if t, ok := registered.plugin.(ThreadModeler); ok {
		return C.int(t.ThreadModel())
	}
	return setError(cerr, notImplemented(registered.plugin, "ThreadModel"))
}

//export nbdkitgo_get_ready
func nbdkitgo_get_ready(cerr *C.struct_nbdkitgo_error) (ret C.int) {
	defer catch(cerr, "get_ready", &ret)
	if g, ok := registered.plugin.(GetReadier); ok {
		return setError(cerr, g.GetReady())
	}
	return 0
}

//export nbdkitgo_after_fork
func nbdkitgo_after_fork(cerr *C.struct_nbdkitgo_error) (ret C.int) {
	defer catch(cerr, "after_fork", &ret)
	if a, ok := registered.plugin.(AfterForker); ok {
		return setError(cerr, a.AfterFork())
	}
	return 0
}

//export nbdkitgo_cleanup
func nbdkitgo_cleanup() {
	defer catchVoid("cleanup")
	if c, ok := registered.plugin.(Cleaner); ok {
		c.Cleanup()
	}
}

//export nbdkitgo_dump_plugin
func nbdkitgo_dump_plugin(cerr *C.struct_nbdkitgo_error) (ret *C.char) {
	defer catchString(cerr, "dump_plugin", &ret)
	var buf bytes.Buffer
	if d, ok := registered.plugin.(Dumper); ok {
		if err := d.DumpPlugin(&buf); err != nil {
			setError(cerr, err)
			return nil
		}
	}
	return C.CString(buf.String())
}

//export nbdkitgo_preconnect
func nbdkitgo_preconnect(readonly C.int, cerr *C.struct_nbdkitgo_error) (ret C.int) {
	defer catch(cerr, "preconnect", &ret)
	if p, ok := registered.plugin.(PreConnecter); ok {
		return setError(cerr, p.PreConnect(readonly != 0))
	}
	return 0
}

//export nbdkitgo_list_exports
func nbdkitgo_list_exports(readonly, isTLS C.int, exports unsafe.Pointer, cerr *C.struct_nbdkitgo_error) (ret C.int) {
	defer catch(cerr, "list_exports", &ret)
	e := &Exports{sink: hostExports{exports}}
	if l, ok := registered.plugin.(ExportLister); ok {
		return setError(cerr, l.ListExports(readonly != 0, isTLS != 0, e))
	}
	return setError(cerr, e.UseDefault())
}

//export nbdkitgo_default_export
func nbdkitgo_default_export(readonly, isTLS C.int, cerr *C.struct_nbdkitgo_error) (ret *C.char) {
	defer catchString(cerr, "default_export", &ret)
	name := ""
	if d, ok := registered.plugin.(DefaultExporter); ok {
		var err error
		if name, err = d.DefaultExport(readonly != 0, isTLS != 0); err != nil {
			setError(cerr, err)
			return nil
		}
	}
	return C.CString(name)
}

//export nbdkitgo_open
func nbdkitgo_open(readonly C.int, handle *C.uintptr_t, implemented *C.uint64_t, cerr *C.struct_nbdkitgo_error) (ret C.int) {
	defer catch(cerr, "open", &ret)
	c, err := openConnection(registered.plugin, readonly != 0)
	if err != nil {
		return setError(cerr, err)
	}
	// The connection is open: if Omit panics, close it before the
	// panic fails the open (the loader never calls close then).
	h := newHandle(c)
	done := false
	defer func() {
		if !done {
			closeHandle(h)
		}
	}()
	bits := connectionBits(*implemented, connMethods(c))
	done = true
	*handle = C.uintptr_t(h)
	*implemented = bits
	return 0
}

//export nbdkitgo_close
func nbdkitgo_close(h C.uintptr_t) {
	defer catchVoid("close")
	closeHandle(uintptr(h))
}

//export nbdkitgo_export_description
func nbdkitgo_export_description(h C.uintptr_t, cerr *C.struct_nbdkitgo_error) (ret *C.char) {
	defer catchString(cerr, "export_description", &ret)
	desc, err := exportDescription(conn(h))
	if err != nil {
		setError(cerr, err)
		return nil
	}
	return C.CString(desc)
}

//export nbdkitgo_get_size
func nbdkitgo_get_size(h C.uintptr_t, cerr *C.struct_nbdkitgo_error) (ret C.int64_t) {
	defer catch64(cerr, "get_size", &ret)
	size, err := conn(h).GetSize()
	if err != nil {
		return C.int64_t(setError(cerr, err))
	}
	if size < 0 {
		return C.int64_t(setError(cerr, fmt.Errorf("GetSize returned a negative size %d", size)))
	}
	return C.int64_t(size)
}

//export nbdkitgo_block_size
func nbdkitgo_block_size(h C.uintptr_t, minimum, preferred, maximum *C.uint32_t, cerr *C.struct_nbdkitgo_error) (ret C.int) {
	defer catch(cerr, "block_size", &ret)
	mn, pr, mx, err := blockSize(conn(h))
	if err != nil {
		return setError(cerr, err)
	}
	*minimum, *preferred, *maximum = C.uint32_t(mn), C.uint32_t(pr), C.uint32_t(mx)
	return 0
}

//export nbdkitgo_can_write
func nbdkitgo_can_write(h C.uintptr_t, cerr *C.struct_nbdkitgo_error) (ret C.int) {
	defer catch(cerr, "can_write", &ret)
	b, err := method(conn(h), "CanWrite", CanWriter.CanWrite)
	return boolResult(cerr, b, err)
}

//export nbdkitgo_can_flush
func nbdkitgo_can_flush(h C.uintptr_t, cerr *C.struct_nbdkitgo_error) (ret C.int) {
	defer catch(cerr, "can_flush", &ret)
	b, err := method(conn(h), "CanFlush", CanFlusher.CanFlush)
	return boolResult(cerr, b, err)
}

//export nbdkitgo_is_rotational
func nbdkitgo_is_rotational(h C.uintptr_t, cerr *C.struct_nbdkitgo_error) (ret C.int) {
	defer catch(cerr, "is_rotational", &ret)
	b, err := method(conn(h), "IsRotational", Rotationaler.IsRotational)
	return boolResult(cerr, b, err)
}

//export nbdkitgo_can_trim
func nbdkitgo_can_trim(h C.uintptr_t, cerr *C.struct_nbdkitgo_error) (ret C.int) {
	defer catch(cerr, "can_trim", &ret)
	b, err := method(conn(h), "CanTrim", CanTrimmer.CanTrim)
	return boolResult(cerr, b, err)
}

//export nbdkitgo_can_zero
func nbdkitgo_can_zero(h C.uintptr_t, cerr *C.struct_nbdkitgo_error) (ret C.int) {
	defer catch(cerr, "can_zero", &ret)
	b, err := method(conn(h), "CanZero", CanZeroer.CanZero)
	return boolResult(cerr, b, err)
}

//export nbdkitgo_can_fast_zero
func nbdkitgo_can_fast_zero(h C.uintptr_t, cerr *C.struct_nbdkitgo_error) (ret C.int) {
	defer catch(cerr, "can_fast_zero", &ret)
	b, err := method(conn(h), "CanFastZero", CanFastZeroer.CanFastZero)
	return boolResult(cerr, b, err)
}

//export nbdkitgo_can_fua
func nbdkitgo_can_fua(h C.uintptr_t, cerr *C.struct_nbdkitgo_error) (ret C.int) {
	defer catch(cerr, "can_fua", &ret)
	m, err := method(conn(h), "CanFUA", CanFUAer.CanFUA)
	if err != nil {
		return setError(cerr, err)
	}
	return C.int(m)
}

//export nbdkitgo_can_multi_conn
func nbdkitgo_can_multi_conn(h C.uintptr_t, cerr *C.struct_nbdkitgo_error) (ret C.int) {
	defer catch(cerr, "can_multi_conn", &ret)
	b, err := method(conn(h), "CanMultiConn", CanMultiConner.CanMultiConn)
	return boolResult(cerr, b, err)
}

//export nbdkitgo_can_extents
func nbdkitgo_can_extents(h C.uintptr_t, cerr *C.struct_nbdkitgo_error) (ret C.int) {
	defer catch(cerr, "can_extents", &ret)
	b, err := method(conn(h), "CanExtents", CanExtenter.CanExtents)
	return boolResult(cerr, b, err)
}

//export nbdkitgo_can_cache
func nbdkitgo_can_cache(h C.uintptr_t, cerr *C.struct_nbdkitgo_error) (ret C.int) {
	defer catch(cerr, "can_cache", &ret)
	m, err := method(conn(h), "CanCache", CanCacher.CanCache)
	if err != nil {
		return setError(cerr, err)
	}
	return C.int(m)
}

//export nbdkitgo_pread
func nbdkitgo_pread(h C.uintptr_t, buf unsafe.Pointer, count C.uint32_t, offset C.uint64_t, flags C.uint32_t, cerr *C.struct_nbdkitgo_error) (ret C.int) {
	defer catch(cerr, "pread", &ret)
	b := unsafe.Slice((*byte)(buf), int(count))
	return setError(cerr, conn(h).PRead(b, uint64(offset), Flags(flags)))
}

//export nbdkitgo_pwrite
func nbdkitgo_pwrite(h C.uintptr_t, buf unsafe.Pointer, count C.uint32_t, offset C.uint64_t, flags C.uint32_t, cerr *C.struct_nbdkitgo_error) (ret C.int) {
	defer catch(cerr, "pwrite", &ret)
	b := unsafe.Slice((*byte)(buf), int(count))
	return setError(cerr, pwrite(conn(h), b, uint64(offset), Flags(flags)))
}

//export nbdkitgo_flush
func nbdkitgo_flush(h C.uintptr_t, flags C.uint32_t, cerr *C.struct_nbdkitgo_error) (ret C.int) {
	defer catch(cerr, "flush", &ret)
	return setError(cerr, flush(conn(h), Flags(flags)))
}

//export nbdkitgo_trim
func nbdkitgo_trim(h C.uintptr_t, count C.uint32_t, offset C.uint64_t, flags C.uint32_t, cerr *C.struct_nbdkitgo_error) (ret C.int) {
	defer catch(cerr, "trim", &ret)
	return setError(cerr, trim(conn(h), uint32(count), uint64(offset), Flags(flags)))
}

//export nbdkitgo_zero
func nbdkitgo_zero(h C.uintptr_t, count C.uint32_t, offset C.uint64_t, flags C.uint32_t, cerr *C.struct_nbdkitgo_error) (ret C.int) {
	defer catch(cerr, "zero", &ret)
	return setError(cerr, zero(conn(h), uint32(count), uint64(offset), Flags(flags)))
}

//export nbdkitgo_extents
func nbdkitgo_extents(h C.uintptr_t, count C.uint32_t, offset C.uint64_t, flags C.uint32_t, extents unsafe.Pointer, cerr *C.struct_nbdkitgo_error) (ret C.int) {
	defer catch(cerr, "extents", &ret)
	e := &Extents{sink: hostExtents{extents}}
	return setError(cerr, extentsCall(conn(h), uint32(count), uint64(offset), Flags(flags), e))
}

//export nbdkitgo_cache
func nbdkitgo_cache(h C.uintptr_t, count C.uint32_t, offset C.uint64_t, flags C.uint32_t, cerr *C.struct_nbdkitgo_error) (ret C.int) {
	defer catch(cerr, "cache", &ret)
	return setError(cerr, cache(conn(h), uint32(count), uint64(offset), Flags(flags)))
}
