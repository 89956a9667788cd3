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

// This file holds what the helpers do outside nbdkit (in go test, or
// any program that is not loaded by nbdkit-golang-plugin.so): the
// same as nbdkit's own functions, written in Go.  nbdkit's rules are
// pinned by testdata/parse.txt, which test-helpers.sh runs
// through the real nbdkit and parse_test.go through these functions.

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// parseSizeGo is nbdkit_parse_size: a decimal number, optionally
// after white space and a sign, then one of the suffixes b, k, m, g,
// t, p, e (powers of 1024) or s (512-byte sectors), in either case.
func parseSizeGo(str string) (int64, error) {
	s := strings.TrimLeft(str, " \t\n\v\f\r")
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 {
		return 0, fmt.Errorf("could not parse size string (%s)", str)
	}
	var size uint64
	overflow := false
	for _, c := range s[:i] {
		d := uint64(c - '0')
		if size > (math.MaxUint64-d)/10 {
			overflow = true
			break
		}
		size = size*10 + d
	}
	switch {
	case neg && size != 0:
		return 0, fmt.Errorf("size cannot be negative (%s)", str)
	case overflow || size > math.MaxInt64:
		return 0, fmt.Errorf("size exceeds maximum value (%s)", str)
	}
	suffix := s[i:]
	var scale uint64 = 1
	if suffix != "" {
		// b, k, m, ... e: powers of 1024; s: 512-byte sectors.
		c := suffix[0] | 0x20 // ASCII lower case
		if i := strings.IndexByte("bkmgtpe", c); i >= 0 {
			scale = 1 << (10 * uint(i))
		} else if c == 's' {
			scale = 512
		} else {
			return 0, fmt.Errorf("could not parse size (%s): unknown suffix %q", str, suffix)
		}
		if len(suffix) > 1 {
			return 0, fmt.Errorf("could not parse size (%s): unknown suffix %q", str, suffix)
		}
	}
	if math.MaxInt64/scale < size {
		return 0, fmt.Errorf("could not parse size: size * scale overflows (%s)", str)
	}
	return int64(size * scale), nil
}

// parseBoolGo is nbdkit_parse_bool.
func parseBoolGo(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "1", "true", "t", "yes", "y", "on":
		return true, nil
	case "0", "false", "f", "no", "n", "off":
		return false, nil
	}
	return false, fmt.Errorf("could not decipher boolean (%s)", s)
}

// absolutePathGo is nbdkit_absolute_path: the working directory and
// p joined with a slash, not cleaned.
func absolutePathGo(p string) (string, error) {
	if p == "" {
		return "", errors.New("cannot convert null or empty path to an absolute path")
	}
	if p[0] == '/' {
		return p, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	return wd + "/" + p, nil
}

// realpathGo is nbdkit_realpath: realpath(3), so p must exist.
func realpathGo(p string) (string, error) {
	abs, err := absolutePathGo(p)
	if err != nil {
		return "", err
	}
	r, err := filepath.EvalSymlinks(abs)
	if err != nil {
		var errno syscall.Errno
		if errors.As(err, &errno) {
			err = errno
		}
		return "", fmt.Errorf("realpath: %s: %w", p, err)
	}
	return r, nil
}

// readPasswordGo is nbdkit_read_password for a password given as it
// is or as +FILE (the file's contents without a final newline).
// Reading from the terminal ("-") or from a file descriptor ("-FD")
// needs nbdkit.
func readPasswordGo(value string) (string, error) {
	switch {
	case strings.HasPrefix(value, "+"):
		b, err := os.ReadFile(value[1:])
		if err != nil {
			return "", err
		}
		return strings.TrimSuffix(string(b), "\n"), nil
	case strings.HasPrefix(value, "-"):
		return "", fmt.Errorf("password=%s: reading a password from the terminal or a file descriptor needs nbdkit: %w", value, errNoHost)
	}
	return value, nil
}
