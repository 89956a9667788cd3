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

# The default mode: nbdkit forks into the background after the plugin
# is configured.  The Go runtime must start only in the forked server,
# so calls that allocate, run goroutines and the GC must all work there.
# 64 MiB of random data written to the RAM-disk example and read back
# intact.

source "$SRCDIR/functions.sh"
set -e
set -x

requires nbdinfo --version
requires nbdsh --version
requires nbdcopy --version

ramdisk=$(example ramdisk)

start_nbdkit -P "$pid" -U "$sock" "$golang_plugin" script="$ramdisk" size=16M
server=$(cat "$pid")

# nbdkit detached: the server is not a child of this shell.
ppid=$(ps -o ppid= -p "$server" | tr -d ' ')
test "$ppid" != "$$"

size=$(timeout 60 nbdinfo --size "$uri")
test "$size" -eq $((16 * 1024 * 1024))

# Several connections that write and read back; the buffers cross into
# Go and back each time.
for i in 1 2 3; do
    timeout 60 nbdsh -u "$uri" -c "
import os
data = os.urandom(1024 * 1024)
off = $i * 2 * 1024 * 1024
h.pwrite(data, off)
assert h.pread(len(data), off) == data
h.flush() if h.can_flush() else None
"
done
# The data written by one connection is seen by the next.
timeout 60 nbdsh -u "$uri" -c '
assert h.pread(4096, 0) == bytearray(4096)
assert h.pread(4096, 2 * 1024 * 1024) != bytearray(4096)
'

# SIGTERM stops the server promptly, and nothing is left behind.
kill_nbdkit "$server"
if kill -0 "$server" 2>/dev/null || pgrep -f "$sock"; then
    echo "$0: nbdkit is still running after SIGTERM"
    exit 1
fi

# 64 MiB of random data, written and read back intact.
head -c $((64 * 1024 * 1024)) /dev/urandom > "$tmpdir/in"

sock="$tmpdir/data.sock"
pid="$tmpdir/data.pid"
uri="nbd+unix:///?socket=$sock"
start_nbdkit -P "$pid" -U "$sock" "$golang_plugin" script="$ramdisk" size=64M
timeout 120 nbdcopy "$tmpdir/in" "$uri"
timeout 120 nbdcopy "$uri" "$tmpdir/out"
cmp "$tmpdir/in" "$tmpdir/out"
