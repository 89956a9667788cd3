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

# --dump-plugin prints nbdkit's fields, then the loader's golang_*
# lines (ABI version, the Go version the library was built with, ...),
# then the library's own output, in that order, also when stdout is a
# pipe.

source "$SRCDIR/functions.sh"
set -e
set -x

ramdisk=$(example ramdisk)

# Through a pipe, as a script would read it.
timeout 60 nbdkit "$golang_plugin" script="$ramdisk" --dump-plugin |
    cat > "$tmpdir/dump"
cat "$tmpdir/dump"

grep "^name=golang$" "$tmpdir/dump"
grep "^golang_" "$tmpdir/dump"
# The ABI version and the Go version of the library.
grep "^golang_abi_version=2$" "$tmpdir/dump"
grep "^golang_runtime_version=go1\.[0-9]" "$tmpdir/dump"

# nbdkit's own lines come first, the loader's after them.
last_nbdkit=$(grep -n '^\(path\|name\|version\|api_version\|thread_model\|has_[a-z_]*\)=' "$tmpdir/dump" |
                  tail -n 1 | cut -d: -f1)
first_golang=$(grep -n '^golang_' "$tmpdir/dump" | head -n 1 | cut -d: -f1)
test "$last_nbdkit" -lt "$first_golang"
