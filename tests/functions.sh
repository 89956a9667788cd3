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

# Shared helpers for the shell tests.  Every test starts with:
#
#   source "$SRCDIR/functions.sh"
#   set -e
#   set -x
#
# Tests are run by automake from the build directory tests/ with
# abs_top_builddir, abs_top_srcdir, SRCDIR and GOLANG set (see
# Makefile.am).

# The nbdkit under test is the first on PATH (./quickstart check puts
# each nbdkit it built first); the system's directories only come
# after, for the clients and for an nbdkit in /usr/sbin that an
# ordinary user's PATH lacks.  (Go is never found through PATH: the
# tests use $GOLANG, chosen by configure.)
export PATH="$PATH:/usr/sbin:/usr/bin:/sbin:/bin"

: "${abs_top_builddir:?run tests through make check}"
: "${abs_top_srcdir:=$abs_top_builddir}"

# The Python clients shared by the tests (nbdclient.py).
export PYTHONPATH="$abs_top_srcdir/tests${PYTHONPATH:+:$PYTHONPATH}"

# The loader as built in this tree, and the built examples.
golang_plugin="$abs_top_builddir/src/.libs/nbdkit-golang-plugin.so"
examples="$abs_top_builddir/examples"
test_plugins="$abs_top_builddir/tests/plugins"
# The C ABI test libraries (tests/cabi/cabi.c in its variants, built
# by libtool).
cabi_libs="$abs_top_builddir/tests/.libs"
cabi="$cabi_libs/cabi.so"

