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

# The loader starts the Go runtime with a 1 ms timer slack on the
# threads the runtime creates while it loads (its monitor thread,
# sysmon, among them), and leaves nbdkit's own threads alone;
# NBDKIT_GOLANG_TIMER_SLACK_NS chooses the value, 0 turns it off, and
# a bad value is refused with an error naming the variable.
#
# Any user can check it from inside the plugin: the features test
# plugin reads its own thread's /proc/TID/timerslack_ns in its
# package init (on the thread that starts the Go runtime) and in a
# callback (on an nbdkit thread).  Reading another process's threads'
# slack needs CAP_SYS_NICE; with it (as root), every thread of the
# server is checked from outside too, sysmon among them.

source "$SRCDIR/functions.sh"
set -e
set -x

# readerat: a parallel plugin, so that nbdkit starts its 16 worker
# threads per connection.
readerat="$(example readerat)"
features="$(test_plugin features)"
requires_file "$readerat"
requires_file "$features"
truncate -s 1M "$tmpdir/disk"
requires nbdsh --version

# The slack nbdkit's threads inherit from this shell.
own=$(cat /proc/self/timerslack_ns)
test "$own" -ne 1000000
test "$own" -ne 2000000

# report ENV...: serve the features plugin with ENV and write the slack
# of its init thread and of the callback's thread to $tmpdir/report as
# "INIT CALLBACK".
report ()
{
    env "$@" timeout "$TEST_TIMEOUT" \
        nbdkit -U - "$golang_plugin" "$features" --run '
python3 -c "
import sys, nbdclient
r = nbdclient.report(sys.argv[1], 8192)
print(r[\"timer_slack_init\"], r[\"timer_slack_callback\"])
" "$unixsocket"' > "$tmpdir/report"
    cat "$tmpdir/report"
}

report
test "$(cat "$tmpdir/report")" = "1000000 $own"
report NBDKIT_GOLANG_TIMER_SLACK_NS=2000000
test "$(cat "$tmpdir/report")" = "2000000 $own"
report NBDKIT_GOLANG_TIMER_SLACK_NS=0
test "$(cat "$tmpdir/report")" = "$own $own"

# serve ENV...: start nbdkit -f (a child of this shell, so that /proc
# lets us read its threads) with ENV, hold a connection open so that
# nbdkit's worker threads exist, and write "SLACK COUNT" lines for its
# threads to $tmpdir/slacks and its main thread's slack to $tmpdir/main.
serve ()
{
    local sock="$tmpdir/sock" pid t
    rm -f "$sock" "$tmpdir/connected" "$tmpdir/read"
    env "$@" nbdkit -f -U "$sock" "$golang_plugin" "$readerat" file="$tmpdir/disk" &
    pid=$!
    cleanup_fn kill "$pid"
    wait_for_socket "$sock"
    timeout "$TEST_TIMEOUT" nbdsh -u "nbd+unix:///?socket=$sock" -c "
h.pwrite(b'slack!' * 100, 0)
assert h.pread(600, 0) == b'slack!' * 100
open('$tmpdir/connected', 'w').close()
# Stay connected until the threads have been read.
import os, time
for _ in range(6000):
    if os.path.exists('$tmpdir/read'):
        break
    time.sleep(0.01)
" &
    wait_until test -e "$tmpdir/connected"
    cat "/proc/$pid/timerslack_ns" > "$tmpdir/main"
    for t in /proc/"$pid"/task/*; do
        cat "/proc/${t##*/}/timerslack_ns"
    done | sort -n | uniq -c | awk '{print $2, $1}' > "$tmpdir/slacks"
    touch "$tmpdir/read"
    cat "$tmpdir/main" "$tmpdir/slacks"
    wait %2
    kill "$pid"
    wait "$pid" || :
}

# count SLACK: how many threads had it.
count ()
{
    awk -v s="$1" '$1 == s {print $2; n++} END {if (!n) print 0}' "$tmpdir/slacks"
}

# From outside, with the privilege to read other processes' slack.
if bash -c 'cat /proc/$PPID/timerslack_ns' >/dev/null 2>&1; then
    # Default: the Go runtime's threads (at least the one that
    # initialised it and sysmon) have 1 ms; nbdkit's main thread and its
    # workers (16 per connection by default) keep their slack.
    serve
    test "$(cat "$tmpdir/main")" -eq "$own"
    test "$(count 1000000)" -ge 2
    test "$(count "$own")" -ge 16

    # Another value.
    serve NBDKIT_GOLANG_TIMER_SLACK_NS=2000000
    test "$(cat "$tmpdir/main")" -eq "$own"
    test "$(count 2000000)" -ge 2
    test "$(count 1000000)" -eq 0

    # 0: every thread keeps the slack it inherits.
    serve NBDKIT_GOLANG_TIMER_SLACK_NS=0
    test "$(wc -l < "$tmpdir/slacks")" -eq 1
    test "$(count "$own")" -ge 18
else
    echo "$0: reading another process's timer slack needs CAP_SYS_NICE:" \
         "checked from inside the plugin only"
fi

# Bad values: an error naming the variable and the value, before
# nbdkit forks (the check process loads the library first).
for bad in abc -1 " 5" 1000000001 99999999999999999999999; do
    status=0
    NBDKIT_GOLANG_TIMER_SLACK_NS="$bad" timeout "$TEST_TIMEOUT" \
        nbdkit -U - "$golang_plugin" "$readerat" file="$tmpdir/disk" --run true \
        2> "$tmpdir/err" || status=$?
    cat "$tmpdir/err"
    test "$status" -ne 0
    test "$status" -ne 124
    grep -F "NBDKIT_GOLANG_TIMER_SLACK_NS: '$bad' is not a number" "$tmpdir/err"
done
