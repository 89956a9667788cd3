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

# A Go fatal error that recover cannot catch (a panic in a goroutine
# of the plugin, concurrent map writes, runtime.Goexit in a callback,
# a stack overflow) kills the server.  Its report and goroutine stacks
# must reach nbdkit's log in every mode: syslog once nbdkit has forked
# into the background (its stderr is then /dev/null), stderr with -f.
#
# There is no syslog daemon: the test runs in a private mount
# namespace (a user namespace too when not root) in which /dev is a
# directory of the test's own with the usual devices bound into it,
# and /dev/log is a socket the test listens on.

source "$SRCDIR/functions.sh"
set -e
set -x
reldisk_setup
requires nbdinfo --version
if [ "$(id -u)" -eq 0 ]; then
    unshare=(unshare --mount --propagation private)
else
    unshare=(unshare --user --map-root-user --mount --propagation private)
fi
requires "${unshare[@]}" true

# The part that runs in the namespace.
# What the loader's debug log says when it starts the crash-log
# forwarder; the foreground check below looks for its absence, so make
# sure these are still the loader's words.
forwarder_said="fatal error reports go to nbdkit's log"
grep -F "$forwarder_said" "$abs_top_srcdir/src/crashlog.c"

cat > "$tmpdir/inner.sh" <<'EOF_INNER'
set -e
set -x
dev="$tmpdir/dev"
mkdir "$dev"
for n in null zero full random urandom; do
    touch "$dev/$n"
    mount --bind "/dev/$n" "$dev/$n"
done
ln -s /proc/self/fd "$dev/fd"
mount --rbind "$dev" /dev

# The syslog daemon: every datagram on /dev/log, one line each.
python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
out = open(sys.argv[1], "ab", buffering=0)
while True:
    out.write(s.recv(65536).rstrip(b"\n") + b"\n")
' "$tmpdir/syslog" &
syslogd=$!
trap 'kill $syslogd' EXIT
wait_for_socket /dev/log

# Each crash and the first line of its report (Go 1.19 words the
# Goexit one differently).
while read -r crash first; do
    sock="$tmpdir/sock-$crash"
    pid="$tmpdir/pid-$crash"
    # nbdkit's default mode: it forks into the background.
    timeout "$TEST_TIMEOUT" nbdkit -P "$pid" -U "$sock" \
            "$golang_plugin" "$reldisk"
    fails timeout "$TEST_TIMEOUT" \
        nbdinfo "nbd+unix:///crash-$crash?socket=$sock"
    wait_gone "$(cat "$pid")"
    # The report's first line, a stack, and the loader's last word.
    wait_for_log "$tmpdir/syslog" "$first"
    wait_for_log "$tmpdir/syslog" "ended after the fatal error above"
    grep -F "$reldisk" "$tmpdir/syslog" | grep -F "ended after"
    # The last line has arrived: start afresh for the next crash.
    cp "$tmpdir/syslog" "$tmpdir/syslog-$crash"
    : > "$tmpdir/syslog"
done <<EOF_CRASHES
goroutine panic: reldisk: panic in a goroutine of the plugin
map fatal error: concurrent map writes
goexit fatal error: (runtime.Goexit called in a thread|internal lockOSThread error)
stack fatal error: stack overflow
EOF_CRASHES
grep -E 'main\.trouble|reldisk\.go' "$tmpdir/syslog-goroutine"
grep -E '^<[0-9]+>' "$tmpdir/syslog-map"

# In the foreground the log is stderr, where the report goes as is.
sock="$tmpdir/sock-fg"
pid="$tmpdir/pid-fg"
status=0
timeout "$TEST_TIMEOUT" nbdkit -f -v -P "$pid" -U "$sock" \
        "$golang_plugin" "$reldisk" 2> "$tmpdir/stderr-fg" &
fg=$!
wait_for_pidfile "$pid" $fg
fails timeout "$TEST_TIMEOUT" nbdinfo "nbd+unix:///crash-map?socket=$sock"
wait $fg || status=$?
test "$status" -ne 0
cat "$tmpdir/stderr-fg"
grep '^fatal error: concurrent map writes' "$tmpdir/stderr-fg"
grep '^goroutine [0-9]* \[' "$tmpdir/stderr-fg"
# ... and only there: no forwarder was started (it would have said so
# in the debug log), and syslog is empty.
fails grep -F "$forwarder_said" "$tmpdir/stderr-fg"
test ! -s "$tmpdir/syslog"
EOF_INNER

export tmpdir golang_plugin reldisk TEST_TIMEOUT forwarder_said
export -f fails wait_until _gone wait_gone wait_for_socket _line_or_gone \
       wait_for_log _started_or_gone wait_for_pidfile
"${unshare[@]}" bash "$tmpdir/inner.sh"
