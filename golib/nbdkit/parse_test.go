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
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestParseOutsideNbdkit runs the cases of testdata/parse.txt, which
// test-helpers.sh also runs through nbdkit itself, through
// ParseSize and ParseBool outside nbdkit.
func TestParseOutsideNbdkit(t *testing.T) {
	f, err := os.Open("testdata/parse.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		fields := strings.Split(line, "\t")
		if len(fields) != 3 {
			t.Fatalf("testdata/parse.txt: bad line %q", line)
		}
		helper, input, want := fields[0], fields[1], fields[2]
		var v interface{}
		switch helper {
		case "size":
			v, err = ParseSize(input)
		case "bool":
			v, err = ParseBool(input)
		default:
			t.Fatalf("testdata/parse.txt: unknown helper %q", helper)
		}
		got := fmt.Sprint(v)
		if err != nil {
			got = "error"
			if !strings.Contains(err.Error(), input) {
				t.Errorf("%s(%q): the error %q does not show the input", helper, input, err)
			}
		}
		if got != want {
			t.Errorf("%s(%q) = %s (%v), want %s", helper, input, got, err, want)
		}
		n++
	}
	if err := sc.Err(); err != nil || n == 0 {
		t.Fatalf("testdata/parse.txt: %d cases, %v", n, err)
	}
}

func TestPathsOutsideNbdkit(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "real"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("real", filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	wd, _ := os.Getwd()
	real, _ := filepath.EvalSymlinks(dir)
	for _, tt := range []struct {
		f       func(string) (string, error)
		name    string
		in, out string // out "" means an error
	}{
		{Realpath, "Realpath", filepath.Join(dir, "link"), filepath.Join(real, "real")},
		{Realpath, "Realpath", filepath.Join(dir, "missing"), ""},
		{Realpath, "Realpath", "", ""},
		{AbsolutePath, "AbsolutePath", "a/../b", wd + "/a/../b"},
		{AbsolutePath, "AbsolutePath", "/x/./y", "/x/./y"},
		{AbsolutePath, "AbsolutePath", "", ""},
	} {
		got, err := tt.f(tt.in)
		if (err != nil) != (tt.out == "") || got != tt.out {
			t.Errorf("%s(%q) = %q, %v; want %q", tt.name, tt.in, got, err, tt.out)
		}
	}
}

func TestReadPasswordOutsideNbdkit(t *testing.T) {
	file := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(file, []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ in, out string }{
		{"plain", "plain"},
		{"+" + file, "from-file"},
	} {
		if got, err := ReadPassword(tt.in); got != tt.out || err != nil {
			t.Errorf("ReadPassword(%q) = %q, %v; want %q", tt.in, got, err, tt.out)
		}
	}
	for _, in := range []string{"-", "-3", "+" + file + ".missing"} {
		if _, err := ReadPassword(in); err == nil {
			t.Errorf("ReadPassword(%q) did not fail", in)
		}
	}
}
