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

# Plugins that misbehave while nbdkit starts: Config calls os.Exit(3);
# Config calls signal.Notify for SIGINT and SIGTERM (which would take
# nbdkit's own signals away from it); init() panics.  In nbdkit's
# default forking mode and in the foreground (-f), nbdkit must exit
# non-zero with an error message, never hang (every run is bounded by
# timeout, and timeout's status 124 fails the test), and leave no
# process behind.  (A library built for a different ABI version is the
# loader's tests' business: golib cannot be built for another one.)

source ./functions.sh
set -e
set -x
source "$SRCDIR/rel/relfuncs.sh"

requires_file "$reldisk"

run_bad ()
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

for mode in forking foreground; do
    run_bad exit $mode exit=3
    grep -E '3|exit' "$tmpdir/out-exit-$mode"
    run_bad notify $mode notify=true
    grep -Ei 'signal' "$tmpdir/out-notify-$mode"
    RELDISK_INIT_PANIC=1 run_bad initpanic $mode
    grep -q 'RELDISK_INIT_PANIC' "$tmpdir/out-initpanic-$mode"
done
