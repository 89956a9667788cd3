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

# A library that lacks optional callbacks gets exactly the defaults
# nbdkit gives a C plugin that lacks them.  cabi-minimal exports only
# init, open, close, get_size and pread; cabi-mask exports everything
# but clears the optional bits in info->implemented, which must mean
# the same.

source "$SRCDIR/functions.sh"
set -e
set -x

libs="$abs_top_builddir/tests/.libs"
requires nbdsh --version
requires nbdinfo --version

for lib in cabi-minimal cabi-mask; do
    requires_file "$libs/$lib.so"

    timeout "$TEST_TIMEOUT" \
    nbdkit -U - "$golang_plugin" "$libs/$lib.so" \
           --run 'nbdsh --base-allocation -u "$uri" -c "
assert h.get_size() == 1024 * 1024
# No pwrite: read-only, and so no write-like flags.
assert h.is_read_only()
assert not h.can_flush()
assert not h.can_trim()
assert not h.can_zero()
assert not h.can_fast_zero()
assert not h.can_fua()
assert not h.can_cache()
assert not h.can_multi_conn()
assert not h.is_rotational()
# No block_size: nothing advertised.
assert h.get_block_size(nbd.SIZE_PREFERRED) == 0
# No extents: nbdkit reports the whole disk as data.
assert h.can_meta_context(nbd.CONTEXT_BASE_ALLOCATION)
entries = []
def f(metacontext, offset, e, err):
    entries.extend(e)
h.block_status(65536, 0, f)
assert entries[1] == 0, entries
assert h.pread(512, 0) == bytearray(512)
try:
    h.pwrite(b\"x\" * 512, 0)
    assert False
except nbd.Error as e:
    print(e)
"'

    # No list_exports / default_export / export_description: the
    # default export "" only, without a description.
    timeout "$TEST_TIMEOUT" \
    nbdkit -U - "$golang_plugin" "$libs/$lib.so" \
           --run 'nbdinfo --list --json "$uri"' > "$tmpdir/list.json"
    cat "$tmpdir/list.json"
    python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
e = j["exports"]
assert len(e) == 1, e
assert e[0]["export-name"] == "", e
assert "description" not in e[0], e
' "$tmpdir/list.json"
done

# The full cabi has pwrite, flush, trim, zero, extents and cache but
# no can_* callbacks: writable, FUA emulated through flush, native
# cache, zero with fast zero advertised (fast-zero requests fail at
# once: the loader's rule), no multi-conn.
timeout "$TEST_TIMEOUT" \
nbdkit -U - "$golang_plugin" "$libs/cabi.so" \
       --run 'nbdinfo --json "$uri"' > "$tmpdir/info.json"
cat "$tmpdir/info.json"
python3 -c '
import json, sys
e = json.load(open(sys.argv[1]))["exports"][0]
want = {
    "is_read_only": False, "can_flush": True, "can_fua": True,
    "can_trim": True, "can_zero": True, "can_fast_zero": True,
    "can_cache": True, "can_multi_conn": False, "is_rotational": False,
}
for k, v in want.items():
    assert e[k] == v, (k, e[k], v)
' "$tmpdir/info.json"
