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
	"os"
	"strings"
	"syscall"
	"testing"
)

func TestErrnoMapping(t *testing.T) {
	_, openErr := os.Open("/nonexistent/file")
	tests := []struct {
		name  string
		err   error
		errno syscall.Errno
	}{
		{"bare errno", syscall.ENOSPC, syscall.ENOSPC},
		{"os.PathError", openErr, syscall.ENOENT},
		{"PathError by hand", &os.PathError{Op: "write", Path: "x", Err: syscall.EPERM}, syscall.EPERM},
		{"wrapped with %w", fmt.Errorf("writing: %w", syscall.EROFS), syscall.EROFS},
		{"wrapped twice", fmt.Errorf("outer: %w", fmt.Errorf("inner: %w", syscall.ESHUTDOWN)), syscall.ESHUTDOWN},
		{"plain error", errors.New("something broke"), syscall.EIO},
		{"%v loses the errno", fmt.Errorf("no wrap: %v", syscall.ENOSPC), syscall.EIO},
		{"errno 0", syscall.Errno(0), syscall.EIO},
		{"errno -5", fmt.Errorf("c library: %w", syscall.Errno(^uintptr(4))), syscall.EIO},
		{"errno 1<<31", syscall.Errno(0x80000000), syscall.EIO},
		{"errno 4096", syscall.Errno(4096), syscall.EIO},
		{"errno 4095", syscall.Errno(4095), syscall.Errno(4095)},
	}
	for _, tt := range tests {
		errno, msg, report := errorToC(tt.err)
		if errno != tt.errno {
			t.Errorf("%s: errno = %v (%d), want %v (%d)", tt.name, errno, errno, tt.errno, tt.errno)
		}
		if !report || msg != tt.err.Error() {
			t.Errorf("%s: msg = %q, report = %v; want %q, true", tt.name, msg, report, tt.err.Error())
		}
	}
}

func TestReportedErrorIsNotReportedTwice(t *testing.T) {
	err := fmt.Errorf("size: %w", failed("parse_size", syscall.EINVAL))
	errno, msg, report := errorToC(err)
	if report || msg != "" {
		t.Errorf("an error nbdkit already reported must have no message: msg %q, report %v", msg, report)
	}
	if errno != syscall.EINVAL {
		t.Errorf("errno = %v, want EINVAL", errno)
	}
	if !errors.Is(err, syscall.EINVAL) {
		t.Errorf("errors.Is(err, EINVAL) = false")
	}
	if !strings.Contains(err.Error(), "parse_size") {
		t.Errorf("Error() = %q, want it to name the host function", err)
	}

	// Without an errno it is EIO, still without a message.
	errno, _, report = errorToC(failed("realpath", nil))
	if errno != syscall.EIO || report {
		t.Errorf("failed without errno: errno %v report %v, want EIO false", errno, report)
	}
}

func TestPanicError(t *testing.T) {
	var err error
	func() {
		defer func() { err = panicError("pread", recover()) }()
		var m map[string]int
		m["boom"] = 1 // a runtime error, not just a panic(string)
	}()
	errno, msg, report := errorToC(err)
	if errno != syscall.EIO || !report {
		t.Fatalf("panic: errno %v report %v, want EIO true", errno, report)
	}
	for _, want := range []string{"panic", "pread", "assignment to entry in nil map", "TestPanicError"} {
		if !strings.Contains(msg, want) {
			t.Errorf("panic message lacks %q:\n%s", want, msg)
		}
	}
}

func TestHelpersOutsideNbdkit(t *testing.T) {
	if _, err := ExportName(); err != errNoHost {
		t.Errorf("ExportName: %v, want errNoHost", err)
	}
	if err := Disconnect(true); err != errNoHost {
		t.Errorf("Disconnect: %v, want errNoHost", err)
	}
	if CurrentPhase() != 0 || !StdioSafe() {
		t.Errorf("CurrentPhase/StdioSafe outside nbdkit should be 0/true")
	}
	Debugf("not printed %d", 1) // must not crash
	Errorf("not printed %d", 1)
	Shutdown()
	var e *Extents
	if err := e.Add(0, 1, 0); err != errNoHost {
		t.Errorf("nil Extents.Add: %v", err)
	}
}

func TestDecodeSockaddr(t *testing.T) {
	in4 := []byte{syscall.AF_INET, 0, 0x27, 0x10, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0}
	a, err := decodeSockaddr(in4)
	if err != nil || a.String() != "127.0.0.1:10000" || a.Network() != "tcp" {
		t.Errorf("AF_INET: %v %v", a, err)
	}
	in6 := make([]byte, 28)
	in6[0] = syscall.AF_INET6
	in6[2], in6[3] = 0x04, 0x00
	in6[23] = 1
	if a, err = decodeSockaddr(in6); err != nil || a.String() != "[::1]:1024" {
		t.Errorf("AF_INET6: %v %v", a, err)
	}
	un := append([]byte{syscall.AF_UNIX, 0}, "/tmp/sock\x00"...)
	if a, err = decodeSockaddr(un); err != nil || a.String() != "/tmp/sock" || a.Network() != "unix" {
		t.Errorf("AF_UNIX: %v %v", a, err)
	}
	if a, err = decodeSockaddr([]byte{syscall.AF_UNIX, 0}); err != nil || a.String() != "" {
		t.Errorf("unnamed AF_UNIX: %v %v", a, err)
	}
	vs := []byte{40, 0, 0, 0, 0x10, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0}
	if a, err = decodeSockaddr(vs); err != nil || a.String() != "3:16" || a.Network() != "vsock" {
		t.Errorf("AF_VSOCK: %v %v", a, err)
	}
	if _, err = decodeSockaddr([]byte{99, 0, 0, 0}); err == nil {
		t.Errorf("unknown family: no error")
	}
}
