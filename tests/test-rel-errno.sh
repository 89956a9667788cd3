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

# Errors with errno: each errno the NBD protocol carries, returned
# (wrapped) by the Go plugin, reaches the client as itself.  nbdkit
# sends EOVERFLOW only for reads with the DF flag (structured replies)
# and ENOTSUP only for fast zero requests, so those are asked that
# way.  EROFS travels as EPERM (the protocol has no EROFS).

source "$SRCDIR/functions.sh"
set -e
set -x
reldisk_setup

errnos="EPERM EIO ENOMEM EINVAL ENOSPC EOVERFLOW ENOTSUP ESHUTDOWN EROFS"
fail=
i=1
for e in $errnos; do
    fail="$fail${fail:+,}$((i * 4096)):$e"
    i=$((i + 1))
done

start_nbdkit_fg -P "$pid" -U "$sock" \
             "$golang_plugin" "$reldisk" fail="$fail" \
             2> "$tmpdir/stderr"

timeout "$TEST_TIMEOUT" python3 - "$sock" $errnos <<'EOF_PY'
import sys
import nbd
import nbdclient

sock = sys.argv[1]
names = sys.argv[2:]
expect = {"EROFS": "EPERM"}
h = nbdclient.connect(sock)
assert h.can_df() and h.can_fast_zero()
for i, name in enumerate(names, 1):
    off = i * 4096
    want = expect.get(name, name)
    if name == "ENOTSUP":
        how, f = "fast zero", lambda: h.zero(512, off, nbd.CMD_FLAG_FAST_ZERO)
    else:
        how, f = "read with DF", lambda: h.pread_structured(
            512, off, lambda *a: 0, nbd.CMD_FLAG_DF)
    try:
        f()
        raise AssertionError("%s at %d succeeded" % (how, off))
    except nbd.Error as e:
        print("%-9s -> %s: client sees %s (%s)" % (name, how, e.errno, e.string))
        assert e.errno == want, (name, e.errno)
    # Plain reads carry every errno except EOVERFLOW and ENOTSUP,
    # which nbdkit sends as EINVAL there.
    try:
        h.pread(512, off)
        raise AssertionError("read at %d succeeded" % off)
    except nbd.Error as e:
        plain = "EINVAL" if name in ("EOVERFLOW", "ENOTSUP") else want
        assert e.errno == plain, (name, "plain read", e.errno)
# The connection still works.
assert h.pread(512, 0) == bytearray(512)
h.shutdown()
EOF_PY

kill "$(cat "$pid")"
wait "$nbdkit_bg"
cat "$tmpdir/stderr"
# The Go error's message reached nbdkit's log.
test "$(grep -c 'reldisk: injected .* at offset' "$tmpdir/stderr")" -ge 9
