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

# The loader counts the nbdkit threads that call into the library and
# are alive, and tells golib (nbdkitgo_threads) each time a new one
# arrives; golib keeps GOMAXPROCS at the runtime's default plus that
# count, so that a thread entering Go never waits for a P (issue 14).
# GOMAXPROCS set in the environment is left alone.  Checked through
# real connections and nbdkit's debug output (-D golang.trace=1 logs
# each count, golib logs each change of GOMAXPROCS).

source "$SRCDIR/functions.sh"
set -e
set -x

requires nbdsh --version
# readerat: a parallel plugin (file I/O may block, so it lets nbdkit's
# worker threads call in at once).
readerat="$(example readerat)"
requires_file "$readerat"
truncate -s 1M "$tmpdir/disk"

log="$tmpdir/log"

# serve ENV...: start nbdkit -f with 4 worker threads per connection
# and debug output in $log.
serve ()
{
    rm -f "$sock"
    env "$@" nbdkit -f -v -D golang.trace=1 -t 4 -U "$sock" \
        "$golang_plugin" "$readerat" file="$tmpdir/disk" 2> "$log" &
    pid=$!
    cleanup_fn kill_nbdkit "$pid"
    wait_for_socket "$sock"
}

# Three connections open at once, each having read: each has a thread
# that opened it (get_size, can_write, ...) and at least one worker
# that served the read, so at least 6 threads have called in and are
# alive.
three_connections ()
{
    timeout "$TEST_TIMEOUT" nbdsh -c "
hs = []
for i in range(3):
    h = nbd.NBD()
    h.connect_uri('$uri')
    assert h.pread(512, 0) == bytes(512)
    hs.append(h)
for h in hs:
    h.shutdown()
"
}

# The counts the loader gave the library, in order.
counts ()
{
    sed -n 's/.*trace: threads (live=\([0-9]*\)).*/\1/p' "$log"
}

# Default: GOMAXPROCS follows the count.
serve
three_connections
cat "$log"
counts > "$tmpdir/counts"
test "$(sort -n "$tmpdir/counts" | tail -1)" -ge 6
# Every change golib made leaves GOMAXPROCS at least the runtime's
# default plus the threads calling in, and the last one at least
# default + 6.
grep 'nbdkit threads call into Go: GOMAXPROCS' "$log" |
    sed 's/.*: \([0-9]*\) nbdkit threads call into Go: GOMAXPROCS \([0-9]*\) -> \([0-9]*\) (runtime default \([0-9]*\)).*/\1 \2 \3 \4/' \
    > "$tmpdir/changes"
cat "$tmpdir/changes"
test -s "$tmpdir/changes"
while read -r live old new base; do
    test "$new" -ge $(( base + live ))
done < "$tmpdir/changes"
read -r live old new base < <(tail -1 "$tmpdir/changes")
test "$new" -ge $(( base + 6 ))

# Threads that exit are no longer counted: once the three connections
# are gone, a new connection's threads see a count of at most 2 (its
# own connection thread and worker; nbdkit may take a moment to let
# the old threads exit, so poll).
new_connection_sees_at_most_2 ()
{
    timeout "$TEST_TIMEOUT" nbdsh -u "$uri" \
            -c 'assert h.pread(512, 0) == bytes(512)' || exit 1
    [ "$(counts | tail -1)" -le 2 ]
}
WAIT_TRIES=100 wait_until new_connection_sees_at_most_2
kill_nbdkit "$pid"

# GOMAXPROCS in the environment: the threads are counted as before,
# and golib says it leaves GOMAXPROCS alone, and does.
serve GOMAXPROCS=1
three_connections
cat "$log"
test "$(counts | sort -n | tail -1)" -ge 6
grep 'golang: GOMAXPROCS=1 set in the environment: golib leaves it alone' "$log"
if grep 'call into Go: GOMAXPROCS' "$log"; then
    echo "$0: GOMAXPROCS was changed although the environment set it"
    exit 1
fi
