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

// Command gocall is the smallest possible Go implementation of the
// nbdkitgo ABI, written with plain cgo exports and no golib: a RAM
// disk (size=..., default 64M) with the PARALLEL thread model and no
// locks.  callbench calls it directly to measure the bare cost of a
// C -> Go -> C transition with each Go toolchain, and bench/run can
// serve it through the loader ("cgo" variants), so that golib's own
// per-call work (handle lookup, interface dispatch, panic recovery)
// can be told apart from the transition.
//
//	go build -buildmode=c-shared -o libgocall.so .
package main

/*
#cgo CFLAGS: -I${SRCDIR}/../../golib/nbdkit
#include "nbdkitgo-abi.h"
*/
import "C"

import (
	"strconv"
	"strings"
	"unsafe"
)

var (
	size int64 = 64 << 20
	disk []byte
)

//export nbdkitgo_init
func nbdkitgo_init(version C.uint32_t, host *C.struct_nbdkitgo_host, info *C.struct_nbdkitgo_info, err *C.struct_nbdkitgo_error) C.int {
	info.abi_version = C.NBDKITGO_ABI_VERSION
	if version != C.NBDKITGO_ABI_VERSION {
		err.errnum = 22 // EINVAL; the message stays NULL
		return -1
	}
	return 0
}

// parseSize understands what bench/run passes: a number with an
// optional K, M, G or T suffix.
func parseSize(s string) (int64, bool) {
	shift := 0
	if i := strings.IndexAny(s, "KMGTkmgt"); i >= 0 && i == len(s)-1 {
		shift = 10 * (1 + strings.IndexByte("KMGT", strings.ToUpper(s[i:])[0]))
		s = s[:i]
	}
	n, e := strconv.ParseInt(s, 10, 64)
	return n << shift, e == nil && n >= 0
}

//export nbdkitgo_config
func nbdkitgo_config(key, value *C.char, err *C.struct_nbdkitgo_error) C.int {
	if C.GoString(key) == "size" {
		if n, ok := parseSize(C.GoString(value)); ok {
			size = n
			return 0
		}
	}
	err.errnum = 22
	err.msg = C.CString("gocall: bad parameter")
	return -1
}

//export nbdkitgo_thread_model
func nbdkitgo_thread_model(err *C.struct_nbdkitgo_error) C.int {
	return C.NBDKITGO_THREAD_MODEL_PARALLEL
}

//export nbdkitgo_get_ready
func nbdkitgo_get_ready(err *C.struct_nbdkitgo_error) C.int {
	disk = make([]byte, size)
	return 0
}

//export nbdkitgo_open
func nbdkitgo_open(readonly C.int, handle *C.uintptr_t, implemented *C.uint64_t, err *C.struct_nbdkitgo_error) C.int {
	*handle = 1
	return 0
}

//export nbdkitgo_get_size
func nbdkitgo_get_size(h C.uintptr_t, err *C.struct_nbdkitgo_error) C.int64_t {
	return C.int64_t(len(disk))
}

//export nbdkitgo_can_multi_conn
func nbdkitgo_can_multi_conn(h C.uintptr_t, err *C.struct_nbdkitgo_error) C.int {
	return 1
}

//export nbdkitgo_pread
func nbdkitgo_pread(h C.uintptr_t, buf unsafe.Pointer, count C.uint32_t, offset C.uint64_t, flags C.uint32_t, err *C.struct_nbdkitgo_error) C.int {
	copy(unsafe.Slice((*byte)(buf), int(count)), disk[offset:])
	return 0
}

//export nbdkitgo_pwrite
func nbdkitgo_pwrite(h C.uintptr_t, buf unsafe.Pointer, count C.uint32_t, offset C.uint64_t, flags C.uint32_t, err *C.struct_nbdkitgo_error) C.int {
	copy(disk[offset:], unsafe.Slice((*byte)(buf), int(count)))
	return 0
}

//export nbdkitgo_flush
func nbdkitgo_flush(h C.uintptr_t, flags C.uint32_t, err *C.struct_nbdkitgo_error) C.int {
	return 0
}

func main() {}
