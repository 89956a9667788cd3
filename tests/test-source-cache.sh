#!/usr/bin/env bash
# nbdkit-golang
# Copyright the nbdkit-golang authors
#
# Redistribution and use in source and binary forms, with or without
# modification, are permitted provided that the following conditions are
# met:
#
# * Redistributions of source code must retain the above copyright
# notice, this list of conditions and the following disclaimer.
#
# * Redistributions in binary form must reproduce the above copyright
# notice, this list of conditions and the following disclaimer in the
# documentation and/or other materials provided with the distribution.
#
# * Neither the name of the copyright holder nor the names of its
# contributors may be used to endorse or promote products derived from
# this software without specific prior written permission.
#
# THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS
# "AS IS" AND ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT
# LIMITED TO, THE IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR
# A PARTICULAR PURPOSE ARE DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT
# HOLDER OR CONTRIBUTORS BE LIABLE FOR ANY DIRECT, INDIRECT, INCIDENTAL,
# SPECIAL, EXEMPLARY, OR CONSEQUENTIAL DAMAGES (INCLUDING, BUT NOT
# LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR SERVICES; LOSS OF USE,
# DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER CAUSED AND ON ANY
# THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY, OR TORT
# (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE
# OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.

# The source cache: a second start with unchanged inputs does not run
# the compiler (seen both in the debug log and by a wrapper of the go
# command that logs every "go build"), and every kind of input that
# can change the library rebuilds it: the source, an embedded file,
# go.mod, go.sum, a replaced module's files, golib, the Go version,
# and the build environment.
# test-timeout: 1200

source "$SRCDIR/functions.sh"
set -e
set -x

requires nbdinfo --version
source_mode_setup
go_counting_wrapper

# A module whose plugin embeds its size, built against a copy of golib
# (a replaced module).
cp -r "$abs_top_srcdir/golib" "$tmpdir/golib"
chmod -R u+w "$tmpdir/golib"
mkdir "$tmpdir/mod"
cat > "$tmpdir/mod/go.mod" <<GO
module example.com/plugin

go 1.19

require github.com/nbdkit-golang/golib v0.0.0

replace github.com/nbdkit-golang/golib => ../golib
GO
cat > "$tmpdir/mod/disk.go" <<'GO'
package main

import (
	_ "embed"
	"strconv"
	"strings"

	"github.com/nbdkit-golang/golib/nbdkit"
)

//go:embed size.txt
var sizeText string

type disk struct{}

func (d *disk) Open(readonly bool) (nbdkit.Connection, error) { return d, nil }
func (d *disk) GetSize() (int64, error) {
	return strconv.ParseInt(strings.TrimSpace(sizeText), 10, 64)
}
func (d *disk) PRead(buf []byte, off uint64, _ nbdkit.Flags) error {
	for i := range buf {
		buf[i] = 0
	}
	return nil
}

func init() { nbdkit.Register("cached", &disk{}) }
func main() {}
GO
echo 1048576 > "$tmpdir/mod/size.txt"

# serve SOURCE EXPECTED-SIZE EXPECTED-BUILDS: serve SOURCE once, check
# the size served and how many times go build has run so far, and
# that the debug log agrees.
serve ()
{
    local out
    out=$(timeout 600 nbdkit -v -U - "$golang_plugin" "$1" \
              --run 'nbdinfo --size "$uri"' 2> "$tmpdir/log")
    test "$out" -eq "$2"
    test "$(go_builds)" -eq "$3"
    if [ "$4" = hit ]; then
        grep "golang: build: cache hit: .*go build not run" "$tmpdir/log"
        fails grep "cache miss" "$tmpdir/log"
    else
        grep "golang: build: cache miss: running in .* build -buildmode=c-shared" "$tmpdir/log"
    fi
}

src="$tmpdir/mod"
serve "$src" 1048576 1 miss
serve "$src" 1048576 1 hit
serve "$src/" 1048576 1 hit             # the same source, named another way
# The Go runtime's own variables do not change what is built.
GOGC=50 GOMAXPROCS=1 serve "$src" 1048576 1 hit

# The source.
echo '// a comment' >> "$src/disk.go"
serve "$src" 1048576 2 miss
serve "$src" 1048576 2 hit
# An embedded file (also proves the new library is the one served).
echo 2097152 > "$src/size.txt"
serve "$src" 2097152 3 miss
# go.mod and go.sum.
echo '// a comment' >> "$src/go.mod"
serve "$src" 2097152 4 miss
touch "$src/go.sum"
serve "$src" 2097152 5 miss
# A new Go file in the module, in another package directory.
mkdir "$src/sub"
echo 'package sub' > "$src/sub/sub.go"
serve "$src" 2097152 6 miss
# The replaced module's files (here golib itself).
echo '// a comment' >> "$tmpdir/golib/nbdkit/doc.go"
serve "$src" 2097152 7 miss
serve "$src" 2097152 7 hit
# Files that no build reads do not rebuild.
echo notes > "$src/README"
serve "$src" 2097152 7 hit

# The build environment.
GOFLAGS=-trimpath serve "$src" 2097152 8 miss
CGO_CFLAGS="-O1 -g" serve "$src" 2097152 9 miss
CC=cc serve "$src" 2097152 10 miss
GOARCH=$("$GOLANG" env GOARCH) serve "$src" 2097152 11 miss
# Back to the first environment: still cached.
serve "$src" 2097152 11 hit

# Source outside any module, built against golib (another copy): a
# change to golib rebuilds.
cp -r "$tmpdir/golib" "$tmpdir/golib2"
mkdir "$tmpdir/nomod"
cp "$src/disk.go" "$tmpdir/nomod/disk.go"
echo 3145728 > "$tmpdir/nomod/size.txt"
export NBDKIT_GOLANG_GOLIB="$tmpdir/golib2"
serve "$tmpdir/nomod/disk.go" 3145728 12 miss
serve "$tmpdir/nomod/disk.go" 3145728 12 hit
echo '// another comment' >> "$tmpdir/golib2/nbdkit/doc.go"
serve "$tmpdir/nomod/disk.go" 3145728 13 miss
# The embedded file of a single file outside a module.
echo 4194304 > "$tmpdir/nomod/size.txt"
serve "$tmpdir/nomod/disk.go" 4194304 14 miss
unset NBDKIT_GOLANG_GOLIB

# The Go version: another Go toolchain, when this machine has one.
other_go=
for g in /usr/lib/go-1.19/bin/go /usr/local/go/bin/go; do
    if [ -x "$g" ] &&
       [ "$("$g" env GOVERSION)" != "$("$GOLANG" env GOVERSION)" ]; then
        other_go=$g
        break
    fi
done
if [ -n "$other_go" ]; then
    WRAPPED_GO=$other_go serve "$src" 2097152 15 miss
    serve "$src" 2097152 15 hit
else
    echo "$0: only one Go version here: the Go version change is not tested"
fi

# Every library in the cache is one that was built; nothing else is
# left behind.
ls -la "$source_cache"
test -z "$(ls "$source_cache" | grep -v '\.so$')"
