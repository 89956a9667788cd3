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

# A library whose callback returns -1 without a message (and errno 0)
# must still leave a log line that names the callback: thread_model
# (nbdkit refuses to start), open, get_size (the client cannot
# connect) and list_exports (the client cannot list).

source "$SRCDIR/functions.sh"
set -e
set -x
reldisk_setup

requires_file "$cabi"

# thread_model: in the check process, before nbdkit forks.
status=0
timeout "$TEST_TIMEOUT" nbdkit -U "$tmpdir/sock-tm" "$golang_plugin" \
        "$cabi" silent=thread_model 2> "$tmpdir/stderr-tm" || status=$?
cat "$tmpdir/stderr-tm"
test "$status" -ne 0 && test "$status" -ne 124
grep "cabi.so: thread_model failed" "$tmpdir/stderr-tm"

for cb in open get_size list_exports; do
    sock="$tmpdir/sock-$cb"
    pid="$tmpdir/pid-$cb"
    start_nbdkit_fg -P "$pid" -U "$sock" \
                 "$golang_plugin" "$cabi" silent=$cb 2> "$tmpdir/stderr-$cb"
    if [ $cb = list_exports ]; then
        fails timeout "$TEST_TIMEOUT" nbdinfo --list "nbd+unix:///?socket=$sock"
    else
        fails timeout "$TEST_TIMEOUT" nbdinfo "nbd+unix:///?socket=$sock"
    fi
    kill "$(cat "$pid")"
    wait "$nbdkit_bg"
    cat "$tmpdir/stderr-$cb"
    grep "cabi.so: $cb failed" "$tmpdir/stderr-$cb"
done
