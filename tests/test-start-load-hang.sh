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

# A library that would hang nbdkit at load.  A Go library built with
# -buildmode=plugin instead of c-shared never starts its runtime when
# loaded from C, so the handshake would wait forever: the loader must
# tell from the file itself, before running any of its code, in the
# default mode and with --dump-plugin.  And a library that blocks in
# a callback of the check process (the C test library with
# block=get_ready) is killed after NBDKIT_GOLANG_CHECK_TIMEOUT
# seconds, with an error naming the library and the phase.

source "$SRCDIR/functions.sh"
set -e
set -x
reldisk_setup

plugin_mode="$(test_plugin reldisk | sed 's/\.so$/-plugin.so/')"
requires_file "$plugin_mode"
requires_file "$cabi"

# expect_fail NAME REGEXP ARGS...: nbdkit fails within 30 s (timeout's
# 124 fails the test) and its stderr matches REGEXP.
expect_fail ()
{
    local name=$1 regexp=$2 status=0
    shift 2
    timeout -k 5 30 nbdkit "$@" > "$tmpdir/out-$name" \
            2> "$tmpdir/err-$name" || status=$?
    cat "$tmpdir/err-$name"
    echo "$name: nbdkit exited with status $status"
    test "$status" -ne 0 && test "$status" -ne 124 && test "$status" -ne 137
    grep -E -- "$regexp" "$tmpdir/err-$name"
}

expect_fail plugin "libreldisk-plugin.so: built with go build -buildmode=plugin" \
            -U "$tmpdir/sock" "$golang_plugin" "$plugin_mode"
expect_fail dump "libreldisk-plugin.so: built with go build -buildmode=plugin" \
            "$golang_plugin" "$plugin_mode" --dump-plugin

NBDKIT_GOLANG_CHECK_TIMEOUT=2 \
    expect_fail block "cabi.so: the check process .* within 2 seconds: it was stuck in get_ready" \
    -U "$tmpdir/sock" "$golang_plugin" "$cabi" block=get_ready
NBDKIT_GOLANG_CHECK_TIMEOUT=2 \
    expect_fail blockconfig "stuck in config_complete" \
    -U "$tmpdir/sock" "$golang_plugin" "$cabi" block=config_complete
NBDKIT_GOLANG_CHECK_TIMEOUT=soon \
    expect_fail badtimeout "NBDKIT_GOLANG_CHECK_TIMEOUT: 'soon' is not a number" \
    -U "$tmpdir/sock" "$golang_plugin" "$cabi"
# Nothing was left running.
fails pgrep -f -- "$tmpdir/sock"
