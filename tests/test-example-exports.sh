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

# The exports example: ListExports with descriptions (nbdinfo --list,
# also as JSON), DefaultExport, ExportName in Open and
# ExportDescription per connection.

source "$SRCDIR/functions.sh"
set -e
set -x

requires nbdinfo --version
requires nbdsh --version
requires python3 -c 'import json'

exports=$(example exports)
test -f "$exports"

nbdkit -U - $golang_plugin $exports --run '
  set -e
  nbdinfo --list "$uri" > '$tmpdir'/list
  nbdinfo --list --json "$uri" > '$tmpdir'/list.json
  nbdinfo --json "nbd+unix:///numbers?socket=$unixsocket" > '$tmpdir'/numbers.json
  nbdsh -u "nbd+unix:///?socket=$unixsocket" -c "
# The default export is \"hello\".
assert h.pread(13, 0) == b\"hello, world\\n\"
assert h.get_size() == 1024 * 1024
assert h.is_read_only()
"
  nbdsh -u "nbd+unix:///zeroes?socket=$unixsocket" -c "assert h.pread(4096, 0) == bytes(4096)"
  # An unknown export fails in Open (ENOENT).
  if nbdinfo "nbd+unix:///nosuch?socket=$unixsocket"; then exit 1; fi
' 2> $tmpdir/err
cat $tmpdir/list $tmpdir/err
grep 'export="hello":' $tmpdir/list
grep 'export="numbers":' $tmpdir/list
grep 'export="zeroes":' $tmpdir/list
grep 'description: a friendly greeting' $tmpdir/list
grep 'description: counting from zero' $tmpdir/list
grep 'description: nothing but zero bytes' $tmpdir/list
grep 'unknown export "nosuch"' $tmpdir/err

python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
names = sorted(e["export-name"] for e in d["exports"])
assert names == ["hello", "numbers", "zeroes"], names
descs = {e["export-name"]: e.get("description") for e in d["exports"]}
assert descs["numbers"] == "counting from zero", descs
n = json.load(open(sys.argv[2]))
e = n["exports"][0]
assert e["export-name"] == "numbers"
assert e["description"] == "counting from zero"
assert e["export-size"] == 1048576
' $tmpdir/list.json $tmpdir/numbers.json
