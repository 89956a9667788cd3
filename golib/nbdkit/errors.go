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
	"fmt"
	"runtime/debug"
	"syscall"
)

// reportedError is an error that nbdkit has already reported with
// nbdkit_error (host functions such as nbdkit_parse_size do so
// themselves).  At the C boundary it sends its errno to the client but
// no second message.
type reportedError struct {
	what  string
	errno syscall.Errno
}

// Error says which host function failed; nbdkit has logged why.
func (e *reportedError) Error() string {
	return e.what + ": failed (nbdkit reported the reason)"
}

// Unwrap returns the errno, so that errors.Is(err, syscall.EINVAL)
// and errors.As work on errors returned by the helpers.
func (e *reportedError) Unwrap() error {
	if e.errno == 0 {
		return nil
	}
	return e.errno
}

// errNoHost is returned by helpers called outside nbdkit (for example
// from go test) or before the loader's handshake.
var errNoHost = errors.New("nbdkit: not running inside nbdkit-golang-plugin.so")

// errorToC splits err into what the C boundary needs: the errno for
// the client (EIO when the chain holds none, or holds something that
// is not a positive errno, such as syscall.Errno(-5)) and the message
// for nbdkit_error, with report false when nbdkit has already reported
// it.
func errorToC(err error) (errno syscall.Errno, msg string, report bool) {
	if !errors.As(err, &errno) || errno == 0 || errno > errnoMax {
		errno = syscall.EIO
	}
	var rep *reportedError
	if errors.As(err, &rep) {
		return errno, "", false
	}
	return errno, err.Error(), true
}

// panicError turns a recovered panic value into the error reported
// for a callback: EIO, with the panic value and the goroutine's stack
// in the message.  It must be called from the deferred function that
// recovered, so that the stack still shows where the panic happened.
func panicError(callback string, v interface{}) error {
	return fmt.Errorf("panic in %s callback: %v [%w]\n%s",
		callback, v, syscall.EIO, debug.Stack())
}
