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

# Finding the Go toolchain: $NBDKIT_GOLANG_GO first, then the Go that
# configure found, then go on PATH; a missing or too old Go is a clear
# error that says what was looked for and how to point at one.

source "$SRCDIR/functions.sh"
set -e
set -x

source_mode_setup
cp "$abs_top_srcdir/examples/ramdisk/ramdisk.go" "$tmpdir/disk.go"

# fails MESSAGE [ENV...]: nbdkit must fail with MESSAGE and no build.
fails ()
{
    local message=$1 status=0
    shift
    env "$@" timeout 300 nbdkit -U - "$golang_plugin" "$tmpdir/disk.go" \
        --run true 2> "$tmpdir/err" || status=$?
    cat "$tmpdir/err"
    test $status -eq 1
    grep -- "$message" "$tmpdir/err"
    test ! -d "$source_cache" || test -z "$(ls "$source_cache")"
}

# $NBDKIT_GOLANG_GO that is not there, or not a path.
fails "NBDKIT_GOLANG_GO=$tmpdir/nowhere/go: cannot run it" \
      NBDKIT_GOLANG_GO="$tmpdir/nowhere/go"
fails "NBDKIT_GOLANG_GO=go: give the path of the go command" \
      NBDKIT_GOLANG_GO=go

# Too old: a toolchain whose VERSION says go1.18.
mkdir -p "$tmpdir/go118/bin"
printf 'go1.18.10\ntime 2023-01-01T00:00:00Z\n' > "$tmpdir/go118/VERSION"
printf '#!/bin/sh\nexit 1\n' > "$tmpdir/go118/bin/go"
chmod +x "$tmpdir/go118/bin/go"
fails "$tmpdir/go118/bin/go is go1.18.10, but nbdkit-golang needs Go 1.19 or later.*NBDKIT_GOLANG_GO=/path/to/go" \
      NBDKIT_GOLANG_GO="$tmpdir/go118/bin/go"

# $NBDKIT_GOLANG_GO comes first.
go_counting_wrapper
timeout 600 nbdkit "$golang_plugin" "$tmpdir/disk.go" --dump-plugin > "$tmpdir/dump"
grep "^golang_build_go=$tmpdir/go-wrapper$" "$tmpdir/dump"
test "$(go_builds)" -eq 1
unset NBDKIT_GOLANG_GO

# Then the configured Go, before a go on PATH (here one that fails).
mkdir "$tmpdir/bin"
printf '#!/bin/sh\necho wrong go >&2\nexit 1\n' > "$tmpdir/bin/go"
chmod +x "$tmpdir/bin/go"
PATH="$tmpdir/bin:$PATH" timeout 600 nbdkit "$golang_plugin" "$tmpdir/disk.go" \
    --dump-plugin > "$tmpdir/dump"
grep "^golang_build_go=$GOLANG$" "$tmpdir/dump"

# No Go at all: the configured one hidden (an empty directory mounted
# over the directory of the file it resolves to, in a private mount
# namespace: Debian's /usr/bin/go is a link into /usr/lib/go-1.19/bin,
# and hiding /usr/bin would hide nbdkit too) and none on PATH.
requires unshare -r -m true
rm -rf "$source_cache"
mkdir "$tmpdir/empty"
nbdkit=$(command -v nbdkit)
status=0
unshare -r -m bash -c '
    mount --bind "$1" "$(dirname "$2")" &&
    PATH=/nonexistent "$3" -U - "$4" "$5" --run true' \
    unshare "$tmpdir/empty" "$(readlink -f "$GOLANG")" "$nbdkit" "$golang_plugin" \
    "$tmpdir/disk.go" 2> "$tmpdir/err" || status=$?
cat "$tmpdir/err"
test $status -eq 1
grep "$tmpdir/disk.go: no Go toolchain to build it with: looked for \$NBDKIT_GOLANG_GO (not set), $GOLANG (configured; not found) and go on \$PATH (not found); install Go 1.19 or later, or set NBDKIT_GOLANG_GO=/path/to/go" \
     "$tmpdir/err"
