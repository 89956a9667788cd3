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

# Source mode's layouts: a directory outside any module, a module with
# a vendored third-party dependency (offline: a tiny local module,
# vendored) served as a directory and as one file, a file outside any
# module that imports a third-party package, and a compile error.
# test-timeout: 900

source "$SRCDIR/functions.sh"
set -e
set -x

requires nbdinfo --version
source_mode_setup

# size NBDKIT-ARGS...: the size that nbdkit serves.
size ()
{
    timeout 600 nbdkit -U - "$golang_plugin" "$@" --run 'nbdinfo --size "$uri"'
}

# A directory outside any module, two files in package main.
mkdir "$tmpdir/nomod"
cat > "$tmpdir/nomod/main.go" <<'GO'
package main

import "github.com/nbdkit-golang/golib/nbdkit"

type disk struct{}

func (d *disk) Open(readonly bool) (nbdkit.Connection, error) { return d, nil }
func (d *disk) GetSize() (int64, error)                       { return diskSize, nil }
func (d *disk) PRead(buf []byte, off uint64, _ nbdkit.Flags) error {
	for i := range buf {
		buf[i] = 0
	}
	return nil
}

func init() { nbdkit.Register("nomod", &disk{}) }
func main() {}
GO
echo 'package main; const diskSize = 3 << 20' > "$tmpdir/nomod/size.go"
test "$(size "$tmpdir/nomod")" -eq $((3 << 20))
# Nothing was written next to the source.
test "$(ls "$tmpdir/nomod")" = "main.go
size.go"

# A module with a third-party dependency, vendored, served with the
# dependency's own source gone: only vendor/ can provide it.
mkdir -p "$tmpdir/dep" "$tmpdir/mod"
cat > "$tmpdir/dep/go.mod" <<'GO'
module example.com/dep

go 1.19
GO
echo 'package dep; func Size() int64 { return 5 << 20 }' > "$tmpdir/dep/dep.go"
cat > "$tmpdir/mod/go.mod" <<GO
module example.com/plugin

go 1.19

require (
	example.com/dep v0.0.0
	github.com/nbdkit-golang/golib v0.0.0
)

replace example.com/dep => ../dep

replace github.com/nbdkit-golang/golib => $abs_top_srcdir/golib
GO
sed -e 's/"nomod"/"mod"/' \
    -e 's|^import .*|import (\n\t"example.com/dep"\n\t"github.com/nbdkit-golang/golib/nbdkit"\n)|' \
    -e 's/return diskSize, nil/return dep.Size(), nil/' \
    "$tmpdir/nomod/main.go" > "$tmpdir/mod/disk.go"
(cd "$tmpdir/mod" && GOFLAGS=-mod=mod "$GOLANG" mod vendor)
test -f "$tmpdir/mod/vendor/modules.txt"
rm -r "$tmpdir/dep"
test "$(size "$tmpdir/mod")" -eq $((5 << 20))
test "$(size "$tmpdir/mod/disk.go")" -eq $((5 << 20))

# Outside any module, a third-party import cannot be resolved: a clear
# message says to make the source a module.
mkdir "$tmpdir/third"
sed -e 's|^import .*|import (\n\t"example.com/dep"\n\t"github.com/nbdkit-golang/golib/nbdkit"\n)|' \
    -e 's/return diskSize, nil/return dep.Size(), nil/' \
    "$tmpdir/nomod/main.go" > "$tmpdir/third/disk.go"
status=0
timeout 600 nbdkit -U - "$golang_plugin" "$tmpdir/third/disk.go" --run true \
    2> "$tmpdir/third.err" || status=$?
cat "$tmpdir/third.err"
test $status -eq 1
grep "example.com/dep" "$tmpdir/third.err"
grep "$tmpdir/third/disk.go is not in a Go module.*make it a module" \
     "$tmpdir/third.err"

# A compile error: the compiler's file:line message on stderr, exit
# status 1, before nbdkit detaches; no server or build process left.
mkdir "$tmpdir/bad"
sed 's/return diskSize, nil/return undefinedSize, nil/' \
    "$tmpdir/nomod/main.go" > "$tmpdir/bad/disk.go"
status=0
timeout 600 nbdkit -U "$sock" -P "$tmpdir/pid" "$golang_plugin" \
        "$tmpdir/bad/disk.go" 2> "$tmpdir/bad.err" || status=$?
cat "$tmpdir/bad.err"
test $status -eq 1
grep "^$tmpdir/bad/disk.go:8:[0-9]*: undefined: undefinedSize" "$tmpdir/bad.err"
grep "error: $tmpdir/bad/disk.go: go build failed (exit status [0-9]*)" \
     "$tmpdir/bad.err"
test ! -e "$tmpdir/pid"
test ! -e "$sock"
fails pgrep -f "$tmpdir/bad"
# Failed builds leave nothing in the cache.
test -z "$(ls "$source_cache" | grep -v '\.so$')"
