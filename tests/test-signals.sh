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

# SIGTERM and SIGINT while clients are busy.  nbdkit runs in the
# foreground (so that its exit status can be collected).  Two clients
# (exports "done-0", "done-1") do some I/O and disconnect; then 4
# clients (exports "busy-N") keep writing and reading with queue depth
# 8 (each request sleeps 2 ms in the plugin), and once every one of
# them has done some I/O the signal is sent.  Asserted:
#
# - nbdkit exits with status 0 (within the test's time limit);
# - in the serving process, the plugin saw Close for both finished
#   connections, every Close matches an Open, and Cleanup then Unload
#   are the last calls (nothing after Cleanup).
#
# - no Close for the busy connections: nbdkit (1.32.5, 1.42.3 and 1.44.1
#   measured) never calls .close for a connection still open when it
#   exits, for any plugin (the same happens with nbdkit's own python
#   plugin): a connection thread that sees the server quitting skips
#   it, because the main thread is unloading the plugin.  An nbdkit
#   that starts calling it fails this test, which then needs its
#   version's behaviour written down.

source "$SRCDIR/functions.sh"
set -e
set -x
reldisk_setup

for sig in TERM INT; do
    sock="$tmpdir/sock-$sig"
    pid="$tmpdir/pid-$sig"
    log="$tmpdir/log-$sig"
    start_nbdkit_fg -P "$pid" -U "$sock" "$golang_plugin" "$reldisk" \
                 size=64M threadmodel=parallel sleep=2 log="$log"

    timeout 60 python3 - "$sock" <<'EOF_PY'
import sys
import nbdclient

for c in range(2):
    h = nbdclient.connect(sys.argv[1], "done-%d" % c)
    res = nbdclient.run_ops(h, [("w", 0, b"d" * 4096), ("r", 0, 4096)] * 8, 4)
    assert all(r[0] == 0 for r in res)
    h.shutdown()
EOF_PY
    wait_for_lines "$log" '^serve .* close .*export="done-' 2

    # The busy clients run until the server goes away (at most 120 s).
    timeout 120 python3 - "$sock" "$tmpdir/busy-$sig" <<'EOF_PY' &
import os, sys
import nbdclient

sock, flag = sys.argv[1], sys.argv[2]

def job(c):
    def run():
        h = nbdclient.connect(sock, "busy-%d" % c)
        base = c * (8 << 20)
        n = 0
        while True:
            ops = []
            for i in range(16):
                o = base + ((n + i) % 128) * 65536
                ops.append(("w", o, nbdclient.pattern(o, 65536, c)))
                ops.append(("r", o, 65536))
            res = nbdclient.run_ops(h, ops, 8)
            if any(r[0] != 0 for r in res):
                return n
            n += len(ops)
            if n == len(ops):
                open("%s.%d" % (flag, c), "w").close()
    return run

try:
    print("requests before the signal:",
          nbdclient.run_parallel([job(c) for c in range(4)]))
except Exception as e:
    print("client stopped: %s" % e)
EOF_PY
    clients=$!
    cleanup_fn kill "$clients"
    for c in 0 1 2 3; do
        wait_until test -e "$tmpdir/busy-$sig.$c"
    done

    kill -$sig "$(cat "$pid")"
    status=0
    wait "$nbdkit_bg" || status=$?
    echo "nbdkit exited with status $status after SIG$sig"
    test "$status" -eq 0
    wait "$clients" || :

    cat "$log"
    python3 - "$log" <<'EOF_PY'
import sys
import nbdclient

events = nbdclient.parse_log(sys.argv[1])
names = [ev for ev, kv in events]
opened = {kv["id"]: kv["export"] for ev, kv in events if ev == "open"}
closed = [kv["id"] for ev, kv in events if ev == "close"]
print("serving process: %d opens, %d closes, then %s"
      % (len(opened), len(closed), names[-2:]))
assert sorted(opened.values()) == ['"busy-0"', '"busy-1"', '"busy-2"',
                                   '"busy-3"', '"done-0"', '"done-1"'], opened
assert len(set(closed)) == len(closed), closed
assert all(i in opened for i in closed), (opened, closed)
done = [i for i, e in opened.items() if e.startswith('"done-')]
assert all(i in closed for i in done), ("finished connections not closed", closed)
busy_closed = [i for i in closed if i not in done]
print("busy connections closed by nbdkit at exit: %d of 4" % len(busy_closed))
assert busy_closed == [], ("Close called at exit", busy_closed)
assert names[-2:] == ["cleanup", "unload"], names[-2:]
EOF_PY
done
