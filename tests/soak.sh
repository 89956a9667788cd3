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
# allocation pressure) in its default forking mode.  The whole disk is
# written once (so that the RAM disk's own pages are resident), then 4
# client threads run cycles of connect, 8 writes and 8 reads of mixed
# sizes (512 B to 1 MiB, queue depth 4, data checked), block status and
# disconnect: SOAK_WARMUP seconds (default 60) of warm-up, then
# SOAK_SECONDS (default 600) measured.  nbdkit's RSS (VmRSS of the
# serving process) is sampled at the end of the warm-up, every
# SOAK_INTERVAL seconds (default 60) and at the end, and printed.
#
# The bound is deliberately generous, to catch leaks and not noise: the
# soak fails only if the final RSS exceeds the first sample by more
# than 50% AND by more than 64 MiB.  (A leak of one small allocation
# per request or per connection, e.g. a cgo.Handle or a C string never
# freed, grows far past that over ten minutes of cycles; the Go heap's
# own breathing, GC pacing and malloc arenas stay well inside it.)

source "$SRCDIR/functions.sh"
set -e
set -x
reldisk_setup

: "${SOAK_SECONDS:=600}"
: "${SOAK_INTERVAL:=60}"
: "${SOAK_WARMUP:=60}"

sock="$tmpdir/sock"
pid="$tmpdir/pid"
log="$tmpdir/log"
start_nbdkit -P "$pid" -U "$sock" "$golang_plugin" "$reldisk" \
             size=64M threadmodel=parallel pressure=alloc log="$log"

timeout $((SOAK_SECONDS + SOAK_WARMUP + 600)) python3 - "$sock" "$(cat "$pid")" \
        "$SOAK_SECONDS" "$SOAK_INTERVAL" "$SOAK_WARMUP" <<'EOF_PY'
import random, sys, threading, time
import nbd
import nbdclient

sock, pid = sys.argv[1], int(sys.argv[2])
seconds, interval, warmup = (int(x) for x in sys.argv[3:6])
size = 64 << 20
M = 1 << 20

def rss_kib():
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")

# Write the whole disk once, so that the RAM disk's pages are resident.
h = nbdclient.connect(sock)
ops = [("w", o, nbdclient.pattern(o, M, 0)) for o in range(0, size, M)]
assert all(r[0] == 0 for r in nbdclient.run_ops(h, ops, 8))
h.shutdown()
print("soak: RSS after writing the disk: %d KiB" % rss_kib(), flush=True)

counts = {"cycles": 0, "requests": 0, "bytes": 0}
lock = threading.Lock()
stop = threading.Event()
errors = []

def overlaps(a, b):
    return a[1] < b[1] + len(b[2]) and b[1] < a[1] + len(a[2])

def cycle(rnd, base, region):
    h = nbd.NBD()
    h.add_meta_context("base:allocation")
    h.connect_unix(sock)
    ops = []
    for _ in range(8):
        count = rnd.choice((512, 4096, 65536, 1 << 20))
        off = base + rnd.randrange(0, region - count + 1, 512)
        seed = rnd.randrange(1 << 32)
        ops.append(("w", off, nbdclient.pattern(off, count, seed)))
        ops.append(("r", off, count))
    res = nbdclient.run_ops(h, ops, 4)
    assert all(r[0] == 0 for r in res), [r[0] for r in res]
    nbytes = 2 * sum(len(op[2]) for op in ops if op[0] == "w")
    # Writes in flight together complete in any order: check the data
    # of each write that overlaps no other write of the batch.
    writes = [op for op in ops if op[0] == "w"]
    for w in writes:
        if not any(o is not w and overlaps(w, o) for o in writes):
            assert h.pread(len(w[2]), w[1]) == w[2], "data differs at %d" % w[1]
            nbytes += len(w[2])
    h.block_status(M, base, lambda *a: 0)
    h.shutdown()
    with lock:
        counts["cycles"] += 1
        counts["requests"] += len(ops) + len(writes) + 1
        counts["bytes"] += nbytes

def worker(t):
    rnd = random.Random(t)
    region = size // 4
    try:
        while not stop.is_set():
            cycle(rnd, t * region, region)
    except BaseException as e:
        errors.append(e)
        stop.set()
        raise

threads = [threading.Thread(target=worker, args=(t,), daemon=True)
           for t in range(4)]
for t in threads:
    t.start()

# Warm-up cycles: the Go heap, nbdkit's thread stacks and malloc's
# arenas reach their working size before the first sample.
time.sleep(warmup)
start = time.monotonic()
samples = [(0, rss_kib())]
print("soak: after %d s of warm-up cycles: RSS %d KiB, %d cycles"
      % (warmup, samples[0][1], counts["cycles"]), flush=True)
c0 = dict(counts)
last_cycles = counts["cycles"]

def stall_report():
    import os
    print("soak: STALL: load average %s" % (os.getloadavg(),))
    for tid in sorted(os.listdir("/proc/%d/task" % pid), key=int):
        base = "/proc/%d/task/%s/" % (pid, tid)
        try:
            stat = open(base + "stat").read().rsplit(")", 1)[1].split()
            wchan = open(base + "wchan").read()
        except OSError:
            continue
        print("soak: nbdkit thread %s state %s wchan %s" % (tid, stat[0], wchan))
next_sample = start + interval
end = start + seconds
while not stop.is_set() and time.monotonic() < end:
    time.sleep(min(1, max(0, end - time.monotonic())))
    now = time.monotonic()
    if now >= next_sample:
        samples.append((int(now - start), rss_kib()))
        print("soak: t=%4ds RSS %d KiB, %d cycles" %
              (samples[-1][0], samples[-1][1], counts["cycles"]), flush=True)
        next_sample += interval
        if counts["cycles"] == last_cycles:
            # No cycle completed in a whole interval: show where
            # nbdkit's threads are, then fail.
            stall_report()
            errors.append(RuntimeError("no cycle completed in %d s" % interval))
            stop.set()
            break
        last_cycles = counts["cycles"]
stop.set()
for t in threads:
    # A stalled client never returns: give up on it after a while.
    t.join(timeout=60)
if errors:
    raise SystemExit("soak: a client failed: %r" % errors[0])
time.sleep(2)
samples.append((int(time.monotonic() - start), rss_kib()))

first, last = samples[0][1], samples[-1][1]
print("soak: %d s after warm-up: %d connect/IO/disconnect cycles, "
      "%d requests, %d bytes written, read and checked"
      % (seconds, counts["cycles"] - c0["cycles"],
         counts["requests"] - c0["requests"], counts["bytes"] - c0["bytes"]))
print("soak: RSS samples (s, KiB): %s" % samples)
print("soak: RSS first %d KiB, last %d KiB, growth %+d KiB (%+.1f%%)"
      % (first, last, last - first, 100.0 * (last - first) / first))
if last > first * 1.5 and last - first > 64 * 1024:
    raise SystemExit("soak: RSS grew beyond the bound (50%% and 64 MiB)")
EOF_PY

kill_nbdkit "$(cat "$pid")"
reldisk_stats "$log"
test "$(reldisk_stat "$log" live)" -eq 0
test "$(reldisk_stat "$log" confused)" -eq 0
