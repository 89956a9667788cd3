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

# The loader's C code under valgrind, with the C ABI library (valgrind
# cannot run a Go runtime).  nbdkit -f (no fork except the loader's
# check process, which valgrind follows: every process writes its own
# log).  valgrind.supp suppresses one leak inside nbdkit 1.32
# itself (see there).

source "$SRCDIR/functions.sh"
set -e
set -x

requires_file "$cabi"
requires test "$VALGRIND" != "no"
requires "$VALGRIND" --version
requires nbdsh --version
requires qemu-img --version

source "$SRCDIR/memcheck.sh"

# CABI_INIT_NOTE: init succeeds and also sets a message, which the
# loader must free (and show in the debug log).
server_env=(CABI_INIT_NOTE=1)
server_flags=(-v)
serve_and_exercise "$golang_plugin" "$cabi" \
    "$VALGRIND" --leak-check=full --show-leak-kinds=definite \
                --errors-for-leak-kinds=definite --error-exitcode=99 \
                --suppressions="$SRCDIR/valgrind.supp" \
                --log-file="$tmpdir/vg.%p"

for f in "$tmpdir"/vg.*; do
    echo "== $f"
    cat "$f"
done
test "$server_status" -eq 0
# Both the server and the check process, and each one clean.
test "$(ls "$tmpdir"/vg.* | wc -l)" -ge 2
for f in "$tmpdir"/vg.*; do
    grep "ERROR SUMMARY: 0 errors" "$f"
    if grep "definitely lost: [1-9]" "$f"; then
        echo "$0: leak in $f"
        exit 1
    fi
done
grep "golang: check process succeeded" "$tmpdir/server.log"
grep "init succeeded and said: cabi: a message from an init" \
     "$tmpdir/server.log"
