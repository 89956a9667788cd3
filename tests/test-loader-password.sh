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

# Passwords are read once, in the check process; the serving process
# gets the same result.  -FD can be read only once, so reading it
# again after the fork would give the library an empty password, and
# cabi's config_complete (which runs in both processes) would fail.

source "$SRCDIR/functions.sh"
set -e
set -x

cabi="$abs_top_builddir/tests/.libs/cabi.so"
requires_file "$cabi"

# --run (nbdkit forks).
timeout "$TEST_TIMEOUT" \
nbdkit -U - "$golang_plugin" "$cabi" password=-3 expect-password=s3cret \
       --run 'nbdinfo --size "$uri"' 3< <(echo s3cret) > "$tmpdir/out"
test "$(cat "$tmpdir/out")" = 1048576

# Default forking mode, with a password file.
echo -n "from a file" > "$tmpdir/pw"
start_nbdkit -P "$pid" -U "$sock" "$golang_plugin" "$cabi" \
             password=+"$tmpdir/pw" expect-password="from a file"
timeout "$TEST_TIMEOUT" nbdinfo --size "nbd+unix:///?socket=$sock"
kill_nbdkit "$(cat "$pid")"

# A wrong password is reported before nbdkit forks.
status=0
timeout "$TEST_TIMEOUT" \
nbdkit -U "$tmpdir/sock2" "$golang_plugin" "$cabi" password=-3 \
       expect-password=other 3< <(echo s3cret) 2> "$tmpdir/err" || status=$?
cat "$tmpdir/err"
test "$status" -ne 0
test "$status" -ne 124
grep "cabi: expected password 'other' but read 's3cret'" "$tmpdir/err"
