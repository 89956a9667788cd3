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

# The Go race detector.
#
# 1. golib's own tests run with -race (asserted: they must run and
#    pass).
# 2. End to end: the reldisk plugin built with -race -buildmode=c-shared
#    and served to 4 connections x queue depth 16 of reads and writes.
#    The race runtime (ThreadSanitizer) maps its shadow memory at fixed
#    addresses computed from the addresses of the program's code and
#    heap; a c-shared library dlopened into a position-independent host
#    such as nbdkit lies outside the ranges it supports, so on
#    linux/amd64 (Go 1.19 and Go 1.26 alike) the library fails at load
#    with "ThreadSanitizer failed to allocate ...".  The test probes
#    this: if the race-built library cannot load, it prints why and
#    asserts only part 1; if it loads, the run must finish without
#    errors and without a "DATA RACE" report.

source "$SRCDIR/functions.sh"
set -e
set -x
reldisk_setup
requires gcc --version

export CGO_ENABLED=1

# 1. golib's tests under -race.
(cd "$abs_top_srcdir/golib" &&
     timeout "$TEST_TIMEOUT" "$GOLANG" test -race -count=1 ./...) \
    > "$tmpdir/golib-race.out" 2>&1 || {
    cat "$tmpdir/golib-race.out"
    echo "$0: golib's tests failed under -race"
    exit 1
}
cat "$tmpdir/golib-race.out"
grep -q '^ok ' "$tmpdir/golib-race.out"
if grep -q 'DATA RACE' "$tmpdir/golib-race.out"; then exit 1; fi

# 2. The probe and the end-to-end run.
race_lib="$tmpdir/libreldisk-race.so"
(cd "$abs_top_srcdir/tests/plugins/reldisk" &&
     timeout "$TEST_TIMEOUT" "$GOLANG" build -race -buildmode=c-shared \
             -o "$race_lib" .)

if ! timeout 60 nbdkit "$golang_plugin" "$race_lib" --dump-plugin \
     > "$tmpdir/probe.out" 2>&1; then
    cat "$tmpdir/probe.out"
    if grep -q 'ThreadSanitizer failed to allocate' "$tmpdir/probe.out"; then
        echo "$0: $("$GOLANG" version): the race runtime cannot run in a"
        echo "$0: c-shared library loaded by nbdkit (see the comment at the"
        echo "$0: top of this test), so only golib's tests ran under -race."
        exit 0
    fi
    echo "$0: the race-built plugin failed to load for another reason"
    exit 1
fi

start_nbdkit_fg -P "$pid" -U "$sock" \
             "$golang_plugin" "$race_lib" \
             size=64M threadmodel=parallel pressure=alloc log="$log" \
             2> "$tmpdir/stderr"

timeout "$TEST_TIMEOUT" python3 - "$sock" <<'EOF_PY'
import random, sys
import nbdclient

sock = sys.argv[1]

def job(c):
    def run():
        h = nbdclient.connect(sock)
        base = c * (16 << 20)
        rnd = random.Random(c)
        blocks = [base + i * 65536 for i in range(256)]
        rnd.shuffle(blocks)
        res = nbdclient.run_ops(h, [("w", o, nbdclient.pattern(o, 65536, c))
                                 for o in blocks], 16)
        assert all(r[0] == 0 for r in res)
        res = nbdclient.run_ops(h, [("r", o, 65536) for o in blocks], 16)
        for o, r in zip(blocks, res):
            assert r[0] == 0 and r[1] == nbdclient.pattern(o, 65536, c), o
        h.shutdown()
        return 2 * len(blocks)
    return run

n = sum(nbdclient.run_parallel([job(c) for c in range(4)]))
print("race-built plugin: 4 connections x queue depth 16, %d requests" % n)
EOF_PY

reldisk_wait_closed "$log"
kill "$(cat "$pid")"
wait "$nbdkit_bg"
cat "$tmpdir/stderr"
if grep -q 'DATA RACE' "$tmpdir/stderr"; then exit 1; fi
reldisk_expect live=0
