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

# The Go side under pressure, with the same verified fio workload as
# test-integrity.sh (8 connections x queue depth 16):
#
# - pressure=alloc: every request allocates, keeps garbage alive,
#   starts four goroutines (which also do the copy into and out of
#   nbdkit's buffer) and every 64th request forces runtime.GC().
# - pressure=spin: every 64th request burns the CPU for 30 ms in a loop
#   without preemption points, so the Go runtime's asynchronous
#   preemption (SIGURG) is sent to the nbdkit thread running it.  After
#   the fio run, strace, attached to the serving nbdkit, records the
#   SIGURGs delivered while 512 more reads are served: at least one
#   must have hit a thread that the plugin logged as spinning in a
#   callback (an nbdkit thread; the test proves the signal arrives, the
#   fio run that nothing breaks).
#
# No client may see an error and no data may differ.

source "$SRCDIR/functions.sh"
set -e
set -x
reldisk_setup
requires fio --version
requires strace -V

for pressure in alloc spin; do
    sock="$tmpdir/sock-$pressure"
    pid="$tmpdir/pid-$pressure"
    log="$tmpdir/log-$pressure"
    start_nbdkit -P "$pid" -U "$sock" "$golang_plugin" "$reldisk" \
                 size=256M threadmodel=parallel pressure=$pressure log="$log"
    fio_verify "$sock" 8 16 2
    if [ $pressure = spin ]; then
        timeout 120 strace -f -p "$(cat "$pid")" -e trace=none \
                -e signal=SIGURG -o "$tmpdir/strace" 2> "$tmpdir/strace.err" &
        strace_pid=$!
        cleanup_fn kill "$strace_pid"
        WAIT_TRIES=300 wait_for_log "$tmpdir/strace.err" attached
        grep '^serve .* spin tid=' "$log" | sort > "$tmpdir/spins-before"
        timeout 120 python3 - "$sock" <<'EOF_PY'
import sys
import nbdclient

h = nbdclient.connect(sys.argv[1])
res = nbdclient.run_ops(h, [("r", i * 4096, 4096) for i in range(512)], 8)
assert all(r[0] == 0 for r in res)
h.shutdown()
EOF_PY
        kill -INT "$strace_pid"
        wait "$strace_pid" || :
        urg_tids=$(sed -n 's/^\([0-9]*\) *--- SIGURG .*/\1/p' "$tmpdir/strace" | sort -u)
        spin_tids=$(grep '^serve .* spin tid=' "$log" | sort |
                        comm -13 "$tmpdir/spins-before" - |
                        sed -n 's/.* spin tid=\([0-9]*\)$/\1/p' | sort -u)
        echo "SIGURG delivered: $(grep -c -- '--- SIGURG' "$tmpdir/strace")," \
             "to threads:" $urg_tids
        echo "threads that spun in a callback meanwhile:" $spin_tids
        test -n "$(comm -12 <(echo "$urg_tids") <(echo "$spin_tids"))"
    fi
    reldisk_stop
    reldisk_expect live=0 confused=0 bad=0
    case $pressure in
        alloc)
            test "$(reldisk_stat "$log" gcs)" -gt 0
            test "$(reldisk_stat "$log" workers)" -gt 0 ;;
        spin)
            test "$(reldisk_stat "$log" spins)" -gt 0 ;;
    esac
done
