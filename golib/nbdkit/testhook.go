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

// What package nbdkittest needs of this package's internals (see
// package internal/hook).

import (
	"syscall"

	"github.com/nbdkit-golang/golib/nbdkit/internal/hook"
)

func init() {
	hook.Registered = func() (string, interface{}, error) {
		p, err := registeredPlugin()
		return registered.name, p, err
	}
	hook.NewExtents = func(add func(offset, length uint64, t uint32) error) interface{} {
		return &Extents{sink: funcExtents(add)}
	}
	hook.NewExports = func(add func(name, description string) error, useDefault func() error) interface{} {
		return &Exports{sink: funcExports{add, useDefault}}
	}
	hook.Errno = func(err error) syscall.Errno {
		errno, _, _ := errorToC(err)
		return errno
	}
	hook.PanicError = panicError
	hook.Methods = func(c interface{}) uint32 { return uint32(connMethods(c.(Connection))) }
}

// funcExtents sends extents to a function.
type funcExtents func(offset, length uint64, t uint32) error

func (f funcExtents) addExtent(offset, length uint64, t ExtentType) error {
	return f(offset, length, uint32(t))
}

// funcExports sends exports to functions.
type funcExports struct {
	add        func(name, description string) error
	useDefault func() error
}

func (f funcExports) addExport(name, description string) error { return f.add(name, description) }
func (f funcExports) useDefaultExport() error                  { return f.useDefault() }
