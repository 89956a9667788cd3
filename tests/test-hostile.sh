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

# Hostile input at the edges.  Asserted: every request that nbdkit's
# rules forbid fails with an error (never a crash, never a call into
# the plugin past the end of the disk: the plugin counts those as
# "bad"); what the plugin returns that breaks nbdkit's rules (a
# negative size, extents that are missing, too many, unordered, before
# the request or past the end of the disk) fails the one request or
# connection with an error, or is clamped; a size that changes between
# connections is seen by each connection consistently; maximum-size
# requests (32M, 64M) work; and after all of it the server still
# serves.

source "$SRCDIR/functions.sh"
set -e
set -x
reldisk_setup

# In the default forking mode nbdkit keeps its stderr only with -v, and
# sends errors there only with --log=stderr.
start_nbdkit -P "$pid" -U "$sock" -v --log=stderr \
             "$golang_plugin" "$reldisk" size=128M threadmodel=parallel \
             log="$log" 2> "$tmpdir/stderr"

timeout "$TEST_TIMEOUT" python3 - "$sock" <<'EOF_PY'
import sys
import nbd
import nbdclient

sock = sys.argv[1]
size = 128 << 20
M = 1 << 20

def fails(what, f):
    try:
        f()
    except nbd.Error as e:
        print("%-40s fails: %s" % (what, e))
        return e
    raise AssertionError("%s succeeded" % what)

def alive():
    h = nbdclient.connect(sock)
    assert h.get_size() == size
    h.pread(512, 0)
    h.shutdown()

# Requests at and past the end, with libnbd's own checks off so that
# they reach the server.
h = nbdclient.connect(sock, strict=False)
assert h.get_size() == size
h.pwrite(b"\x55" * 512, size - 512)
assert h.pread(512, size - 512) == b"\x55" * 512
fails("read at the end", lambda: h.pread(512, size))
fails("read across the end", lambda: h.pread(1024, size - 512))
fails("read far past the end", lambda: h.pread(512, 1 << 62))
fails("read at offset 2^64-512", lambda: h.pread(512, (1 << 64) - 512))
fails("write at the end", lambda: h.pwrite(b"x" * 512, size))
fails("write across the end", lambda: h.pwrite(b"x" * 1024, size - 512))
fails("zero across the end", lambda: h.zero(1024, size - 512))
# Zero-length requests: nbdkit may accept or refuse them, but the
# connection survives.
for what, f in (("zero-length read", lambda: h.pread(0, 4096)),
                ("zero-length write", lambda: h.pwrite(b"", 4096)),
                ("zero-length read at the end", lambda: h.pread(0, size))):
    try:
        f()
        print("%-40s succeeds" % what)
    except nbd.Error as e:
        print("%-40s fails: %s" % (what, e))
assert h.pread(512, size - 512) == b"\x55" * 512

# Maximum-size requests.
for count in (32 * M, 64 * M):
    data = nbdclient.pattern(0, count, count)
    h.pwrite(data, size - count)
    assert h.pread(count, size - count) == data
    print("%-40s ok" % ("read and write of %d MiB" % (count // M)))
h.shutdown()

# Past the maximum request size (64M): refused, server survives.
h = nbdclient.connect(sock, strict=False)
fails("read of 64M + 512", lambda: h.pread(64 * M + 512, 0))
try:
    h.shutdown()
except nbd.Error:
    pass
alive()

# A negative size: the connection fails, the server survives.
h = nbd.NBD()
h.set_export_name("negsize")
fails("connect to a disk of size -4096", lambda: h.connect_unix(sock))
alive()

# A size that changes between connections: each connection is
# consistent with the size it was given.
sizes = []
for i in range(3):
    h = nbdclient.connect(sock, "grow", strict=False)
    s = h.get_size()
    sizes.append(s)
    h.pread(512, s - 512)
    fails("read at the end of a grown disk", lambda: h.pread(512, s))
    h.shutdown()
print("sizes of the grow export:", sizes)
assert sizes[1] == sizes[0] + 4096 and sizes[2] == sizes[1] + 4096

# Extents callbacks that break the rules.
for mode in ("good", "few", "many", "unordered", "backwards", "beyond"):
    h = nbd.NBD()
    h.set_export_name("extents-" + mode)
    h.add_meta_context("base:allocation")
    h.set_strict_mode(0)
    h.connect_unix(sock)
    assert h.can_meta_context("base:allocation")
    for off, count in ((65536, 65536), (size - 4096, 4096), (0, 1 << 20)):
        got = []

        def cb(meta, o, entries, err):
            got.append((o, list(entries)))
            return 0
        try:
            h.block_status(count, off, cb)
        except nbd.Error as e:
            print("extents-%-10s %d+%d fails: %s" % (mode, off, count, e))
            assert mode != "good", e
            continue
        assert len(got) == 1 and got[0][0] == off, got
        ents = got[0][1]
        lengths = ents[0::2]
        assert len(ents) >= 2 and all(n > 0 for n in lengths), ents
        # What reaches the client starts at the request and stays
        # inside the disk.
        assert off + sum(lengths) <= size, (off, sum(lengths))
        print("extents-%-10s %d+%d: %d extents, %d bytes"
              % (mode, off, count, len(lengths), sum(lengths)))
        if mode == "good":
            assert lengths == [count], ents
    try:
        h.pread(512, 0)
        h.shutdown()
    except nbd.Error as e:
        print("extents-%s: connection dropped: %s" % (mode, e))
        assert mode != "good", e
    alive()
EOF_PY

kill -0 "$(cat "$pid")"
reldisk_wait_closed "$log"
kill_nbdkit "$(cat "$pid")"
grep -v 'debug:' "$tmpdir/stderr"
# The broken rules are reported clearly.
grep -Ei 'error: .*negative' "$tmpdir/stderr"
grep -Ei 'error: .*extent' "$tmpdir/stderr"
reldisk_stats "$log"
reldisk_expect bad=0 confused=0 live=0
grep -q '^serve .* unload$' "$log"
