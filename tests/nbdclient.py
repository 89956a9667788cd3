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

"""The python3-libnbd clients of the tests, one module for all of
them (the tests find it through PYTHONPATH, set by functions.sh).

connect() opens a connection; report(), counter() and expect_error()
serve the tests of the golib "features" test plugin; run_ops(),
run_parallel() and pattern() keep many requests in flight on many
connections at once, and parse_log() and cleanup_stats() read the log
of the reldisk test plugin.

An operation of run_ops() is a tuple:
    ("r", offset, count)          read; result is (0 or errno, bytes)
    ("w", offset, data)           write; result is (0 or errno, None)
    ("b", offset, count)          block status; result is (0 or errno, extents)
The result list has one entry per operation, in the same order.  An
errno is the name libnbd gives it ("EIO"), as in nbd.Error.errno.
"""

import array
import sys
import threading

import nbd


def connect(sock, export="", strict=True, base_allocation=False):
    """Connect to the Unix socket SOCK and select EXPORT; with
    BASE_ALLOCATION, ask for the base:allocation context (for block
    status).  STRICT=False turns off libnbd's own checks of requests,
    so that the server sees what a hostile client would send."""
    h = nbd.NBD()
    h.set_export_name(export)
    if base_allocation:
        h.add_meta_context(nbd.CONTEXT_BASE_ALLOCATION)
    if not strict:
        h.set_strict_mode(0)
    h.connect_unix(sock)
    return h


def report(sock, size=4096):
    """Read the report of the golib "features" test plugin
    (tests/plugins/features): its "report" export reads back as
    key=value lines saying what the plugin has seen (counters of calls,
    results of helpers).  Returned as a dict of strings."""
    h = connect(sock, "report")
    text = h.pread(size, 0).rstrip(b"\0").decode()
    h.shutdown()
    return dict(line.split("=", 1) for line in text.splitlines())


def counter(r, name):
    """How many times the report R says callback NAME was called."""
    return int(r.get("count_" + name, "0"))


def expect_error(f, errnum):
    """Call F, which must fail with an nbd.Error carrying ERRNUM."""
    try:
        f()
    except nbd.Error as e:
        assert e.errnum == errnum, (e.errnum, errnum, e)
        return
    assert False, "no error"


# python3-libnbd 1.14 never frees an nbd.Buffer (each leaks its whole
# size: 1000 reads of 1 MiB leak 1 GiB), so read buffers are reused
# from a pool, and writes pass bytes, which do not leak.
_pool = {}
_pool_lock = threading.Lock()


def _get_buffer(count):
    with _pool_lock:
        free = _pool.setdefault(count, [])
        if free:
            return free.pop()
    return nbd.Buffer(count)


def _put_buffer(buf):
    with _pool_lock:
        _pool[len(buf)].append(buf)


def run_ops(h, ops, qd):
    """Run OPS on handle H with up to QD requests in flight."""
    results = [None] * len(ops)
    pending = {}
    it = iter(enumerate(ops))
    exhausted = False
    while True:
        while not exhausted and len(pending) < qd:
            nxt = next(it, None)
            if nxt is None:
                exhausted = True
                break
            i, op = nxt
            kind = op[0]
            try:
                if kind == "r":
                    buf = _get_buffer(op[2])
                    try:
                        cookie = h.aio_pread(buf, op[1])
                    except nbd.Error:
                        _put_buffer(buf)
                        raise
                elif kind == "w":
                    # bytes, not nbd.Buffer: see _get_buffer.
                    buf = bytes(op[2])
                    cookie = h.aio_pwrite(buf, op[1])
                elif kind == "b":
                    ents = []

                    def cb(meta, off, entries, err, ents=ents):
                        ents.append((off, list(entries)))
                        return 0
                    buf = ents
                    cookie = h.aio_block_status(op[2], op[1], cb)
                else:
                    raise ValueError(kind)
            except nbd.Error as e:
                results[i] = (e.errno or "EIO", None)
                continue
            pending[cookie] = (i, kind, buf)
        if not pending:
            return results
        h.poll(-1)
        for cookie in list(pending):
            i, kind, buf = pending[cookie]
            try:
                if not h.aio_command_completed(cookie):
                    continue
                if kind == "r":
                    results[i] = (0, buf.to_bytearray())
                elif kind == "b":
                    results[i] = (0, buf)
                else:
                    results[i] = (0, None)
            except nbd.Error as e:
                results[i] = (e.errno or "EIO", None)
            if kind == "r":
                _put_buffer(buf)
            del pending[cookie]


def run_parallel(jobs):
    """JOBS is a list of callables; run each in its own thread and
    return their results (re-raising the first exception)."""
    results = [None] * len(jobs)
    excs = []

    def wrap(i, f):
        try:
            results[i] = f()
        except BaseException as e:  # noqa: B902
            excs.append(e)
    threads = [threading.Thread(target=wrap, args=(i, f))
               for i, f in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if excs:
        raise excs[0]
    return results


def pattern(offset, count, seed=0):
    """Deterministic data for [offset, offset+count): every aligned
    8-byte word holds its own offset xor SEED, so misplaced data is
    detected."""
    base = offset - offset % 8
    words = array.array("Q", (o ^ seed for o in range(base, offset + count + 8, 8)))
    if sys.byteorder != "little":
        words.byteswap()
    raw = words.tobytes()
    return raw[offset - base:offset - base + count]


def parse_log(path, phase="serve"):
    """Return the lines of the reldisk log written in PHASE, split into
    (event, {key: value}) pairs (values are the raw strings)."""
    out = []
    with open(path) as f:
        for line in f:
            parts = line.rstrip("\n").split(" ")
            if parts[0] != phase:
                continue
            kv = {}
            for p in parts[3:]:
                if "=" in p:
                    k, v = p.split("=", 1)
                    kv[k] = v
            out.append((parts[2], kv))
    return out


def cleanup_stats(path):
    """The counters of the reldisk log's serve-phase cleanup line."""
    stats = [kv for ev, kv in parse_log(path) if ev == "cleanup"]
    assert len(stats) == 1, "expected one cleanup line, got %d" % len(stats)
    return {k: int(v) for k, v in stats[0].items()}
