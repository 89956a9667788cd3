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

# Read-only mode (nbdkit -r) is enforced even though the plugin offers
# writes: the client sees a read-only export; a write fails with EPERM
# in libnbd's own check; writes, zeroes and trims sent anyway (libnbd's
# checks off) fail with EPERM from the server; the plugin's PWrite and
# Zero are never called.

source "$SRCDIR/functions.sh"
set -e
set -x
reldisk_setup

start_nbdkit -P "$pid" -U "$sock" -r "$golang_plugin" "$reldisk" log="$log"

timeout "$TEST_TIMEOUT" python3 - "$sock" <<'EOF_PY'
import sys
import nbd
import nbdclient

sock = sys.argv[1]
for strict in (True, False):
    h = nbdclient.connect(sock, strict=strict)
    assert h.is_read_only()
    ops = [("write", lambda: h.pwrite(b"x" * 512, 0))]
    if not strict:
        # (With its checks on, libnbd refuses these as unsupported.)
        ops += [("zero", lambda: h.zero(512, 0)),
                ("trim", lambda: h.trim(512, 0))]
    for what, f in ops:
        try:
            f()
            raise AssertionError("%s on a read-only export succeeded" % what)
        except nbd.Error as e:
            print("%s (strict=%s): %s" % (what, strict, e))
            assert e.errno in ("EPERM", "EROFS"), e.errno
    assert h.pread(512, 0) == bytearray(512)
    h.shutdown()
EOF_PY

kill_nbdkit "$(cat "$pid")"
reldisk_stats "$log"
grep -q '^serve .* open id=1 readonly=true ' "$log"
reldisk_expect writes=0
