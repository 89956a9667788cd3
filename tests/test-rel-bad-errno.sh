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

# Errors that carry something that is not an errno: a Go error wrapping
# syscall.Errno(-5) or syscall.Errno(1<<31) (golib), and a C library
# that sets err->errnum to -5 or INT_MIN (the loader).  nbdkit asserts
# that an errno is positive, so each must reach the client as EIO and
# the server must keep serving.

source "$SRCDIR/functions.sh"
set -e
set -x
reldisk_setup
requires_file "$cabi"

# check_eio SOCK OFFSET...: a read at each OFFSET fails with EIO, and
# the server still serves a good read afterwards.
check_eio ()
{
    timeout "$TEST_TIMEOUT" python3 - "$@" <<'EOF_PY'
import sys
import nbd
import nbdclient

h = nbdclient.connect(sys.argv[1])
for off in sys.argv[2:]:
    try:
        h.pread(512, int(off))
        raise AssertionError("read at %s succeeded" % off)
    except nbd.Error as e:
        print("read at %s: client sees %s" % (off, e.errno))
        assert e.errno == "EIO", e.errno
assert h.pread(512, 0) == bytearray(512)
h.shutdown()
EOF_PY
}

# golib.
start_nbdkit_fg -P "$pid" -U "$sock" \
             "$golang_plugin" "$reldisk" fail=4096:ENEG,8192:EHUGE \
             2> "$tmpdir/stderr"
check_eio "$sock" 4096 8192
kill "$(cat "$pid")"
wait "$nbdkit_bg"
cat "$tmpdir/stderr"

# The loader, with a library in C.
for errnum in -5 -2147483648 4096; do
    sock="$tmpdir/sock$errnum"
    pid="$tmpdir/pid$errnum"
    start_nbdkit_fg -P "$pid" -U "$sock" \
                 "$golang_plugin" "$cabi" error-offset=4096 \
                 error-errno=$errnum 2> "$tmpdir/stderr$errnum"
    check_eio "$sock" 4096
    kill "$(cat "$pid")"
    wait "$nbdkit_bg"
    cat "$tmpdir/stderr$errnum"
done
