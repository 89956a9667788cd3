#!/bin/bash
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

# Run one test with a time limit, so that a test that hangs fails
# instead of hanging "make check".  Used as LOG_COMPILER in
# tests/Makefile.am: run-test.sh ./test-foo.sh
#
# The limit is $TEST_TIMEOUT seconds (default 300).  A test that needs
# longer says so with a line "# test-timeout: SECONDS" in its first 50
# lines.  On timeout the test gets SIGTERM (its cleanup hooks run),
# then SIGKILL 30 seconds later, and the test fails (status 124).

t=${TEST_TIMEOUT:-300}
if [ -f "$1" ]; then
    n=$(head -n 50 "$1" 2>/dev/null |
        sed -n 's/^# *test-timeout: *\([0-9][0-9]*\).*/\1/p' | head -n 1)
    [ -z "$n" ] || t=$n
fi
export TEST_TIMEOUT=$t

case "$1" in
    *.sh) set -- bash "$@" ;;
esac
# timeout(1) puts the test in a process group of its own, so that on
# expiry it can signal everything the test started; that group is not
# the terminal's, so pass on Ctrl-C (and make's SIGTERM) by hand.
timeout -k 30 "$t" "$@" &
tpid=$!
trap 'kill -TERM -- -$tpid 2>/dev/null || kill -TERM $tpid 2>/dev/null' INT TERM HUP
r=0
wait $tpid || r=$?
# wait returns early when a trapped signal arrives: wait again.
while kill -0 $tpid 2>/dev/null; do
    r=0
    wait $tpid || r=$?
done
if [ $r -eq 124 ]; then
    echo "$0: $*: timed out after $t seconds: FAIL" >&2
fi
exit $r
