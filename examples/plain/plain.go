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

// Command plain is an nbdkit-golang plugin written against the C ABI
// (nbdkitgo-abi.h) directly, without golib: a RAM disk whose size is
// set with size=.  It shows what golib does for you, and that any
// library exporting the nbdkitgo_* functions can be served.
//
// Build and run:
//
//	go build -buildmode=c-shared -o libplain.so .
//	nbdkit golang ./libplain.so size=64M
package main

/*
#cgo CFLAGS: -I${SRCDIR}/../../golib/nbdkit
#include <errno.h>
#include <stdlib.h>
#include "nbdkitgo-abi.h"

// Go cannot call C function pointers: these helpers call the host table.
static inline int64_t
call_parse_size (const struct nbdkitgo_host *h, const char *s)
{
  return h->parse_size (s);
}
static inline void
call_debug (const struct nbdkitgo_host *h, const char *msg)
{
  h->debug (msg);
}
*/
import "C"

import (
	"fmt"
	"runtime"
	"sync"
	"unsafe"
)

var (
	host *C.struct_nbdkitgo_host
	size int64 = 1024 * 1024

	lock sync.RWMutex
	disk []byte
)

// Strings in the info struct must live for the life of the process.
var (
	runtimeVersion = C.CString(runtime.Version())
	pluginName     = C.CString("plain")
	pluginVersion  = C.CString("1.0")
	pluginDesc     = C.CString("A RAM disk written against the C ABI, without golib.")
)

// fail fills in the error out-parameter; the loader frees msg.
func fail(err *C.struct_nbdkitgo_error, errnum C.int, format string, args ...interface{}) C.int {
	err.errnum = errnum
	err.msg = C.CString(fmt.Sprintf(format, args...))
	return -1
}

// debug logs through nbdkit_debug (visible with nbdkit -v).
func debug(format string, args ...interface{}) {
	msg := C.CString(fmt.Sprintf(format, args...))
	defer C.free(unsafe.Pointer(msg))
	C.call_debug(host, msg)
}

//export nbdkitgo_init
func nbdkitgo_init(abiVersion C.uint32_t, h *C.struct_nbdkitgo_host, info *C.struct_nbdkitgo_info, err *C.struct_nbdkitgo_error) C.int {
	info.abi_version = C.NBDKITGO_ABI_VERSION
	if abiVersion != C.NBDKITGO_ABI_VERSION {
		return fail(err, C.EINVAL, "plain: built for ABI version %d, loader speaks %d",
			C.NBDKITGO_ABI_VERSION, abiVersion)
	}
	host = h
	info.runtime_version = runtimeVersion
	info.name = pluginName
	info.version = pluginVersion
	info.description = pluginDesc
	return 0
}

//export nbdkitgo_config
func nbdkitgo_config(key, value *C.char, err *C.struct_nbdkitgo_error) C.int {
	switch C.GoString(key) {
	case "size":
		size = int64(C.call_parse_size(host, value))
		if size == -1 {
			return -1 // parse_size reported the error
		}
		return 0
	default:
		return fail(err, C.EINVAL, "plain: unknown parameter '%s'", C.GoString(key))
	}
}

//export nbdkitgo_thread_model
func nbdkitgo_thread_model(err *C.struct_nbdkitgo_error) C.int {
	return C.NBDKITGO_THREAD_MODEL_PARALLEL
}

//export nbdkitgo_get_ready
func nbdkitgo_get_ready(err *C.struct_nbdkitgo_error) C.int {
	// Go's make maps fresh zero pages, so the check process's copy
	// costs nothing until it is written.
	disk = make([]byte, size)
	debug("plain: %d byte disk ready (phase %d)", size, host.phase)
	return 0
}

//export nbdkitgo_open
func nbdkitgo_open(readonly C.int, handle *C.uintptr_t, implemented *C.uint64_t, err *C.struct_nbdkitgo_error) C.int {
	*handle = 1 // one disk shared by every connection; 0 is never valid
	// *implemented says which callbacks this connection has; the
	// loader set it to every export, which is what this disk has.
	return 0
}

//export nbdkitgo_get_size
func nbdkitgo_get_size(h C.uintptr_t, err *C.struct_nbdkitgo_error) C.int64_t {
	return C.int64_t(len(disk))
}

//export nbdkitgo_pread
func nbdkitgo_pread(h C.uintptr_t, buf unsafe.Pointer, count C.uint32_t, offset C.uint64_t, flags C.uint32_t, err *C.struct_nbdkitgo_error) C.int {
	b := unsafe.Slice((*byte)(buf), int(count))
	lock.RLock()
	copy(b, disk[offset:])
	lock.RUnlock()
	return 0
}

//export nbdkitgo_pwrite
func nbdkitgo_pwrite(h C.uintptr_t, buf unsafe.Pointer, count C.uint32_t, offset C.uint64_t, flags C.uint32_t, err *C.struct_nbdkitgo_error) C.int {
	b := unsafe.Slice((*byte)(buf), int(count))
	lock.Lock()
	copy(disk[offset:], b)
	lock.Unlock()
	return 0
}

func main() {}