# Cleanup hooks, run on every way out of the script.
_cleanup_hooks=()
cleanup_fn ()
{
    _cleanup_hooks+=("$*")
}
_run_cleanup_hooks ()
{
    local _status=$? _i
    set +e
    trap '' INT QUIT TERM EXIT ERR
    echo "$0: run cleanup hooks: exit code $_status"
    for (( _i = ${#_cleanup_hooks[@]} - 1; _i >= 0; --_i )); do
        eval "${_cleanup_hooks[_i]}"
    done
    exit $_status
}
trap _run_cleanup_hooks INT QUIT TERM EXIT ERR

# requires CMD [ARGS]: skip the test (exit 77) unless CMD succeeds.
# Tests must not skip on the CI machine, so ./quickstart installs
# everything a test requires.
requires ()
{
    ( "$@" ) </dev/null >/dev/null 2>&1 || {
        echo "$0: ‘$*’ failed, so this test is skipped"
        exit 77
    }
}

# requires_file FILE: skip unless FILE exists (e.g. a built example).
requires_file ()
{
    test -e "$1" || {
        echo "$0: $1 was not built, so this test is skipped"
        exit 77
    }
}

# The loader must always exist: it builds without Go.
test -f "$golang_plugin" || {
    echo "$0: $golang_plugin not found: run make first"
    exit 1
}

# example NAME: path of a built example library.
example ()
{
    echo "$examples/$1/lib$1.so"
}

# test_plugin NAME: path of a built test plugin library.
test_plugin ()
{
    echo "$test_plugins/$1/lib$1.so"
}

# tmpdir: a private temporary directory, removed at exit.
tmpdir=$(mktemp -d /tmp/nbdkit-golang-test.XXXXXX)
cleanup_fn rm -rf "$tmpdir"

# nbdsh and the tests' Python clients run "python3" from PATH, and a
# python3 without the nbd module (pyenv's, say) makes them fail or
# skip.  Give them the system's interpreter, which python3-libnbd
# serves, through a directory of its own, so that nothing else of
# /usr/bin comes ahead of the nbdkit under test.
if /usr/bin/python3 -c 'import nbd' >/dev/null 2>&1; then
    mkdir "$tmpdir/python"
    ln -s /usr/bin/python3 "$tmpdir/python/python3"
    PATH="$tmpdir/python:$PATH"
fi

# Which nbdkit this test runs: in every test log.  nbdkit_version is
# "MAJOR.MINOR.MICRO" for nbdkit_at_least.
nbdkit_version=$(nbdkit --version 2>/dev/null | awk '{print $2}')
echo "$0: testing $(command -v nbdkit) (nbdkit ${nbdkit_version:-not found})"

# nbdkit_at_least MAJOR.MINOR[.MICRO]: succeeds if the nbdkit under test
# is that version or newer.  For behaviour that differs between nbdkit
# versions: each version's own behaviour is asserted, never skipped.
nbdkit_at_least ()
{
    local IFS=. want have i
    read -r -a want <<< "$1"
    read -r -a have <<< "$nbdkit_version"
    for (( i = 0; i < ${#want[@]}; ++i )); do
        [ "${have[i]:-0}" -gt "${want[i]}" ] && return 0
        [ "${have[i]:-0}" -lt "${want[i]}" ] && return 1
    done
    return 0
}

# wait_until CMD [ARGS...]: run CMD every tenth of a second until it
# succeeds, at most $WAIT_TRIES times (default 600: a minute); fails
# (status 1) if it never does.  Tests wait for a state with this or
# the helpers below, never sleep for it.
wait_until ()
{
    local i xtrace=
    case $- in *x*) xtrace=1; set +x ;; esac
    for (( i = 0; i < ${WAIT_TRIES:-600}; ++i )); do
        if "$@"; then
            [ -z "$xtrace" ] || set -x
            return 0
        fi
        sleep 0.1
    done
    [ -z "$xtrace" ] || set -x
    echo "$0: still not true after $i tries: $*"
    return 1
}

# wait_for_file FILE: wait until FILE exists and is not empty (a
# pidfile, a marker a client writes).
wait_for_file ()
{
    wait_until test -s "$1"
}

# wait_for_socket SOCK: wait until the Unix socket SOCK exists.
wait_for_socket ()
{
    wait_until test -S "$1"
}

# wait_for_log FILE REGEX [PID]: wait until a line of FILE matches the
# extended regular expression REGEX (and print the file if none does);
# with PID, fail at once if process PID exits first.
_line_or_gone ()
{
    grep -qE -- "$2" "$1" || { [ -n "$3" ] && _gone "$3"; }
}
wait_for_log ()
{
    wait_until _line_or_gone "$1" "$2" "${3:-}"
    grep -qE -- "$2" "$1" || {
        cat "$1"
        echo "$0: no line matching '$2' in $1"
        return 1
    }
}

# wait_for_lines FILE REGEX N: wait until at least N lines of FILE
# match the extended regular expression REGEX.
_lines_at_least ()
{
    local n
    n=$(grep -cE -- "$2" "$1") || :
    [ "${n:-0}" -ge "$3" ]
}
wait_for_lines ()
{
    wait_until _lines_at_least "$@"
}

# wait_gone PID: wait until process PID has exited.
_gone ()
{
    ! kill -0 "$1" 2>/dev/null
}
wait_gone ()
{
    wait_until _gone "$1"
}

# wait_no_process PATTERN: wait until no process has PATTERN in its
# command line (pgrep -f), e.g. a socket path nothing may still use.
_no_process ()
{
    ! pgrep -f -- "$1" >/dev/null
}
wait_no_process ()
{
    wait_until _no_process "$1" || {
        pgrep -a -f -- "$1"
        return 1
    }
}

# The socket, pidfile and URI of the server a test starts (a test that
# starts several gives the others names of its own), and the log of
# the reldisk plugin (reldisk_setup).
sock="$tmpdir/sock"
pid="$tmpdir/pid"
uri="nbd+unix:///?socket=$sock"

# start_nbdkit -P PIDFILE [ARGS...]: start nbdkit (in its default
# forking mode unless ARGS say otherwise), wait for the pidfile, and
# kill the server at exit.  Fails if the server does not start within
# a minute.
start_nbdkit ()
{
    local pidfile
    if [ "$1" != "-P" ] || [ -z "$2" ]; then
        echo "$0: start_nbdkit: first arguments must be -P PIDFILE"
        exit 1
    fi
    pidfile="$2"
    nbdkit "$@"
    if ! wait_for_file "$pidfile"; then
        echo "$0: start_nbdkit: pidfile $pidfile was not created"
        exit 1
    fi
    cleanup_fn kill_nbdkit "$(cat "$pidfile")"
}

# wait_for_pidfile PIDFILE PID: wait until nbdkit, started as process
# PID, has written PIDFILE; fails at once if PID exits instead.
_started_or_gone ()
{
    test -s "$1" || _gone "$2"
}
wait_for_pidfile ()
{
    wait_until _started_or_gone "$1" "$2"
    if ! test -s "$1"; then
        echo "$0: nbdkit (process $2) exited without writing $1"
        return 1
    fi
}

# start_nbdkit_fg -P PIDFILE [ARGS...]: start nbdkit in the foreground
# (-f) as a background job, bounded by TEST_TIMEOUT, and wait for its
# pidfile.  Sets nbdkit_bg to the job's PID, for "wait $nbdkit_bg"
# (whose status is nbdkit's exit status).  In its default forking mode
# nbdkit sends its stderr to /dev/null once it has forked, so tests
# that check nbdkit's messages use this (or -v).
start_nbdkit_fg ()
{
    timeout -k 10 "$TEST_TIMEOUT" nbdkit -f "$@" &
    nbdkit_bg=$!
    cleanup_fn kill "$nbdkit_bg"
    wait_for_pidfile "$2" "$nbdkit_bg" || {
        echo "$0: start_nbdkit_fg: nbdkit did not start"
        exit 1
    }
}

# start_nbdkit_with_parent SOCKET PIDFILE ARGS...: start a parent
# shell that runs "nbdkit --exit-with-parent -U SOCKET -P PIDFILE
# ARGS..." and then waits, and wait until nbdkit listens.  Sets
# nbdkit_parent to the parent's PID and nbdkit_pid to nbdkit's.
start_nbdkit_with_parent ()
{
    local sock=$1 pidfile=$2
    shift 2
    bash -c '
        nbdkit --exit-with-parent -U "$1" -P "$2" "${@:3}" &
        exec sleep 300
    ' parent "$sock" "$pidfile" "$@" &
    nbdkit_parent=$!
    cleanup_fn kill $nbdkit_parent
    wait_for_file "$pidfile"
    nbdkit_pid=$(cat "$pidfile")
    cleanup_fn kill_nbdkit $nbdkit_pid
}

# kill_nbdkit PID: SIGTERM, then wait up to 10 s, then SIGKILL (and
# fail: a server that ignores SIGTERM is a bug).
kill_nbdkit ()
{
    local pid=$1
    kill "$pid" 2>/dev/null || return 0
    WAIT_TRIES=100 wait_gone "$pid" && return 0
    echo "$0: nbdkit $pid did not exit after SIGTERM, sending SIGKILL"
    kill -9 "$pid" 2>/dev/null
    return 1
}

# fails CMD...: CMD must fail (exit non-zero).  Write this, not
# "! CMD": bash's set -e ignores the status of a negated command, so
# "! CMD" can never fail a test.
fails ()
{
    if "$@"; then
        echo "$0: expected to fail, but succeeded: $*" >&2
        return 1
    fi
}

# expect_start_failure NAME [-f] ARGS...: run nbdkit with ARGS (the
# plugin and its parameters) on a socket and pidfile of its own, in
# its default forking mode or in the foreground (-f), where it must
# refuse to start: exit non-zero within two minutes, never write its
# pidfile or leave its socket (it never served), and leave no process
# behind.  Its output (stdout and stderr) is in $tmpdir/NAME.out.
expect_start_failure ()
{
    local name=$1 fg= status=0 sock pid out
    shift
    if [ "$1" = -f ]; then
        fg=-f
        shift
    fi
    sock="$tmpdir/$name.sock"
    pid="$tmpdir/$name.pid"
    out="$tmpdir/$name.out"
    rm -f "$sock" "$pid"
    # -k: a plugin that took SIGTERM away from nbdkit ignores
    # timeout's first signal.
    timeout -k 5 120 nbdkit $fg -U "$sock" -P "$pid" "$@" \
        </dev/null >"$out" 2>&1 || status=$?
    cat "$out"
    echo "$name: nbdkit exited with status $status"
    if [ "$status" -eq 0 ]; then
        # nbdkit started (in the forking mode, it is serving in the
        # background): kill it, it is ours, then fail.
        test ! -s "$pid" || kill -9 "$(cat "$pid")" 2>/dev/null || :
        echo "$0: $name: nbdkit started instead of failing"
        exit 1
    fi
    if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
        echo "$0: $name: nbdkit hung"
        exit 1
    fi
    if test -e "$pid" || test -S "$sock"; then
        echo "$0: $name: nbdkit wrote its pidfile or left its socket"
        exit 1
    fi
    if ! wait_no_process "$sock"; then
        echo "$0: $name: a process using $sock was left behind"
        exit 1
    fi
}

# reldisk_setup: for tests of the reldisk test plugin
# (tests/plugins/reldisk): $reldisk is the library (the test is
# skipped if it was not built), $log the plugin's log, and libnbd's
# debug output (LIBNBD_DEBUG=1, set for all tests), which the
# thousands of requests these tests make would swamp the logs with, is
# off.
reldisk_setup ()
{
    reldisk="$(test_plugin reldisk)"
    log="$tmpdir/log"
    requires_file "$reldisk"
    unset LIBNBD_DEBUG
}

# reldisk_wait_closed LOG: wait until the serving process has closed
# every connection it opened.  nbdkit ends a connection by closing its
# socket first and calling the plugin's close after that, and only
# "if (!quit)" (server/connections.c, free_connection): a SIGTERM that
# arrives in between skips the plugin's close for good.  So a client
# that has seen its connection end cannot tell that the plugin has
# closed it, and a test that stops the server as soon as its clients
# are done may find a connection still open at cleanup.  Tests that
# count connections wait for this state first.
_all_closed ()
{
    local opens closes
    opens=$(grep -c '^serve .* open id=' "$1") || :
    closes=$(grep -c '^serve .* close id=' "$1") || :
    [ "${opens:-0}" -eq "${closes:-0}" ]
}
reldisk_wait_closed ()
{
    wait_until _all_closed "$1" || {
        echo "$0: $(grep -c '^serve .* open id=' "$1") connections opened," \
             "$(grep -c '^serve .* close id=' "$1") closed"
        return 1
    }
}

# reldisk_stop: stop the server of $pid once the reldisk plugin has
# closed every connection (reldisk_wait_closed $log), and print the
# counters it logged at cleanup.
reldisk_stop ()
{
    reldisk_wait_closed "$log"
    kill_nbdkit "$(cat "$pid")"
    reldisk_stats "$log"
}

# reldisk_expect NAME=VALUE...: each counter NAME of the cleanup line
# of $log is VALUE.
reldisk_expect ()
{
    local kv have
    for kv in "$@"; do
        have=$(reldisk_stat "$log" "${kv%%=*}")
        if [ "$have" != "${kv#*=}" ]; then
            echo "$0: reldisk counter ${kv%%=*} is '$have', expected ${kv#*=}"
            return 1
        fi
    done
}

# reldisk_stats LOG: print the counters the reldisk plugin logged at
# cleanup.
reldisk_stats ()
{
    grep '^serve .* cleanup ' "$1"
}

# reldisk_stat LOG NAME: one counter of the cleanup line.
reldisk_stat ()
{
    reldisk_stats "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"
}

# fio_verify SOCK JOBS DEPTH LOOPS: random writes of mixed sizes (512 B to
# 4 MiB) from JOBS fio jobs (one NBD connection each), DEPTH requests in
# flight per connection, each job on its own 32 MiB region of the disk,
# with verification reads interleaved (verify_backlog) and a final
# verification pass, LOOPS times over.  Fails on any I/O error or
# verification failure, and prints the figures.
fio_verify ()
{
    local sock=$1 jobs=$2 depth=$3 loops=$4
    cat > "$tmpdir/job.fio" <<EOF_FIO
[global]
ioengine=nbd
uri=nbd+unix:///?socket=$sock
rw=randwrite
bssplit=512/20:4k/40:64k/25:1m/10:4m/5
blockalign=512
iodepth=$depth
numjobs=$jobs
size=32m
offset_increment=32m
loops=$loops
verify=crc32c
verify_backlog=32
do_verify=1
verify_fatal=1
verify_state_save=0
[verify]
EOF_FIO
    timeout "$TEST_TIMEOUT" fio "$tmpdir/job.fio" \
            --output-format=json --output="$tmpdir/fio.json"
    python3 - "$tmpdir/fio.json" "$jobs" "$depth" "$loops" <<'EOF_PY'
import json, sys
path, jobs, depth, loops = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
text = open(path).read()
# fio prints "fio: connected to NBD server" lines before the JSON.
data = json.loads(text[text.index("{"):])
js = data["jobs"]
assert len(js) == jobs, "expected %d fio jobs, got %d" % (jobs, len(js))
errors = sum(j["error"] for j in js)
rios = sum(j["read"]["total_ios"] for j in js)
wios = sum(j["write"]["total_ios"] for j in js)
rbytes = sum(j["read"]["io_bytes"] for j in js)
wbytes = sum(j["write"]["io_bytes"] for j in js)
print("fio: %d connections x queue depth %d: %d requests "
      "(%d writes, %d verifying reads), %d bytes written, %d bytes verified, "
      "errors %d" % (jobs, depth, rios + wios, wios, rios, wbytes, rbytes, errors))
assert errors == 0, "fio reported errors"
# Every byte written is read back and checked against its checksum.
assert wbytes == jobs * loops * (32 << 20), "fio wrote %d bytes" % wbytes
assert rbytes >= wbytes, "fio verified only %d of %d bytes" % (rbytes, wbytes)
EOF_PY
}

# Bound every nbdkit and client run: a hang fails the test instead of
# stalling the suite.
: "${TEST_TIMEOUT:=300}"

# source_mode_setup: for tests that serve Go source (script=disk.go):
# a private cache ($source_cache) inside $tmpdir, no network, and the
# go command's own build cache left where it was (moving
# XDG_CACHE_HOME would otherwise move it too and make every build
# cold).  The loader finds the Go that configure chose.
source_mode_setup ()
{
    requires "$GOLANG" version
    GOCACHE=$("$GOLANG" env GOCACHE)
    export GOCACHE
    export XDG_CACHE_HOME="$tmpdir/cache"
    export GOPROXY=off GOTOOLCHAIN=local
    unset NBDKIT_GOLANG_GO NBDKIT_GOLANG_GOLIB
    source_cache="$XDG_CACHE_HOME/nbdkit-golang"
}

# go_counting_wrapper: make the loader build through a wrapper of
# $GOLANG (or of $WRAPPED_GO when set) that logs each "go build" to
# $go_builds_log, so that a test can see whether the compiler ran.
# go_builds prints the count.
go_counting_wrapper ()
{
    go_builds_log="$tmpdir/go-builds.log"
    : > "$go_builds_log"
    cat > "$tmpdir/go-wrapper" <<WRAPPER
#!/bin/sh
[ "\$1" != build ] || echo "\$*" >> "$go_builds_log"
exec "\${WRAPPED_GO:-$GOLANG}" "\$@"
WRAPPER
    chmod +x "$tmpdir/go-wrapper"
    export NBDKIT_GOLANG_GO="$tmpdir/go-wrapper"
}
go_builds ()
{
    wc -l < "$go_builds_log"
}

# make_tls_certs DIR: a certificate authority and, signed by it, a
# server certificate (CN=localhost) and a client certificate
# (CN=test client), made with openssl.  DIR/server is nbdkit's
# --tls-certificates directory, DIR/client libnbd's tls-certificates
# (each with ca-cert.pem); DIR/ca-cert.pem is the authority's.
make_tls_certs ()
{
    local d=$1 who subj ext
    mkdir -p "$d/server" "$d/client"
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
            -subj "/O=nbdkit-golang tests/CN=Test CA" \
            -addext basicConstraints=critical,CA:TRUE \
            -addext keyUsage=critical,keyCertSign,cRLSign \
            -keyout "$d/ca-key.pem" -out "$d/ca-cert.pem" 2>/dev/null
    for who in server client; do
        if [ $who = server ]; then
            subj="/O=nbdkit-golang tests/CN=localhost"
            ext=$'subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth'
        else
            subj="/O=nbdkit-golang tests/CN=test client"
            ext="extendedKeyUsage=clientAuth"
        fi
        printf '%s\n' "$ext" > "$d/$who.ext"
        openssl req -newkey rsa:2048 -nodes -subj "$subj" \
                -keyout "$d/$who/$who-key.pem" -out "$d/$who.csr" 2>/dev/null
        openssl x509 -req -in "$d/$who.csr" -days 2 \
                -CA "$d/ca-cert.pem" -CAkey "$d/ca-key.pem" \
                -CAcreateserial -extfile "$d/$who.ext" \
                -out "$d/$who/$who-cert.pem" 2>/dev/null
        chmod 600 "$d/$who/$who-key.pem"
        cp "$d/ca-cert.pem" "$d/$who/"
    done
}
