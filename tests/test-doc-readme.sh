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

# The complete plugin shown in README.md builds exactly as the README
# says (go build -buildmode=c-shared) and serves a writable disk, and
# the README's go test example tests it, and it is served from
# source (nbdkit golang ./disk.go).

source "$SRCDIR/functions.sh"
set -e
set -x

requires nbdsh --version

# The first ```go block of the README.
mkdir "$tmpdir/disk"
sed -n '/^```go$/,/^```$/p' "$abs_top_srcdir/README.md" |
    sed '1d;$d' | sed '/^```/,$d' > "$tmpdir/disk/main.go"
cat "$tmpdir/disk/main.go"
grep -q 'nbdkit.Register' "$tmpdir/disk/main.go"

cat > "$tmpdir/disk/go.mod" <<EOM
module example.org/disk

go 1.19

require github.com/nbdkit-golang/golib v0.0.0

replace github.com/nbdkit-golang/golib => $abs_top_srcdir/golib
EOM

(cd "$tmpdir/disk" && timeout 600 "$GOLANG" build -buildmode=c-shared -o disk.so)

# The README's go test example (the ```go block with TestDisk) tests
# that same plugin, with no nbdkit, through package nbdkittest.
{
    printf 'package main\n\nimport (\n\t"testing"\n\n\t"github.com/nbdkit-golang/golib/nbdkit/nbdkittest"\n)\n\n'
    awk '/^```go$/ { b = ""; inb = 1; next }
         /^```$/ { if (inb && b ~ /func TestDisk/) printf "%s", b; inb = 0; next }
         inb { b = b $0 "\n" }' "$abs_top_srcdir/README.md"
} > "$tmpdir/disk/disk_test.go"
cat "$tmpdir/disk/disk_test.go"
grep -q 'func TestDisk' "$tmpdir/disk/disk_test.go"
(cd "$tmpdir/disk" && timeout 600 "$GOLANG" test -count=1 -v . 2>&1) | tee "$tmpdir/gotest"
grep -- '--- PASS: TestDisk' "$tmpdir/gotest"

# Serve it with its own size= parameter, in the default forking mode.
start_nbdkit -P "$tmpdir/pid" -U "$sock" "$golang_plugin" "$tmpdir/disk/disk.so" size=2M
timeout 60 nbdsh -u "nbd+unix:///?socket=$sock" -c '
assert h.get_size() == 2 * 1024 * 1024
assert h.is_read_only() == False
h.pwrite(b"hello, world" * 100, 4096)
assert h.pread(1200, 4096) == b"hello, world" * 100
'

# And as the README says first: the same file served from source, with
# no module around it.
source_mode_setup
mkdir "$tmpdir/src"
cp "$tmpdir/disk/main.go" "$tmpdir/src/disk.go"
timeout 600 nbdkit -U - "$golang_plugin" "$tmpdir/src/disk.go" size=3M --run '
nbdsh -u "$uri" -c "
assert h.get_size() == 3 * 1024 * 1024
h.pwrite(b\"source\" * 100, 8192)
assert h.pread(600, 8192) == b\"source\" * 100
"'
