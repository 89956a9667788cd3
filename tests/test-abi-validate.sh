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

# The loader checks what the library returns where a bad value would
# break nbdkit's rules, and fails the request or connection with a
# message naming the library (cabi-bad returns the bad value that
# bad=CALLBACK selects).  With good values the same library serves.

source "$SRCDIR/functions.sh"
set -e
set -x

bad="$cabi_libs/cabi-bad.so"
requires_file "$bad"
requires nbdinfo --version

# expect_bad CALLBACK REGEXP
expect_bad ()
{
    local status=0
    timeout "$TEST_TIMEOUT" \
    nbdkit -U - "$golang_plugin" "$bad" bad="$1" \
           --run 'nbdinfo "$uri"' > "$tmpdir/out" 2> "$tmpdir/err" ||
        status=$?
    cat "$tmpdir/out" "$tmpdir/err"
    if [ "$status" -eq 0 ] || [ "$status" -eq 124 ]; then
        echo "$0: bad=$1: expected the client to fail, exit status $status"
        exit 1
    fi
    grep -E -- "$2" "$tmpdir/err"
}

expect_bad get_size "$bad: get_size returned a negative size \(-5\)"
expect_bad open "$bad: open returned handle 0, which is never valid"
expect_bad block_size "$bad: block_size returned invalid sizes: minimum=1 preferred=1000"
expect_bad can_fua "$bad: can_fua returned an invalid value \(7\)"
expect_bad can_cache "$bad: can_cache returned an invalid value \(-2\)"

# The library's own answers: native FUA, emulated cache, its block
# sizes, its exports and descriptions.
timeout "$TEST_TIMEOUT" \
nbdkit -U - "$golang_plugin" "$bad" bad=none \
       --run 'nbdinfo --json --list "$uri"' > "$tmpdir/list.json"
cat "$tmpdir/list.json"
python3 -c '
import json, sys
e = json.load(open(sys.argv[1]))["exports"]
assert [x["export-name"] for x in e] == ["", "second"], e
assert e[0]["description"] == "the default export", e
assert e[1]["description"] == "another name for the disk", e
assert e[0]["can_fua"] and e[0]["can_cache"], e
assert e[0]["block_size_minimum"] == 1, e
assert e[0]["block_size_preferred"] == 4096, e
assert e[0]["block_size_maximum"] == 4294967295, e
' "$tmpdir/list.json"

# export_description, per connection (it uses host->export_name).
cat > "$tmpdir/desc.py" <<'EOT'
import os
h = nbd.NBD()
h.set_full_info(True)
h.connect_uri(os.environ["uri"].replace("://?", ":///second?"))
d = h.get_export_description()
print(d)
assert d == "cabi export 'second'", d
EOT
timeout "$TEST_TIMEOUT" \
nbdkit -U - "$golang_plugin" "$bad" bad=none \
       --run 'uri="$uri" nbdsh -n -c "exec(open(\"'"$tmpdir/desc.py"'\").read(), globals())"'
