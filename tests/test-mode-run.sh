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

# Captive nbdkit (--run): nbdkit forks and the server is the child.
# The command sees $uri and its exit status becomes nbdkit's.  64 MiB
# of random data written to the RAM-disk example and read back intact.

source "$SRCDIR/functions.sh"
set -e
set -x

requires nbdinfo --version
requires nbdcopy --version

ramdisk=$(example ramdisk)

out=$(timeout 120 nbdkit -U - "$golang_plugin" script="$ramdisk" size=3M \
          --run 'nbdinfo --size "$uri"')
test "$out" -eq $((3 * 1024 * 1024))

# Writes and reads run Go code in the forked server.
timeout 120 nbdkit -U - "$golang_plugin" script="$ramdisk" size=8M \
    --run 'nbdsh -u "$uri" -c "
import os
d = os.urandom(3 * 1024 * 1024)
h.pwrite(d, 65536)
assert h.pread(len(d), 65536) == d
"'

# The exit status of the --run command is nbdkit's exit status.
status=0
timeout 120 nbdkit -U - "$golang_plugin" script="$ramdisk" size=1M \
    --run 'nbdinfo "$uri" >/dev/null && exit 3' || status=$?
test $status -eq 3

# 64 MiB of random data, written and read back.
head -c $((64 * 1024 * 1024)) /dev/urandom > "$tmpdir/in"
export in="$tmpdir/in" out="$tmpdir/out"

timeout 240 nbdkit -U - "$golang_plugin" script="$ramdisk" size=64M \
    --run 'nbdcopy "$in" "$uri" && nbdcopy "$uri" "$out"'
cmp "$tmpdir/in" "$tmpdir/out"
