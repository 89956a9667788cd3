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

// Package hook lets package nbdkittest reach what package nbdkit
// keeps unexported, without making it part of nbdkit's API.  Package
// nbdkit sets every variable in its init function.  Values are typed
// interface{} where the type is nbdkit's, since this package cannot
// import nbdkit.
package hook

import "syscall"

var (
	// Registered returns the name and the nbdkit.Plugin passed to
	// nbdkit.Register, or the error the loader would report.
	Registered func() (name string, plugin interface{}, err error)

	// NewExtents returns an *nbdkit.Extents that sends each extent
	// to add.
	NewExtents func(add func(offset, length uint64, t uint32) error) interface{}

	// NewExports returns an *nbdkit.Exports that sends each export
	// to add, and the default export to useDefault.
	NewExports func(add func(name, description string) error, useDefault func() error) interface{}

	// Errno returns the errno a client gets for a callback's error.
	Errno func(err error) syscall.Errno

	// Methods returns the nbdkit.Methods that an nbdkit.Connection
	// implements and does not omit: the callbacks the loader calls.
	Methods func(conn interface{}) uint32

	// PanicError returns the error a callback that panicked with v
	// fails with; it must be called from the deferred function that
	// recovered.
	PanicError func(callback string, v interface{}) error
)
