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

# Export names with odd characters reach the plugin intact.  With
# echo=true the plugin returns nbdkit.ExportName() at offset 0 and
# describes the export as "export=NAME".  Each name below is selected
# by a client; the bytes read back must be the name exactly.  A name
# of the protocol's maximum length (4096 bytes) works; one byte more
# is refused (by the client library or the server) and the server
# survives.  The export description of a 4096-byte name exceeds the
# protocol's string limit: it may be dropped or cut, but the connection
# must work.  A description holding a control character (from a name
# with a newline or a tab) is not sent.

source "$SRCDIR/functions.sh"
set -e
set -x
reldisk_setup

start_nbdkit -P "$pid" -U "$sock" -v --log=stderr \
             "$golang_plugin" "$reldisk" size=1M echo=true log="$log" \
             2> "$tmpdir/stderr"

timeout "$TEST_TIMEOUT" python3 - "$sock" <<'EOF_PY'
import sys
import nbd
import nbdclient

sock = sys.argv[1]
names = ["", "/", "//", " ", "  two  spaces ", "?", "?a=b&c", "a%20b",
         "\u00fc\u00f1\u00ee\u00e7\u00f8d\u00e9 \u65e5\u672c \U0001f600",
         "new\nline", "tab\there", "quote\"'\\", "x" * 4096,
         "\u00e9" * 2048]
for name in names:
    h = nbd.NBD()
    h.set_full_info(True)
    h.set_export_name(name)
    h.connect_unix(sock)
    want = name.encode()
    got = bytes(h.pread(8192, 0)).rstrip(b"\0")
    assert got == want, (name[:40], got[:40])
    try:
        desc = h.get_export_description()
    except nbd.Error as e:
        desc = None
    print("export %-30r (%4d bytes): read back ok, description %r"
          % (name[:30], len(want), desc and desc[:40]))
    if any(ord(c) < 0x20 for c in name):
        # The loader does not send a description holding a control
        # character (test-output-hygiene.sh).
        assert desc is None, (name, desc)
    elif len(want) + len("export=") <= 4096:
        assert desc == "export=" + name, (name, desc)
    h.shutdown()

# One byte too long.
h = nbd.NBD()
try:
    h.set_export_name("y" * 4097)
    h.connect_unix(sock)
    raise AssertionError("a 4097-byte export name was accepted")
except nbd.Error as e:
    print("4097-byte name refused: %s" % e)

h = nbdclient.connect(sock, "after")
assert bytes(h.pread(8, 0)).rstrip(b"\0") == b"after"
h.shutdown()
EOF_PY

kill -0 "$(cat "$pid")"
reldisk_stop
reldisk_expect live=0 confused=0
