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

# Memory soak ("make soak"; never part of "make check").
#
# nbdkit serves the reldisk test plugin (64 MiB, PARALLEL, with Go
# allocation pressure) in its default forking mode.  After a warm-up
# that writes the whole disk once (so that the RAM disk's own pages are
# resident before the first sample), 4 client threads run cycles of
# connect, a few writes and reads of mixed sizes (checked), block
# status and disconnect, for SOAK_SECONDS (default 600).  nbdkit's RSS
# (VmRSS of the serving process) is sampled after the warm-up, every
# SOAK_INTERVAL seconds (default 60) and at the end, and printed.
#
# The bound is deliberately generous, to catch leaks and not noise: the
# soak fails only if the final RSS exceeds the first sample by more
# than 50% AND by more than 64 MiB.  (A leak of one small allocation
# per request or per connection, e.g. a cgo.Handle or a C string never
# freed, grows far past that over ten minutes of cycles; the Go heap's
# own breathing, GC pacing and malloc arenas stay well inside it.)

source ./functions.sh
set -e
set -x
source "$SRCDIR/rel/relfuncs.sh"

: "${SOAK_SECONDS:=600}"
: "${SOAK_INTERVAL:=60}"

sock="$tmpdir/sock"
pid="$tmpdir/pid"
log="$tmpdir/log"
start_nbdkit -P "$pid" -U "$sock" "$golang_plugin" "$reldisk" \
             size=64M threadmodel=parallel pressure=alloc log="$log"

timeout $((SOAK_SECONDS + 600)) $python - "$sock" "$(cat "$pid")" \
        "$SOAK_SECONDS" "$SOAK_INTERVAL" <<'EOF_PY'
import random, sys, threading, time
import nbd
import rellib

sock, pid = sys.argv[1], int(sys.argv[2])
seconds, interval = int(sys.argv[3]), int(sys.argv[4])
size = 64 << 20
M = 1 << 20

def rss_kib():
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")

# Warm-up: write the whole disk once.
h = rellib.connect(sock)
ops = [("w", o, rellib.pattern(o, M, 0)) for o in range(0, size, M)]
assert all(r[0] == 0 for r in rellib.run_ops(h, ops, 8))
h.shutdown()
time.sleep(2)

samples = [(0, rss_kib())]
print("soak: RSS after warm-up: %d KiB" % samples[0][1], flush=True)
stop = time.monotonic() + seconds
counts = {"cycles": 0, "requests": 0, "bytes": 0}
lock = threading.Lock()

def worker(t):
    rnd = random.Random(t)
    region = size // 4
    base = t * region
    while time.monotonic() < stop:
        h = nbd.NBD()
        h.add_meta_context("base:allocation")
        h.connect_unix(sock)
        ops = []
        for _ in range(8):
            count = rnd.choice((512, 4096, 65536, 1 << 20))
            off = base + rnd.randrange(0, region - count + 1, 512)
            seed = rnd.randrange(1 << 32)
            ops.append(("w", off, rellib.pattern(off, count, seed)))
            ops.append(("r", off, count))
        res = rellib.run_ops(h, ops, 4)
        nbytes = 0
        for i in range(0, len(ops), 2):
            assert res[i][0] == 0 and res[i + 1][0] == 0, (res[i][0], res[i + 1][0])
            # Reads in flight with the write to the same place may see
            # either; the write is checked below with a plain read.
            nbytes += 2 * len(ops[i][2])
        for i in range(0, len(ops), 2):
            _, off, data = ops[i]
            # A later write in this batch may overlap; check only the
            # last write to each place.
            later = [o for o in ops[i + 2::2]
                     if o[1] < off + len(data) and off < o[1] + len(o[2])]
            if not later:
                assert h.pread(len(data), off) == data, off
        h.block_status(M, base, lambda *a: 0)
        h.shutdown()
        with lock:
            counts["cycles"] += 1
            counts["requests"] += len(ops) + 1
            counts["bytes"] += nbytes

threads = [threading.Thread(target=worker, args=(t,)) for t in range(4)]
for t in threads:
    t.start()
start = time.monotonic()
next_sample = start + interval
while any(t.is_alive() for t in threads):
    time.sleep(1)
    now = time.monotonic()
    if now >= next_sample:
        samples.append((int(now - start), rss_kib()))
        print("soak: t=%4ds RSS %d KiB, %d cycles" %
              (samples[-1][0], samples[-1][1], counts["cycles"]), flush=True)
        next_sample += interval
for t in threads:
    t.join()
time.sleep(2)
samples.append((int(time.monotonic() - start), rss_kib()))

first, last = samples[0][1], samples[-1][1]
print("soak: %d s, %d connect/IO/disconnect cycles, %d requests, %d bytes "
      "moved and checked" % (seconds, counts["cycles"], counts["requests"],
                             counts["bytes"]))
print("soak: RSS samples (s, KiB): %s" % samples)
print("soak: RSS first %d KiB, last %d KiB, growth %+d KiB (%+.1f%%)"
      % (first, last, last - first, 100.0 * (last - first) / first))
if last > first * 1.5 and last - first > 64 * 1024:
    raise SystemExit("soak: RSS grew beyond the bound (50%% and 64 MiB)")
EOF_PY

kill_nbdkit "$(cat "$pid")"
rel_stats "$log"
test "$(rel_stat "$log" live)" -eq 0
test "$(rel_stat "$log" confused)" -eq 0
