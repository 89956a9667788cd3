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

# golib's own checks, without nbdkit: go vet, go test (unit tests and
# runnable examples) and gofmt, with the Go that configure chose.

source "$SRCDIR/functions.sh"
set -e
set -x

golib="$abs_top_srcdir/golib"
cd "$golib"

# Work on a copy of the module cache settings the user has, but never
# touch the network: golib has no dependencies.
export GOFLAGS=-mod=mod
export GOPROXY=off

"$GOLANG" version
"$GOLANG" vet ./...
"$GOLANG" test -count=1 ./...

# The examples and test plugins built on golib vet clean too.
(cd "$abs_top_srcdir/examples" && "$GOLANG" vet ./ramdisk ./file ./exports ./readerat)

# The ramdisk and readerat examples test themselves with go test
# (package nbdkittest).
(cd "$abs_top_srcdir/examples" && "$GOLANG" test -count=1 ./ramdisk ./readerat)
(cd "$abs_top_srcdir/tests/plugins" && "$GOLANG" vet ./features...)

# gofmt of the same toolchain (also when the go command is a wrapper,
# or GOTOOLCHAIN chose another release).
gofmt="$("$GOLANG" env GOROOT)/bin/gofmt"
test -x "$gofmt"
unformatted="$("$gofmt" -l .)"
if [ -n "$unformatted" ]; then
    echo "$0: these files need gofmt:"
    echo "$unformatted"
    exit 1
fi

# The golib examples and test plugins must be gofmt-clean too.
unformatted="$(cd "$abs_top_srcdir" &&
               "$gofmt" -l examples/ramdisk examples/file examples/exports examples/readerat \
                        $(ls -d tests/plugins/features* 2>/dev/null))"
if [ -n "$unformatted" ]; then
    echo "$0: these files need gofmt:"
    echo "$unformatted"
    exit 1
fi

# The RAM-disk example stays small: under 40 lines of code (neither
# blank nor comment).
loc="$(grep -v '^[[:space:]]*//' "$abs_top_srcdir/examples/ramdisk/ramdisk.go" |
       grep -cv '^[[:space:]]*$')"
echo "examples/ramdisk/ramdisk.go: $loc lines of code"
test "$loc" -lt 40
