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

# Source mode in every nbdkit mode: script= names Go source, which the
# loader builds before nbdkit forks and then serves like a library.
# The RAM-disk example is served as a directory inside its module and
# as a single file copied out of any module.
# test-timeout: 900

source "$SRCDIR/functions.sh"
set -e
set -x

requires nbdinfo --version
requires nbdsh --version
source_mode_setup

srcdir_plugin="$abs_top_srcdir/examples/ramdisk"
cp "$abs_top_srcdir/examples/ramdisk/ramdisk.go" "$tmpdir/disk.go"
file_plugin="$tmpdir/disk.go"
export golang_plugin srcdir_plugin file_plugin

# --dump-plugin (no fork follows; the library is loaded in nbdkit's
# process): the source, the library it was built into, the Go version.
timeout 600 nbdkit "$golang_plugin" "$file_plugin" --dump-plugin > "$tmpdir/dump"
cat "$tmpdir/dump"
grep "^golang_source=$tmpdir/disk.go$" "$tmpdir/dump"
grep "^golang_library=$source_cache/[0-9a-f]\{64\}\.so$" "$tmpdir/dump"
grep "^golang_build_go_version=go1\.[0-9]" "$tmpdir/dump"
grep "^golang_runtime_version=go1\.[0-9]" "$tmpdir/dump"
grep "^golang_plugin_name=ramdisk$" "$tmpdir/dump"
timeout 600 nbdkit "$golang_plugin" script="$srcdir_plugin" --dump-plugin > "$tmpdir/dump2"
grep "^golang_source=$(realpath "$srcdir_plugin")$" "$tmpdir/dump2"
grep "^golang_plugin_name=ramdisk$" "$tmpdir/dump2"
# Two sources, two libraries.
test "$(grep ^golang_library= "$tmpdir/dump")" != \
     "$(grep ^golang_library= "$tmpdir/dump2")"

# Default mode: nbdkit forks into the background after the check
# process; the library is loaded only in the forked server.
start_nbdkit -P "$pid" -U "$sock" "$golang_plugin" "$file_plugin" size=16M
server=$(cat "$pid")
test "$(ps -o ppid= -p "$server" | tr -d ' ')" != "$$"
timeout 60 nbdsh -u "$uri" -c '
import os
d = os.urandom(1024 * 1024)
h.pwrite(d, 4096)
assert h.pread(len(d), 4096) == d
assert h.get_size() == 16 * 1024 * 1024
'
kill_nbdkit "$server"
rm -f "$pid" "$sock"

# -f: no fork at all: the server is the process started (under
# timeout, which start_nbdkit_fg adds).
start_nbdkit_fg -P "$pid" -U "$sock" "$golang_plugin" "$srcdir_plugin" size=8M
server=$(cat "$pid")
test "$(ps -o ppid= -p "$server" | tr -d ' ')" -eq $nbdkit_bg
test "$(timeout 60 nbdinfo --size "$uri")" -eq $((8 * 1024 * 1024))
kill "$server"
status=0
wait $nbdkit_bg || status=$?
test $status -eq 0
rm -f "$pid" "$sock"

# --run: captive nbdkit (it forks, and runs the command in the parent).
out=$(timeout 120 nbdkit -U - "$golang_plugin" "$file_plugin" size=3M \
          --run 'nbdinfo --size "$uri"')
test "$out" -eq $((3 * 1024 * 1024))

# -s: one client on stdin/stdout; the build's output must not reach
# stdout, which is the NBD connection.
timeout 120 nbdsh -c '
import os
h.connect_command(["nbdkit", "-s", "--exit-with-parent",
                   os.environ["golang_plugin"],
                   "script=" + os.environ["file_plugin"], "size=4M"])
assert h.get_size() == 4 * 1024 * 1024
d = os.urandom(65536)
h.pwrite(d, 65536)
assert h.pread(len(d), 65536) == d
'

# Socket activation: nbdkit is handed a listening socket.
size=$(timeout 120 nbdinfo --size -- \
           [ nbdkit "$golang_plugin" "$srcdir_plugin" size=5M ])
test "$size" -eq $((5 * 1024 * 1024))

# --exit-with-parent: nbdkit stays a child of the process that ran it.
start_nbdkit_with_parent "$sock" "$pid" "$golang_plugin" "$file_plugin" size=2M
parent=$nbdkit_parent
server=$nbdkit_pid
test "$(ps -o ppid= -p "$server" | tr -d ' ')" -eq $parent
test "$(timeout 60 nbdinfo --size "$uri")" -eq $((2 * 1024 * 1024))
kill $parent
wait_gone "$server"

# Both sources were built once each, and nothing else is in the cache.
ls -la "$source_cache"
test "$(ls "$source_cache" | grep -c '\.so$')" -eq 2
test "$(ls "$source_cache" | grep -vc '\.so$')" -eq 0
