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

# Errors from Go reach the client with their errno, and the message
# reaches nbdkit's log: EPERM, EIO (an error without an errno), ENOMEM,
# ESHUTDOWN, EINVAL, ENOSPC, and EROFS from an *os.PathError (which
# NBD carries as EPERM).  A panicking callback fails with EIO and a
# logged stack, and the server keeps serving.  An error that nbdkit
# already reported (ParseSize) is not reported twice.
#
# Then each errno the NBD protocol carries, returned (wrapped) by the
# reldisk plugin, reaches the client as itself.  nbdkit sends
# EOVERFLOW only for reads with the DF flag (structured replies) and
# ENOTSUP only for fast zero requests, so those are asked that way.
# EROFS travels as EPERM (the protocol has no EROFS).
#
# Errors that carry something that is not an errno: a Go error wrapping
# syscall.Errno(-5) or syscall.Errno(1<<31) (golib), and a C library
# that sets err->errnum to -5 or INT_MIN (the loader).  nbdkit asserts
# that an errno is positive, so each must reach the client as EIO and
# the server must keep serving.

source "$SRCDIR/functions.sh"
set -e
set -x

requires nbdsh --version
reldisk_setup
requires_file "$cabi"

features=$(test_plugin features)
test -f "$features"

cat > $tmpdir/errors.py <<'PY'
import errno, nbd, sys

sock = sys.argv[1]
h = nbd.NBD()
h.connect_uri("nbd+unix:///errors?socket=%s" % sock)

def expect(block, errnum):
    try:
        h.pread(512, block * 512)
    except nbd.Error as e:
        assert e.errnum == errnum, (block, e.errnum, errnum, e)
        return
    assert False, "block %d did not fail" % block

assert h.pread(512, 0) == bytes(512)
expect(1, errno.EPERM)
expect(2, errno.EIO)
expect(3, errno.ENOMEM)
expect(4, errno.ESHUTDOWN)
expect(5, errno.EINVAL)
expect(6, errno.ENOSPC)
expect(7, errno.EPERM)     # EROFS: NBD has no EROFS, nbdkit sends EPERM
expect(8, errno.EIO)       # panic
assert h.pread(512, 0) == bytes(512), "no service after a panic"
expect(9, errno.EIO)       # nbdkit_parse_size failed and reported it
expect(10, errno.EIO)      # runtime error panic
assert h.pread(512, 65536) == bytes(512)

# Writes past 4K fail with ENOSPC.
h.pwrite(b"ok", 0)
try:
    h.pwrite(b"x" * 512, 4096)
    assert False
except nbd.Error as e:
    assert e.errnum == errno.ENOSPC, e
h.shutdown()

# The server still serves new connections.
h = nbd.NBD()
h.connect_uri("nbd+unix:///errors?socket=%s" % sock)
assert h.pread(2, 0) == b"ok"
h.shutdown()
print("errors: ok")
PY

nbdkit -U - $golang_plugin $features \
       --run 'python3 '$tmpdir'/errors.py "$unixsocket"' \
       > $tmpdir/out 2> $tmpdir/err || {
    cat $tmpdir/out $tmpdir/err
    exit 1
}
cat $tmpdir/out $tmpdir/err
grep 'errors: ok' $tmpdir/out

# Each message reached nbdkit's log.
grep 'error: features: a plain error' $tmpdir/err
grep 'error: features: out of memory: cannot allocate memory' $tmpdir/err
grep 'error: features: bad request: invalid argument' $tmpdir/err
grep 'error: features: disk full: no space left on device' $tmpdir/err
grep 'error: open /features: read-only file system' $tmpdir/err
grep 'error: features: past 4K: no space left on device' $tmpdir/err
# Panics: the value, "panic", and the stack with the plugin's frames.
grep 'panic in pread callback: features: panic in PRead as asked' $tmpdir/err
grep 'panic in pread callback: assignment to entry in nil map' $tmpdir/err
grep 'goroutine ' $tmpdir/err
grep 'features.go:' $tmpdir/err
# nbdkit_parse_size reported its own error; golib did not add one.
test "$(grep -c 'features-not-a-size' $tmpdir/err)" -eq 1
test "$(grep -c 'nbdkit reported the reason' $tmpdir/err)" -eq 0

# A panic in a configuration callback stops nbdkit with a message,
# before it forks.
if nbdkit -U - $golang_plugin $features panic=config --run true 2> $tmpdir/err
then
    echo "$0: nbdkit started although Config panicked"
    exit 1
fi
cat $tmpdir/err
grep 'panic in config callback: features: panic in Config as asked' $tmpdir/err

# A helper's error in Config (a size nbdkit cannot parse) is reported
# once, by nbdkit.
if nbdkit -U - $golang_plugin $features size=bogus --run true 2> $tmpdir/err
then
    echo "$0: size=bogus was accepted"
    exit 1
fi
cat $tmpdir/err
test "$(grep -c 'bogus' $tmpdir/err)" -ge 1
test "$(grep -c 'nbdkit reported the reason' $tmpdir/err)" -eq 0

# Every errno of the protocol, from the reldisk plugin.
errnos="EPERM EIO ENOMEM EINVAL ENOSPC EOVERFLOW ENOTSUP ESHUTDOWN EROFS"
fail=
i=1
for e in $errnos; do
    fail="$fail${fail:+,}$((i * 4096)):$e"
    i=$((i + 1))
done

start_nbdkit_fg -P "$pid" -U "$sock" \
             "$golang_plugin" "$reldisk" fail="$fail" \
             2> "$tmpdir/stderr"

timeout "$TEST_TIMEOUT" python3 - "$sock" $errnos <<'EOF_PY'
import sys
import nbd
import nbdclient

sock = sys.argv[1]
names = sys.argv[2:]
expect = {"EROFS": "EPERM"}
h = nbdclient.connect(sock)
assert h.can_df() and h.can_fast_zero()
for i, name in enumerate(names, 1):
    off = i * 4096
    want = expect.get(name, name)
    if name == "ENOTSUP":
        how, f = "fast zero", lambda: h.zero(512, off, nbd.CMD_FLAG_FAST_ZERO)
    else:
        how, f = "read with DF", lambda: h.pread_structured(
            512, off, lambda *a: 0, nbd.CMD_FLAG_DF)
    try:
        f()
        raise AssertionError("%s at %d succeeded" % (how, off))
    except nbd.Error as e:
        print("%-9s -> %s: client sees %s (%s)" % (name, how, e.errno, e.string))
        assert e.errno == want, (name, e.errno)
    # Plain reads carry every errno except EOVERFLOW and ENOTSUP,
    # which nbdkit sends as EINVAL there.
    try:
        h.pread(512, off)
        raise AssertionError("read at %d succeeded" % off)
    except nbd.Error as e:
        plain = "EINVAL" if name in ("EOVERFLOW", "ENOTSUP") else want
        assert e.errno == plain, (name, "plain read", e.errno)
# The connection still works.
assert h.pread(512, 0) == bytearray(512)
h.shutdown()
EOF_PY

kill "$(cat "$pid")"
wait "$nbdkit_bg"
cat "$tmpdir/stderr"
# The Go error's message reached nbdkit's log.
test "$(grep -c 'reldisk: injected .* at offset' "$tmpdir/stderr")" -ge 9

# Errors that carry something that is not an errno.
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
sock="$tmpdir/sock-bad"
pid="$tmpdir/pid-bad"
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
