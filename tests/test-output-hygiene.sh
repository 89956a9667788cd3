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

# What the library says must not corrupt what nbdkit sends:
# - export names and descriptions that are not valid UTF-8 or hold
#   control characters are refused, with an error in the log (the NBD
#   protocol requires UTF-8; nbdkit's python plugin refuses them too);
# - --dump-plugin prints control characters escaped (here from a
#   library whose file name holds an escape sequence and a \r);
# - with -s, what the library prints on its standard output while
#   nbdkit starts does not reach the NBD connection on fd 1.

source "$SRCDIR/functions.sh"
set -e
set -x
reldisk_setup
requires_file "$cabi"

# Export names and descriptions.
start_nbdkit_fg -P "$pid" -U "$sock" "$golang_plugin" "$reldisk" \
             log="$log" exports=bad 2> "$tmpdir/stderr"
timeout "$TEST_TIMEOUT" python3 - "$sock" <<'EOF_PY'
import sys
import nbd

sock = sys.argv[1]
h = nbd.NBD()
h.set_opt_mode(True)
h.connect_unix(sock)
names = []
h.opt_list(lambda name, desc: names.append((name, desc)) or 0)
h.opt_abort()
print("exports listed:", names)
assert names == [("good", "a good export")], names

# A description the plugin makes invalid is not sent; the export works.
h = nbd.NBD()
h.set_full_info(True)
h.set_export_name("baddesc")
h.connect_unix(sock)
try:
    desc = h.get_export_description()
except nbd.Error:
    desc = None
print("description of baddesc:", repr(desc))
assert desc is None, desc
assert h.pread(512, 0) == bytearray(512)
h.shutdown()
EOF_PY
reldisk_wait_closed "$log"
kill_nbdkit "$(cat "$pid")"
wait "$nbdkit_bg"
cat "$tmpdir/stderr"
cat "$log"
test "$(grep -c '^serve .* refused' "$log")" -eq 5
grep -c 'add_export: refused' "$tmpdir/stderr"
grep 'export_description: the description is not sent' "$tmpdir/stderr"

# --dump-plugin.
# Also a C1 control (U+009B, CSI: ESC [ to an 8-bit terminal), a byte
# that is not UTF-8, and an "e acute" that must stay as it is.
evil="$tmpdir/ev"$'\e'"[2Jil"$'\r'$'\xc2\x9b'"2J"$'\x9b'"x"$'\xc3\xa9'".so"
cp "$cabi" "$evil"
nbdkit "$golang_plugin" "$evil" --dump-plugin > "$tmpdir/dump"
cat -A "$tmpdir/dump"
grep -F 'golang_library='"$tmpdir"'/ev\x1b[2Jil\x0d\xc2\x9b2J\x9bx'$'\xc3\xa9''.so' \
     "$tmpdir/dump"
test "$(LC_ALL=C grep -c $'[\e\r\x9b]' "$tmpdir/dump")" -eq 0

# -s: the C test library writes to fd 1 from init, load and
# thread_model, in the check process and in the serving process.
CABI_NOISE=1 timeout "$TEST_TIMEOUT" python3 - "$golang_plugin" "$cabi" <<'EOF_PY'
import sys
import nbd

h = nbd.NBD()
h.connect_command(["nbdkit", "-s", "--exit-with-parent",
                   sys.argv[1], sys.argv[2]])
print("size over -s:", h.get_size())
h.pwrite(b"x" * 512, 0)
assert h.pread(512, 0) == b"x" * 512
h.shutdown()
EOF_PY
