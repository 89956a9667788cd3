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

# Python helpers shared by tests (features_client.py).
export PYTHONPATH="$abs_top_srcdir/tests${PYTHONPATH:+:$PYTHONPATH}"

# The loader as built in this tree, and the built examples.
golang_plugin="$abs_top_builddir/src/.libs/nbdkit-golang-plugin.so"
examples="$abs_top_builddir/examples"
test_plugins="$abs_top_builddir/tests/plugins"

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

# start_nbdkit -P PIDFILE [ARGS...]: start nbdkit (in its default
# forking mode unless ARGS say otherwise), wait for the pidfile, and
# kill the server at exit.  Fails if the server does not start within
# 60 seconds.
start_nbdkit ()
{
    local pidfile i
    if [ "$1" != "-P" ] || [ -z "$2" ]; then
        echo "$0: start_nbdkit: first arguments must be -P PIDFILE"
        exit 1
    fi
    pidfile="$2"
    nbdkit "$@"
    for (( i = 0; i < 600; ++i )); do
        test -s "$pidfile" && break
        sleep 0.1
    done
    if ! test -s "$pidfile"; then
        echo "$0: start_nbdkit: pidfile $pidfile was not created"
        exit 1
    fi
    cleanup_fn kill_nbdkit "$(cat "$pidfile")"
}

# wait_for_socket SOCK: wait up to 60 seconds for nbdkit -f to create
# its Unix socket; fails if it does not.
wait_for_socket ()
{
    local i
    for (( i = 0; i < 600; ++i )); do
        test -S "$1" && return 0
        sleep 0.1
    done
    echo "$0: wait_for_socket: $1 was not created"
    return 1
}

# wait_gone PID: wait up to 60 s for a process to exit.
wait_gone ()
{
    local i
    for (( i = 0; i < 600; ++i )); do
        kill -0 "$1" 2>/dev/null || return 0
        sleep 0.1
    done
    echo "$0: process $1 is still running"
    return 1
}

# start_nbdkit_fg -P PIDFILE [ARGS...]: start nbdkit in the foreground
# (-f) as a background job, bounded by TEST_TIMEOUT, and wait for its
# pidfile.  Sets nbdkit_bg to the job's PID, for "wait $nbdkit_bg" (whose
# status is nbdkit's exit status).  In its default forking mode nbdkit
# sends its stderr to /dev/null once it has forked, so tests that
# check nbdkit's messages use this (or -v).
start_nbdkit_fg ()
{
    local pidfile=$2 i
    timeout -k 10 "$TEST_TIMEOUT" nbdkit -f "$@" &
    nbdkit_bg=$!
    cleanup_fn kill "$nbdkit_bg"
    for (( i = 0; i < 600; ++i )); do
        test -s "$pidfile" && return 0
        kill -0 "$nbdkit_bg" 2>/dev/null || break
        sleep 0.1
    done
    echo "$0: start_nbdkit_fg: nbdkit did not start"
    exit 1
}

# start_nbdkit_with_parent SOCKET PIDFILE ARGS...: start a parent
# shell that runs "nbdkit --exit-with-parent -U SOCKET -P PIDFILE
# ARGS..." and then waits, and wait until nbdkit listens.  Sets
# nbdkit_parent to the parent's PID and nbdkit_pid to nbdkit's.
start_nbdkit_with_parent ()
{
    local sock=$1 pidfile=$2 i
    shift 2
    bash -c '
        nbdkit --exit-with-parent -U "$1" -P "$2" "${@:3}" &
        exec sleep 300
    ' parent "$sock" "$pidfile" "$@" &
    nbdkit_parent=$!
    cleanup_fn kill $nbdkit_parent
    for (( i = 0; i < 600; ++i )); do
        test -S "$sock" && test -s "$pidfile" && break
        sleep 0.1
    done
    nbdkit_pid=$(cat "$pidfile")
    cleanup_fn kill_nbdkit $nbdkit_pid
}

# kill_nbdkit PID: SIGTERM, then wait up to 10 s, then SIGKILL (and
# fail: a server that ignores SIGTERM is a bug).
kill_nbdkit ()
{
    local pid=$1 i
    kill "$pid" 2>/dev/null || return 0
    for (( i = 0; i < 100; ++i )); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    echo "$0: nbdkit $pid did not exit after SIGTERM, sending SIGKILL"
    kill -9 "$pid" 2>/dev/null
    return 1
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
