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

# ./quickstart serve: passes nbdkit options and size= through, and the
# URI it prints is the one to connect to.  The tree is already built;
# quickstart's set-up (install, build) is skipped so that it does not
# run make in the tree while "make check" runs.

source "$SRCDIR/functions.sh"
set -e
set -x

requires nbdinfo --version

quickstart=$abs_top_srcdir/quickstart
test -x "$quickstart"
export CI=true QUICKSTART_SKIP_SETUP=1 QUICKSTART_BUILDDIR=$abs_top_builddir

# Captive: --run and size= pass through.
timeout 300 "$quickstart" serve -U - size=3M --run 'nbdinfo --size "$uri"' \
    </dev/null > "$tmpdir/run.out" 2>&1
cat "$tmpdir/run.out"
tail -n 1 "$tmpdir/run.out" | grep -x $((3 * 1024 * 1024))

# In the background, with a relative socket path: the printed command
# works as printed.
cd "$tmpdir"
timeout 300 "$quickstart" serve -U sock -P pid --background size=2M \
    </dev/null > "$tmpdir/bg.out" 2>&1
cat "$tmpdir/bg.out"
# nbdkit's background child writes the pidfile after its parent (and
# so quickstart) has exited.
wait_for_file pid
cleanup_fn kill_nbdkit "$(cat pid)"
grep "^Serving a 2M RAM disk at nbd+unix:///?socket=$tmpdir/sock" bg.out
try=$(sed -n 's/^Serving .* — try: \(nbdinfo .*\)$/\1/p' bg.out)
test -n "$try"
size=$(timeout 60 $try --size)
test "$size" -eq $((2 * 1024 * 1024))

# In the foreground: "Serving" is printed only once the server accepts
# connections, so the printed command works at once, the first time.
rm -f sock
"$quickstart" serve -U sock size=1M </dev/null > "$tmpdir/fg.out" 2>&1 &
qs=$!
cleanup_fn kill $qs
WAIT_TRIES=1200 wait_for_log fg.out '^Serving' $qs
cat fg.out
try=$(sed -n 's/^Serving .* — try: \(nbdinfo .*\)$/\1/p' fg.out)
test -n "$try"
test "$(timeout 60 $try --size)" -eq $((1024 * 1024))
# SIGTERM to quickstart stops the server.
kill $qs
status=0
timeout 60 tail --pid=$qs -f /dev/null || status=$?
test $status -eq 0
if test -S sock && timeout 10 nbdinfo "nbd+unix:///?socket=$tmpdir/sock"; then
    echo "$0: the server still serves after quickstart was stopped"
    exit 1
fi

# A server that cannot listen: its error, a non-zero exit, no "Serving".
status=0
timeout 300 "$quickstart" serve -U "$tmpdir/no/such/dir/sock" size=1M \
    </dev/null > "$tmpdir/bad.out" 2>&1 || status=$?
cat "$tmpdir/bad.out"
test $status -ne 0
test $status -ne 124
if grep '^Serving' "$tmpdir/bad.out"; then
    echo "$0: quickstart said Serving, but nbdkit could not listen"
    exit 1
fi
grep -q 'nbdkit did not start' "$tmpdir/bad.out"
