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

# The example written against the C ABI without golib, served in each
# of nbdkit's modes: the default (nbdkit forks into the background
# after .get_ready), --run (nbdkit forks a captive process), -f, -s
# and socket activation (no fork).  A Go runtime started before a fork would hang in the child;
# passing proves that the loader starts it only after the fork.

source "$SRCDIR/functions.sh"
set -e
set -x

plain="$(example plain)"
requires_file "$plain"
requires nbdsh --version

check='
h.pwrite(b"plain!" * 1000, 4096)
assert h.pread(6000, 4096) == b"plain!" * 1000
assert h.get_size() == 2 * 1024 * 1024
assert h.pread(512, 0) == bytearray(512)
'

# Default (forking) mode.  nbdkit chdirs to / when it forks: the
# library is given by a relative path on purpose.
rel="$(realpath --relative-to=. "$plain")"
start_nbdkit -P "$pid" -U "$sock" "$golang_plugin" "$rel" size=2M
timeout "$TEST_TIMEOUT" nbdsh -u "nbd+unix:///?socket=$sock" -c "$check"
# Twice, on a second connection: data persists in the server.
timeout "$TEST_TIMEOUT" nbdsh -u "nbd+unix:///?socket=$sock" \
        -c 'assert h.pread(6, 4096) == b"plain!"'
kill_nbdkit "$(cat "$pid")"

# --run.
timeout "$TEST_TIMEOUT" \
nbdkit -U - "$golang_plugin" "$plain" size=2M \
       --run 'nbdsh -u "$uri" -c '"'$check'"

# -f: no fork.
sock2="$tmpdir/sock2"
pid2="$tmpdir/pid2"
start_nbdkit_fg -P "$pid2" -U "$sock2" "$golang_plugin" "$plain" size=2M
timeout "$TEST_TIMEOUT" nbdsh -u "nbd+unix:///?socket=$sock2" -c "$check"
# nbdinfo also works and sees the write-capable disk.
timeout "$TEST_TIMEOUT" nbdinfo "nbd+unix:///?socket=$sock2" > "$tmpdir/info"
cat "$tmpdir/info"
grep "is_read_only: false" "$tmpdir/info"
kill_nbdkit "$(cat "$pid2")"

# -s (a single connection on stdin/stdout) and socket activation: no
# fork either, after_fork still loads the library.
timeout "$TEST_TIMEOUT" nbdsh -c "
h.connect_command(['nbdkit', '-s', '$golang_plugin', '$plain', 'size=2M'])
$check"
test "$(timeout "$TEST_TIMEOUT" \
        nbdinfo --size -- [ nbdkit "$golang_plugin" "$plain" size=3M ])" = 3145728
