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

# Foreground mode (-f): nbdkit does not fork; the Go runtime starts in
# nbdkit's own process.  64 MiB of random data written and read back.

source "$SRCDIR/functions.sh"
set -e
set -x

requires nbdcopy --version

ramdisk=$(example ramdisk)

head -c $((64 * 1024 * 1024)) /dev/urandom > "$tmpdir/in"

nbdkit -f -U "$sock" -P "$pid" "$golang_plugin" script="$ramdisk" size=64M &
server=$!
cleanup_fn kill_nbdkit $server
wait_for_pidfile "$pid" $server
# No fork: the pidfile names the process we started.
test "$(cat "$pid")" -eq $server

timeout 120 nbdcopy "$tmpdir/in" "$uri"
timeout 120 nbdcopy "$uri" "$tmpdir/out"
cmp "$tmpdir/in" "$tmpdir/out"

# SIGTERM: nbdkit exits with status 0.
kill $server
status=0
wait $server || status=$?
test $status -eq 0
