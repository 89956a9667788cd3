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

# Shell helpers of the reliability tests, sourced after functions.sh.

# libnbd debug output (LIBNBD_DEBUG=1, set for all tests) of the
# thousands of requests these tests make would swamp the logs.
unset LIBNBD_DEBUG

reldisk="$(test_plugin reldisk)"
python=/usr/bin/python3

# rel_fio SOCK JOBS DEPTH LOOPS: random writes of mixed sizes (512 B to
# 4 MiB) from JOBS fio jobs (one NBD connection each), DEPTH requests in
# flight per connection, each job on its own 32 MiB region of the disk,
# with verification reads interleaved (verify_backlog) and a final
# verification pass, LOOPS times over.  Fails on any I/O error or
# verification failure, and prints the figures.
rel_fio ()
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
[rel]
EOF_FIO
    timeout "$TEST_TIMEOUT" fio "$tmpdir/job.fio" \
            --output-format=json --output="$tmpdir/fio.json"
    $python - "$tmpdir/fio.json" "$jobs" "$depth" "$loops" <<'EOF_PY'
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

# rel_stats LOG: print the counters the plugin logged at cleanup.
rel_stats ()
{
    grep '^serve .* cleanup ' "$1"
}

# rel_stat LOG NAME: one counter of the cleanup line.
rel_stat ()
{
    rel_stats "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"
}

# rel_wait_gone PID: wait up to 60 s for a process to exit.
rel_wait_gone ()
{
    local i
    for (( i = 0; i < 600; ++i )); do
        kill -0 "$1" 2>/dev/null || return 0
        sleep 0.1
    done
    echo "$0: process $1 is still running"
    return 1
}

# rel_start_fg -P PIDFILE [ARGS...]: start nbdkit in the foreground
# (-f) as a background job, bounded by TEST_TIMEOUT, and wait for its
# pidfile.  Sets rel_bg to the job's PID, for "wait $rel_bg" (whose
# status is nbdkit's exit status).  In its default forking mode nbdkit
# sends its stderr to /dev/null once it has forked, so tests that
# check nbdkit's messages use this (or -v).
rel_start_fg ()
{
    local pidfile=$2 i
    timeout -k 10 "$TEST_TIMEOUT" nbdkit -f "$@" &
    rel_bg=$!
    cleanup_fn kill "$rel_bg"
    for (( i = 0; i < 600; ++i )); do
        test -s "$pidfile" && return 0
        kill -0 "$rel_bg" 2>/dev/null || break
        sleep 0.1
    done
    echo "$0: rel_start_fg: nbdkit did not start"
    exit 1
}

# rel_run_bad NAME MODE [ARGS...]: run nbdkit with the reldisk plugin
# and ARGS, in the default forking MODE ("forking") or in the
# foreground ("foreground"), expecting it to fail at start: it must
# exit non-zero within 30 s with an error message and leave no process
# behind.  Its output is in $tmpdir/out-NAME-MODE.
rel_run_bad ()
{
    local name=$1 mode=$2 status=0 out sock pid
    shift 2
    sock="$tmpdir/sock-$name-$mode"
    pid="$tmpdir/pid-$name-$mode"
    out="$tmpdir/out-$name-$mode"
    local fg=
    [ "$mode" = foreground ] && fg=-f
    # -k: a plugin that took SIGTERM away from nbdkit ignores timeout's
    # first signal.
    timeout -k 5 30 nbdkit $fg -U "$sock" -P "$pid" \
            "$golang_plugin" "$reldisk" "$@" > "$out" 2>&1 || status=$?
    cat "$out"
    echo "$name ($mode): nbdkit exited with status $status"
    if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
        echo "$0: $name ($mode): nbdkit hung"
        exit 1
    fi
    if [ "$status" -eq 0 ]; then
        # nbdkit started (and, in the forking mode, is serving in the
        # background): kill it, it is ours, then fail.
        if test -s "$pid"; then
            kill -9 "$(cat "$pid")" 2>/dev/null || :
        fi
        echo "$0: $name ($mode): nbdkit started instead of failing"
        exit 1
    fi
    # A clear error: nbdkit names the plugin's library and says what
    # happened.
    grep -Ei 'error|exit|panic|signal' "$out"
    # Nothing is left serving (or half-started) on the socket.
    sleep 0.5
    if pgrep -f -- "$sock" >/dev/null; then
        pgrep -a -f -- "$sock"
        echo "$0: $name ($mode): a process was left behind"
        exit 1
    fi
    if test -s "$pid" && kill -0 "$(cat "$pid")" 2>/dev/null; then
        kill -9 "$(cat "$pid")"
        echo "$0: $name ($mode): nbdkit is still running"
        exit 1
    fi
}
