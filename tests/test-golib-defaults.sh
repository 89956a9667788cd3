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

# nbdkit's defaults for missing callbacks, as a C plugin gets them,
# decided per connection: the features plugin's exports "minimal"
# (GetSize and PRead only), "writeonly" (PWrite, no Flush) and "flush"
# (PWrite and Flush).  FUA on a plugin without Flush is refused, never
# crashes; with Flush it is emulated.

source "$SRCDIR/functions.sh"
set -e
set -x

requires nbdsh --version
requires nbdinfo --version

features=$(test_plugin features)
test -f "$features"

cat > $tmpdir/defaults.py <<'PY'
import errno, nbd, os, sys
import features_client
from features_client import expect_error

sock = sys.argv[1]

def connect(name):
    return features_client.connect(sock, name)

def report():
    return features_client.report(sock)

# minimal: read-only, nothing optional.
h = connect("minimal")
assert h.is_read_only()
assert not h.can_flush()
assert not h.can_fua()
assert not h.can_trim()
assert not h.can_zero()
assert not h.can_fast_zero()
assert not h.can_multi_conn()
assert not h.can_cache()
assert h.is_rotational() == 0
# Without Extenter nbdkit reports everything as data.
assert h.can_meta_context(nbd.CONTEXT_BASE_ALLOCATION)
seen = []
h.block_status(65536, 0,
               lambda ctx, off, entries, err: seen.extend(entries))
assert seen[0] == 65536 and seen[1] == 0, seen
# A write is refused (EPERM) when the client ignores read-only.
h.set_strict_mode(0)
expect_error(lambda: h.pwrite(b"x", 0), errno.EPERM)
assert h.pread(4, 0) == bytes(4)
h.shutdown()

# writeonly: writable because it has PWrite; no flush, no FUA, no
# trim; zero emulated with PWrite; fast zero refused at once.
h = connect("writeonly")
assert not h.is_read_only()
assert not h.can_flush()
assert not h.can_fua()
assert not h.can_trim()
assert h.can_zero()
assert h.can_fast_zero()
assert not h.can_cache()
h.pwrite(b"W" * 8192, 0)
assert h.pread(8192, 0) == b"W" * 8192
h.zero(4096, 0)
assert h.pread(8192, 0) == bytes(4096) + b"W" * 4096
expect_error(lambda: h.zero(4096, 4096, nbd.CMD_FLAG_FAST_ZERO), errno.ENOTSUP)
assert h.pread(4096, 4096) == b"W" * 4096
# FUA without Flush: nbdkit refuses the flag (EINVAL), and the
# connection and the server carry on.
before = report()
h.set_strict_mode(0)
expect_error(lambda: h.pwrite(b"F", 0, nbd.CMD_FLAG_FUA), errno.EINVAL)
expect_error(lambda: h.flush(), errno.EINVAL)
h.pwrite(b"after", 100)
assert h.pread(5, 100) == b"after"
after = report()
assert after.get("count_pwrite_fua", "0") == "0", after
h.shutdown()

# flush: can_flush and can_fua (emulated): a FUA write reaches PWrite
# without the flag, and nbdkit calls Flush after it.
h = connect("flush")
assert h.can_flush()
assert h.can_fua()
before = report()
h.pwrite(b"fua", 0, nbd.CMD_FLAG_FUA)
after = report()
assert after.get("count_pwrite_fua", "0") == "0", after
assert int(after["count_flush"]) == int(before.get("count_flush", "0")) + 1, (before, after)
assert int(after["count_pwrite"]) == int(before["count_pwrite"]) + 1
h.flush()
assert int(report()["count_flush"]) == int(after["count_flush"]) + 1
h.shutdown()
print("defaults: ok")
PY

nbdkit -U - $golang_plugin $features --run 'python3 '$tmpdir'/defaults.py "$unixsocket"' > $tmpdir/out
cat $tmpdir/out
grep 'defaults: ok' $tmpdir/out
