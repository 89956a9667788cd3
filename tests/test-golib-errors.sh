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

source "$SRCDIR/functions.sh"
set -e
set -x

requires nbdsh --version

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
