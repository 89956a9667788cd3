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

# Basic I/O through the loader with the C ABI library: size, reads,
# writes, flush, trim, zero, extents, and errors carrying the
# library's errno to the client.

source "$SRCDIR/functions.sh"
set -e
set -x

requires_file "$cabi"
requires nbdsh --version

timeout "$TEST_TIMEOUT" \
nbdkit -U - "$golang_plugin" "$cabi" size=4M error-offset=1048576 \
       error-errno=28 \
       --run 'nbdsh --base-allocation -u "$uri" -c "
import errno
assert h.get_size() == 4 * 1024 * 1024
assert h.can_flush() and h.can_trim() and h.can_zero()
assert h.can_fua() and h.can_cache() and not h.can_multi_conn()
assert h.can_fast_zero() and not h.is_read_only()
assert h.can_meta_context(nbd.CONTEXT_BASE_ALLOCATION)

# Fresh disk reads as zeroes.
assert h.pread(4096, 0) == bytearray(4096)

# Write, read back, flush, FUA write.
h.pwrite(b\"abcd\" * 1024, 65536)
assert h.pread(4096, 65536) == b\"abcd\" * 1024
h.flush()
h.pwrite(b\"X\" * 512, 0, nbd.CMD_FLAG_FUA)
assert h.pread(512, 0) == b\"X\" * 512

# Zero and trim.
h.zero(1024, 65536 + 1024)
assert h.pread(4096, 65536) == b\"abcd\" * 256 + bytearray(1024) + b\"abcd\" * 512
h.trim(65536 * 2, 65536)
assert h.pread(4096, 65536) == bytearray(4096)
h.cache(4096, 0)

# Extents: block 0 was written (data), blocks 1-2 trimmed (holes).
entries = []
def f(metacontext, offset, e, err):
    entries.extend(e)
h.block_status(65536 * 3, 0, f)
print(entries)
assert entries[0] == 65536 and entries[1] == 0
assert entries[2] == 65536 * 2 and entries[3] == 3

# The library fails reads/writes touching sector 1M with ENOSPC.
try:
    h.pread(512, 1024 * 1024)
    assert False
except nbd.Error as e:
    assert e.errno == \"ENOSPC\", e.errno
try:
    h.pwrite(b\"y\" * 512, 1024 * 1024)
    assert False
except nbd.Error as e:
    assert e.errno == \"ENOSPC\", e.errno
"'

# Default (forking) mode with the library given by a relative path:
# nbdkit chdirs to / when it forks, so the loader must have made it
# absolute.
rel="$(realpath --relative-to=. "$cabi")"
test "${rel:0:1}" != "/"
start_nbdkit -P "$tmpdir/pid" -U "$tmpdir/sock" "$golang_plugin" "$rel" size=1M
timeout "$TEST_TIMEOUT" nbdsh -u "nbd+unix:///?socket=$tmpdir/sock" \
        -c 'h.pwrite(b"r" * 512, 0); assert h.pread(512, 0) == b"r" * 512'
kill_nbdkit "$(cat "$tmpdir/pid")"
