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

# -D golang.trace=1 logs every callback with its arguments and result
# (and the library's error); without it there are no trace lines.

source "$SRCDIR/functions.sh"
set -e
set -x

requires_file "$cabi"
requires nbdsh --version

run ()
{
    timeout "$TEST_TIMEOUT" \
    nbdkit -U - -v "$@" "$golang_plugin" "$cabi" error-offset=4096 \
           error-errno=28 \
           --run 'nbdsh -u "$uri" -c "
h.pwrite(b\"t\" * 512, 512)
h.pread(512, 1024)
try:
    h.pread(512, 4096)
except nbd.Error:
    pass
"' 2> "$tmpdir/log"
}

run -D golang.trace=1
grep "trace:" "$tmpdir/log"
# Both processes replay the configuration.
grep -c "trace: init (abi_version=2, phase=1) = 0" "$tmpdir/log"
grep -c "trace: init (abi_version=2, phase=2) = 0" "$tmpdir/log"
test "$(grep -c 'trace: config (key=error-offset, value=4096) = 0' "$tmpdir/log")" -eq 2
grep "trace: get_ready () = 0" "$tmpdir/log"
grep "trace: after_fork () = 0" "$tmpdir/log"
grep -E "trace: open \(readonly=0\) = 0, handle=0x[0-9a-f]+" "$tmpdir/log"
grep -E "trace: get_size \(h=0x[0-9a-f]+\) = 1048576" "$tmpdir/log"
grep -E "trace: can_write \(h=0x[0-9a-f]+\) = 1 \(default\)" "$tmpdir/log"
grep -E "trace: pwrite \(h=0x[0-9a-f]+, count=512, offset=512, flags=0\) = 0" "$tmpdir/log"
grep -E "trace: pread \(h=0x[0-9a-f]+, count=512, offset=1024, flags=0\) = 0" "$tmpdir/log"
grep -E "trace: pread \(h=0x[0-9a-f]+, count=512, offset=4096, flags=0\) = -1" "$tmpdir/log"
grep "trace: pread: error: errno=28 msg=cabi: injected error at offset 4096" "$tmpdir/log"
# (close is not checked: with --run, nbdkit may exit before the
# connection thread sees the client go.)
grep "trace: cleanup ()" "$tmpdir/log"

run
if grep "trace:" "$tmpdir/log"; then
    echo "$0: trace lines without -D golang.trace=1"
    exit 1
fi
# The error itself is always reported.
grep "error: cabi: injected error at offset 4096" "$tmpdir/log"
