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

# Shared by test-valgrind.sh and test-asan.sh (sourced
# after functions.sh): serve_and_exercise PLUGIN LIBRARY [PREFIX...]
# starts "PREFIX... nbdkit -f" with the loader PLUGIN and the C ABI
# LIBRARY, drives every kind of request through real clients, stops
# the server with SIGTERM and leaves its exit status in $server_status
# and its stderr in $tmpdir/server.log.  The server's environment
# comes from $server_env (an array of VAR=value), extra nbdkit flags
# from $server_flags (an array).

serve_and_exercise ()
{
    local plugin="$1" library="$2"
    shift 2
    local sock="$tmpdir/sock" pid="$tmpdir/pid" uri

    rm -f "$sock" "$pid"
    echo -n "secret" > "$tmpdir/pw"
    env "${server_env[@]}" "$@" \
        nbdkit -f "${server_flags[@]}" -P "$pid" -U "$sock" "$plugin" "$library" \
               size=4M password=+"$tmpdir/pw" expect-password=secret \
               error-offset=3145728 error-errno=28 \
        2> "$tmpdir/server.log" &
    server=$!
    cleanup_fn kill -9 "$server"
    if ! WAIT_TRIES=1200 wait_for_pidfile "$pid" "$server"; then
        cat "$tmpdir/server.log"
        echo "$0: server did not start"
        exit 1
    fi
    uri="nbd+unix:///?socket=$sock"

    timeout "$TEST_TIMEOUT" nbdsh --base-allocation -u "$uri" -c '
h.pwrite(b"m" * 65536, 0)
h.pwrite(b"f" * 512, 65536, nbd.CMD_FLAG_FUA)
assert h.pread(65536, 0) == b"m" * 65536
h.zero(4096, 4096)
h.trim(65536, 131072)
h.flush()
h.cache(4096, 0)
entries = []
def f(metacontext, offset, e, err):
    entries.extend(e)
h.block_status(262144, 0, f)
assert entries[1] == 0
try:
    h.pread(512, 3145728)
    assert False
except nbd.Error as e:
    assert e.errno == "ENOSPC"
'
    timeout "$TEST_TIMEOUT" nbdinfo --map "$uri"
    timeout "$TEST_TIMEOUT" nbdinfo --list "$uri"
    # nbdcopy reads by extents, so it skips the hole at 3M where the
    # error is injected, and the whole copy succeeds.  (A copy that
    # does hit the error, --no-extents, drops the connection with
    # replies in flight, and nbdkit 1.32 itself then aborts in
    # raw_send_socket, with its memory plugin and error filter too.)
    timeout "$TEST_TIMEOUT" nbdcopy "$uri" "$tmpdir/copy.img"
    test "$(stat -c %s "$tmpdir/copy.img")" -eq $((4 * 1024 * 1024))
    dd if=/dev/urandom of="$tmpdir/rand.img" bs=64k count=16
    timeout "$TEST_TIMEOUT" nbdcopy "$tmpdir/rand.img" "$uri"
    # The disk is 4M and the file 1M: qemu-img compare accepts the
    # rest of the disk because it reads as zero (a hole, so the error
    # at 3M is not read either).
    timeout "$TEST_TIMEOUT" qemu-img compare -f raw "$tmpdir/rand.img" \
        "nbd+unix:///?socket=$sock"

    # Stop the server, and give it a bounded time to exit.
    kill -TERM "$(cat "$pid")"
    if ! WAIT_TRIES=1200 wait_gone "$server"; then
        cat "$tmpdir/server.log"
        echo "$0: server did not exit after SIGTERM"
        exit 1
    fi
    server_status=0
    wait "$server" || server_status=$?
    cat "$tmpdir/server.log"
}
