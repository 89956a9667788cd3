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

# The optional data callbacks of the features plugin's "full" export,
# through nbdkit and real clients: native FUA, trim, zero and fast
# zero, extents, cache, block size, export description, rotational,
# multi-conn.

source "$SRCDIR/functions.sh"
set -e
set -x

requires nbdsh --version
requires nbdinfo --version

features=$(test_plugin features)
test -f "$features"

cat > $tmpdir/data.py <<'PY'
import errno, nbd, sys
import nbdclient
from nbdclient import counter

sock = sys.argv[1]

def connect(name):
    return nbdclient.connect(sock, name, base_allocation=True)

def report():
    return nbdclient.report(sock)

h = connect("full")
size = h.get_size()
assert not h.is_read_only()
assert h.can_flush() and h.can_fua() and h.can_trim()
assert h.can_zero() and h.can_fast_zero() and h.can_cache()
assert h.can_multi_conn()
assert h.is_rotational()
assert h.get_block_size(nbd.SIZE_MINIMUM) == 512
assert h.get_block_size(nbd.SIZE_PREFERRED) == 4096
assert h.get_block_size(nbd.SIZE_MAXIMUM) == 1024 * 1024

# Native FUA: PWrite sees the flag, nbdkit does not add a flush.
r0 = report()
h.pwrite(b"N" * 4096, 8192, nbd.CMD_FLAG_FUA)
r1 = report()
assert counter(r1, "pwrite_fua") == counter(r0, "pwrite_fua") + 1, r1
assert counter(r1, "flush") == counter(r0, "flush"), (r0, r1)

# Extents: 4K blocks never written are holes.
entries = []
h.block_status(65536, 0, lambda ctx, off, e, err: entries.extend(e))
assert entries[:6] == [8192, nbd.STATE_HOLE | nbd.STATE_ZERO, 4096, 0,
                       65536 - 12288, nbd.STATE_HOLE | nbd.STATE_ZERO], entries
assert counter(report(), "extents") >= 1

# Zero (the plugin's own), trim, and fast zero: allowed in the first
# half, refused (ENOTSUP, without falling back to writing) in the
# second.
h.zero(4096, 8192)
assert h.pread(4096, 8192) == bytes(4096)
h.pwrite(b"T" * 4096, 8192)
h.trim(4096, 8192)
h.zero(4096, 0, nbd.CMD_FLAG_FAST_ZERO)
h.pwrite(b"S" * 4096, size - 4096)
r0 = report()
try:
    h.zero(4096, size - 4096, nbd.CMD_FLAG_FAST_ZERO)
    assert False, "fast zero was not refused"
except nbd.Error as e:
    assert e.errnum == errno.ENOTSUP, e
assert h.pread(4096, size - 4096) == b"S" * 4096
r1 = report()
assert counter(r1, "zero_fast_refused") == counter(r0, "zero_fast_refused") + 1
assert counter(r1, "pwrite") == counter(r0, "pwrite")  # no fallback
assert counter(r1, "trim") >= 1

# Cache reaches the plugin.
h.cache(65536, 0)
assert counter(report(), "cache") == counter(r1, "cache") + 1

h.flush()
h.shutdown()
print("data: ok")
PY

nbdkit -U - $golang_plugin $features --run '
  set -e
  python3 '$tmpdir'/data.py "$unixsocket" > '$tmpdir'/out
  nbdinfo "nbd+unix:///full?socket=$unixsocket" > '$tmpdir'/info
  nbdinfo --map "nbd+unix:///full?socket=$unixsocket" > '$tmpdir'/map
'
cat $tmpdir/out $tmpdir/info $tmpdir/map
grep 'data: ok' $tmpdir/out
grep 'description: features: full' $tmpdir/info
grep 'block_size_minimum: 512' $tmpdir/info
grep 'block_size_preferred: 4096' $tmpdir/info
grep 'block_size_maximum: 1048576' $tmpdir/info
grep 'is_rotational: true' $tmpdir/info
grep 'can_cache: true' $tmpdir/info
grep 'can_fast_zero: true' $tmpdir/info
grep -E '^ +0 +8192 +3 +hole,zero$' $tmpdir/map
grep -E '^ +8192 +4096 +0 +data$' $tmpdir/map
grep -E '^ +12288 +1032192 +3 +hole,zero$' $tmpdir/map
