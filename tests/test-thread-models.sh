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

# Each thread model is honoured.  The plugin counts data calls in
# flight (globally and per connection) and connections open at once,
# and every call sleeps 10 ms so that any concurrency nbdkit allows
# does happen; 4 connections x queue depth 8 x 48 reads each are
# issued at once.  Asserted from the plugin's counters:
#
#   serialize_connections:  never two connections open at once,
#                           never two calls at once
#   serialize_all_requests: never two calls at once
#   serialize_requests:     never two calls at once on one connection
#   parallel:               calls overlapped on one connection
#
# The last is an observation of concurrency, not of timing: with 8
# requests in flight that each sleep 10 ms in the plugin, nbdkit's 16
# worker threads per connection run them at once.

source "$SRCDIR/functions.sh"
set -e
set -x
reldisk_setup

for model in serialize_connections serialize_all_requests \
             serialize_requests parallel; do
    sock="$tmpdir/sock-$model"
    pid="$tmpdir/pid-$model"
    log="$tmpdir/log-$model"
    start_nbdkit -P "$pid" -U "$sock" "$golang_plugin" "$reldisk" \
                 threadmodel=$model sleep=10 log="$log"

    timeout "$TEST_TIMEOUT" python3 - "$sock" <<'EOF_PY'
import sys
import nbdclient

sock = sys.argv[1]
conns, depth, nreq = 4, 8, 48

def job(c):
    def run():
        h = nbdclient.connect(sock)
        ops = [("r", ((c * nreq + i) * 4096) % (1 << 20), 4096)
               for i in range(nreq)]
        res = nbdclient.run_ops(h, ops, depth)
        h.shutdown()
        bad = [r for r in res if r[0] != 0]
        assert not bad, "connection %d: %d requests failed" % (c, len(bad))
        return len(res)
    return run

n = sum(nbdclient.run_parallel([job(c) for c in range(conns)]))
print("thread model test: %d connections x queue depth %d, %d requests"
      % (conns, depth, n))
EOF_PY

    reldisk_stop
    grep -q "^serve .* config_complete threadmodel=$model " "$log"
    test "$(reldisk_stat "$log" requests)" -ge 192
    reldisk_expect live=0
    case $model in
        serialize_connections)
            reldisk_expect maxlive=1 maxglobal=1 ;;
        serialize_all_requests)
            reldisk_expect maxglobal=1 ;;
        serialize_requests)
            reldisk_expect maxconn=1
            echo "cross-connection overlaps: $(reldisk_stat "$log" cross)" ;;
        parallel)
            test "$(reldisk_stat "$log" maxconn)" -gt 1 ;;
    esac
done
