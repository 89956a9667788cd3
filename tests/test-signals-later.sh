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

# A plugin that takes SIGTERM and SIGINT away after start-up: Open
# calls signal.Notify (export "notify") or signal.Ignore (export
# "ignore").  The loader checks nbdkit's shutdown signals on every
# open and close, puts nbdkit's handlers back and says so in the log,
# so SIGTERM still stops the server.

source "$SRCDIR/functions.sh"
set -e
set -x
reldisk_setup

for export in notify ignore; do
    sock="$tmpdir/sock-$export"
    pid="$tmpdir/pid-$export"
    err="$tmpdir/stderr-$export"
    start_nbdkit_fg -P "$pid" -U "$sock" "$golang_plugin" "$reldisk" 2> "$err"
    timeout "$TEST_TIMEOUT" \
            nbdinfo "nbd+unix:///$export?socket=$sock" > /dev/null
    # kill_nbdkit fails if SIGTERM does not stop the server.
    kill_nbdkit "$(cat "$pid")"
    wait "$nbdkit_bg"
    cat "$err"
    grep "took over SIGTERM" "$err"
    grep "restored nbdkit's handler" "$err"
done
