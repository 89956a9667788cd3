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

# Ten nbdkits started at once on the same, not yet built source: one
# go build runs, the others wait for it, and all ten serve the same
# complete library (none ever loads a half-written file).
# test-timeout: 900

source "$SRCDIR/functions.sh"
set -e
set -x

requires nbdsh --version
source_mode_setup
go_counting_wrapper

cp "$abs_top_srcdir/examples/ramdisk/ramdisk.go" "$tmpdir/disk.go"
export golang_plugin tmpdir

pids=()
for i in 0 1 2 3 4 5 6 7 8 9; do
    timeout 600 nbdkit -v -U - "$golang_plugin" "$tmpdir/disk.go" \
        size=$((i + 1))M --run "
nbdsh -u \"\$uri\" -c '
import os
assert h.get_size() == $((i + 1)) * 1024 * 1024
d = os.urandom(65536)
h.pwrite(d, 0)
assert h.pread(len(d), 0) == d
'" > "$tmpdir/out$i" 2> "$tmpdir/log$i" &
    pids+=($!)
done
failed=0
for i in 0 1 2 3 4 5 6 7 8 9; do
    wait "${pids[i]}" || { echo "start $i failed"; cat "$tmpdir/log$i"; failed=1; }
done
test $failed -eq 0

# One build; every start loaded the same library.
test "$(go_builds)" -eq 1
grep -h "golang: loaded " "$tmpdir"/log? | sed 's/.*loaded \([^ ]*\) .*/\1/' |
    sort -u > "$tmpdir/libs"
cat "$tmpdir/libs"
test "$(wc -l < "$tmpdir/libs")" -eq 1
grep "^$source_cache/[0-9a-f]\{64\}\.so$" "$tmpdir/libs"
# Nothing but the library is left in the cache: no lock, no
# half-built file.
ls -la "$source_cache"
test "$(ls "$source_cache")" = "$(basename "$(cat "$tmpdir/libs")")"
