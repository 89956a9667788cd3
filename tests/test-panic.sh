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

# Panics in a callback.  The plugin panics in pread and pwrite at 6
# chosen offsets.  4 connections x queue depth 16 write a pattern to
# every 4 KiB block of the disk and read every block back, twice over.
# Exactly the requests at those offsets fail, with EIO; every other
# request on every connection succeeds with the right data; each panic
# is logged with its message and stack; the server stays up and serves
# a new connection afterwards.

source "$SRCDIR/functions.sh"
set -e
set -x
reldisk_setup

panics="4096,69632,131072,462848,819200,1044480"
# In the default forking mode nbdkit keeps its stderr only with -v, and
# sends errors there only with --log=stderr.
start_nbdkit -P "$pid" -U "$sock" -v --log=stderr \
             "$golang_plugin" "$reldisk" \
             threadmodel=parallel panic=$panics log="$log" \
             2> "$tmpdir/stderr"

timeout "$TEST_TIMEOUT" python3 - "$sock" "$panics" "$tmpdir/injected" <<'EOF_PY'
import sys
import nbdclient

sock = sys.argv[1]
panics = set(int(x) for x in sys.argv[2].split(","))
blocks = [i * 4096 for i in range(256)]
conns, depth = 4, 16

def job(c):
    def run():
        h = nbdclient.connect(sock)
        failed = 0
        for rnd in range(2):
            # Connection c writes its own seed to blocks b with
            # b/4096 % conns == c, so the data read back is known.
            mine = [b for b in blocks if (b // 4096) % conns == c]
            wops = [("w", b, nbdclient.pattern(b, 4096, c + 1)) for b in mine]
            for (_, b, _), r in zip(wops, nbdclient.run_ops(h, wops, depth)):
                if b in panics:
                    assert r[0] == "EIO", ("write", b, r[0])
                    failed += 1
                else:
                    assert r[0] == 0, ("write", b, r[0])
            h.flush()
            # Wait until every connection has written (reads below
            # check all blocks).
            barrier.wait()
            rops = [("r", b, 4096) for b in blocks]
            for (_, b, _), r in zip(rops, nbdclient.run_ops(h, rops, depth)):
                if b in panics:
                    assert r[0] == "EIO", ("read", b, r[0])
                    failed += 1
                else:
                    assert r[0] == 0, ("read", b, r[0])
                    seed = (b // 4096) % conns + 1
                    assert r[1] == nbdclient.pattern(b, 4096, seed), ("data", b)
            barrier.wait()
        h.shutdown()
        return failed, 2 * (len(wops) + len(rops))
    return run

import threading
barrier = threading.Barrier(conns)
res = nbdclient.run_parallel([job(c) for c in range(conns)])
failed = sum(r[0] for r in res)
total = sum(r[1] for r in res)
print("panic test: %d connections x queue depth %d: %d requests, "
      "%d panics injected and answered with EIO, %d requests succeeded"
      % (conns, depth, total, failed, total - failed))
# Per round: 6 panicking writes (each block is written by one
# connection) and 6 panicking reads per connection.
assert failed == 2 * (len(panics) + conns * len(panics)), failed
open(sys.argv[3], "w").write("%d\n" % failed)

# The server is still up and serves a new connection.
h = nbdclient.connect(sock)
assert h.pread(4096, 8192) == nbdclient.pattern(8192, 4096, 3)
h.shutdown()
EOF_PY

# Still running.
kill -0 "$(cat "$pid")"
reldisk_stop
cat "$tmpdir/stderr"
test "$(reldisk_stat "$log" panics)" -eq "$(cat "$tmpdir/injected")"
reldisk_expect live=0
# Each panic was logged with its message and a stack.
test "$(grep -c 'reldisk: injected panic at offset' "$tmpdir/stderr")" -ge \
     "$(cat "$tmpdir/injected")"
grep -q 'reldisk.go' "$tmpdir/stderr"
