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

# Server control from Go.
#
# - nbdkit.Shutdown() called in a pread (at offset 65536) stops the
#   server: nbdkit (in the foreground, so that its exit status can be
#   collected) exits 0, after calling the plugin's Cleanup and Unload.
#   (nbdkit 1.32 does not call .close for connections still open when
#   it exits, for any plugin: see test-signals.sh.)
# - nbdkit.Disconnect() needs nbdkit_disconnect (nbdkit >= 1.34).  On
#   an older nbdkit it must return a clear error (which fails that one
#   request) and the connection and server stay usable.  On a newer
#   one only that client is dropped: gracefully (Disconnect(false):
#   the request that called it succeeds, later ones get ESHUTDOWN) or
#   at once (Disconnect(true): that request gets no reply).

source "$SRCDIR/functions.sh"
set -e
set -x
reldisk_setup

# Shutdown.
start_nbdkit_fg -P "$pid" -U "$sock" \
             "$golang_plugin" "$reldisk" shutdown-at=65536 log="$log"

timeout 60 python3 - "$sock" <<'EOF_PY'
import sys
import nbd
import nbdclient

h = nbdclient.connect(sys.argv[1])
assert h.pread(512, 0) == bytearray(512)
try:
    # The request that calls Shutdown may complete or may be cut off
    # by the server going away; either is fine.
    h.pread(512, 65536)
    h.pread(512, 0)
except nbd.Error as e:
    print("after shutdown: %s" % e)
EOF_PY

status=0
wait "$nbdkit_bg" || status=$?
echo "nbdkit exited with status $status after Shutdown"
test "$status" -eq 0
cat "$log"
grep -q '^serve .* shutdown id=1$' "$log"
grep -q '^serve .* cleanup ' "$log"
test "$(tail -n1 "$log" | cut -d' ' -f1,3)" = "serve unload"

# Disconnect, both ways, on a fresh server each.
# disconnect_case MODE: MODE is graceful or force.
disconnect_case ()
{
    local mode=$1 force=false
    [ "$mode" = force ] && force=true
    sock="$tmpdir/sock-$mode"
    pid="$tmpdir/pid-$mode"
    log="$tmpdir/log-$mode"
    start_nbdkit_fg -P "$pid" -U "$sock" \
                 "$golang_plugin" "$reldisk" disconnect-at=65536 \
                 disconnect-force=$force log="$log" \
                 2> "$tmpdir/stderr-$mode"

    timeout 60 python3 - "$sock" "$mode" "$has_disconnect" <<'EOF_PY'
import errno
import sys
import nbd
import nbdclient

sock, mode, has = sys.argv[1], sys.argv[2], sys.argv[3] == "yes"
h = nbdclient.connect(sock)
other = nbdclient.connect(sock)
if not has:
    # Disconnect returns a clear error, which fails that one request
    # (golib's ENOTSUP reaches the client as EINVAL on a read); the
    # connection goes on.
    try:
        h.pread(512, 65536)
        raise AssertionError("the pread calling Disconnect succeeded")
    except nbd.Error as e:
        print("Disconnect: client sees %s" % e)
        assert e.errnum in (errno.ENOTSUP, errno.EINVAL), e
    assert h.pread(512, 0) == bytearray(512)
    h.shutdown()
elif mode == "graceful":
    # The request that calls Disconnect(false) completes; the server
    # then answers every later request with ESHUTDOWN.
    assert h.pread(512, 65536) == bytearray(512)
    try:
        h.pread(512, 0)
        raise AssertionError("a request after a graceful Disconnect succeeded")
    except nbd.Error as e:
        print("after Disconnect: client sees %s" % e)
        assert e.errnum == errno.ESHUTDOWN, e
    h.shutdown()
else:
    # Disconnect(true) drops the connection at once: the request that
    # called it gets no reply, and nothing more goes through.
    try:
        h.pread(512, 65536)
        raise AssertionError("the pread calling a forced Disconnect succeeded")
    except nbd.Error as e:
        print("Disconnect: client sees %s" % e)
    assert not h.aio_is_ready(), "connection still up after Disconnect"
# The other client was never touched.
assert other.pread(512, 0) == bytearray(512)
other.shutdown()
EOF_PY

    # Both connections are closed (Close called) before the server is
    # stopped: nbdkit calls no Close for a connection still open when
    # it exits (see test-signals.sh).
    wait_for_lines "$log" '^serve .* close id=' 2
    kill "$(cat "$pid")"
    wait "$nbdkit_bg"
    cat "$tmpdir/stderr-$mode"
    cat "$log"
    test "$(grep -c '^serve .* close id=' "$log")" -eq 2
    if [ "$has_disconnect" = no ]; then
        # The error says what is missing.
        grep "disconnect id=1 force=$force err=.*lacks nbdkit_disconnect" "$log"
        grep 'lacks nbdkit_disconnect' "$tmpdir/stderr-$mode"
    else
        grep "disconnect id=1 force=$force err=<nil>" "$log"
    fi
    reldisk_expect live=0
}

# nbdkit_disconnect appeared in nbdkit 1.34.
has_disconnect=no
if nbdkit_at_least 1.34; then
    has_disconnect=yes
fi
echo "nbdkit $nbdkit_version has nbdkit_disconnect: $has_disconnect"
disconnect_case graceful
disconnect_case force
