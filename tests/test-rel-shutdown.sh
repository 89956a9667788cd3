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
#   it exits, for any plugin: see test-rel-signals.sh.)
# - nbdkit.Disconnect() needs nbdkit_disconnect (nbdkit >= 1.34).  On
#   an older nbdkit it must return a clear error (which fails that one
#   request) and the connection and server stay usable; on a newer one
#   only that client is dropped.

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

# Disconnect.
sock="$tmpdir/sock2"
pid="$tmpdir/pid2"
log="$tmpdir/log2"
start_nbdkit_fg -P "$pid" -U "$sock" \
             "$golang_plugin" "$reldisk" disconnect-at=65536 log="$log" \
             2> "$tmpdir/stderr2"

has_disconnect=no
if grep -q nbdkit_disconnect <(nm -D "$(command -v nbdkit)" 2>/dev/null); then
    has_disconnect=yes
fi
echo "nbdkit_disconnect available: $has_disconnect"

timeout 60 python3 - "$sock" "$has_disconnect" <<'EOF_PY'
import sys
import nbd
import nbdclient

sock, has = sys.argv[1], sys.argv[2] == "yes"
h = nbdclient.connect(sock)
other = nbdclient.connect(sock)
try:
    h.pread(512, 65536)
    raise AssertionError("the pread calling Disconnect succeeded")
except nbd.Error as e:
    print("Disconnect: client sees %s" % e)
if has:
    # Only this client was dropped.
    try:
        h.pread(512, 0)
        raise AssertionError("connection still up after Disconnect")
    except nbd.Error:
        pass
else:
    # The error failed one request; the connection goes on.
    assert h.pread(512, 0) == bytearray(512)
    h.shutdown()
assert other.pread(512, 0) == bytearray(512)
other.shutdown()
EOF_PY

kill "$(cat "$pid")"
wait "$nbdkit_bg"
cat "$tmpdir/stderr2"
cat "$log"
if [ "$has_disconnect" = no ]; then
    # The error says what is missing.
    grep 'disconnect id=1 err=' "$log" | grep -v 'err=<nil>' | grep -qi 'disconnect'
    grep -qi 'disconnect' "$tmpdir/stderr2"
fi
reldisk_expect live=0
