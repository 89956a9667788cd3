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

# The readerat example (nbdkit.ReaderAtDisk over an *os.File) through
# the loader and real clients: what the storage implements decides
# the capabilities at run time (writable, flush, FUA, trim and zero
# by punching holes, multi-conn), the data reaches the file, and with
# readonly=true (an io.SectionReader: ReadAt only) the disk is
# read-only.  A file that shrinks under the disk fails reads with EIO.
# Its configuration errors are tested by its own go test.

source "$SRCDIR/functions.sh"
set -e
set -x

requires nbdsh --version
requires nbdinfo --version

readerat=$(example readerat)
test -f "$readerat"

truncate -s 4M $tmpdir/disk.img
nbdkit -U - $golang_plugin $readerat file=$tmpdir/disk.img --run '
  nbdsh -u "$uri" -c "
assert h.get_size() == 4 * 1024 * 1024
assert not h.is_read_only()
assert h.can_flush() and h.can_fua() and h.can_trim() and h.can_zero()
assert h.can_multi_conn()
h.pwrite(b\"A\" * 65536, 0, nbd.CMD_FLAG_FUA)
h.pwrite(b\"B\" * 65536, 1024 * 1024)
h.flush()
assert h.pread(65536, 0) == b\"A\" * 65536
# zero that may trim punches a hole; with NO_HOLE nbdkit writes zeroes.
h.pwrite(b\"C\" * 65536, 2 * 1024 * 1024)
h.zero(4096, 2 * 1024 * 1024)
h.zero(4096, 2 * 1024 * 1024 + 8192, nbd.CMD_FLAG_NO_HOLE)
d = h.pread(65536, 2 * 1024 * 1024)
assert d[0:4096] == bytes(4096)
assert d[4096:8192] == b\"C\" * 4096
assert d[8192:12288] == bytes(4096)
assert d[12288:] == b\"C\" * (65536 - 12288)
"'
# The data really is in the file.
test "$(head -c 65536 $tmpdir/disk.img | tr -d A | wc -c)" -eq 0
test "$(tail -c +1048577 $tmpdir/disk.img | head -c 65536 | tr -d B | wc -c)" -eq 0

# Trim punches holes: the file's blocks are freed.
before=$(stat -c %b $tmpdir/disk.img)
nbdkit -U - $golang_plugin $readerat file=$tmpdir/disk.img --run '
  nbdsh -u "$uri" -c "h.trim(h.get_size(), 0); assert h.pread(65536, 0) == bytes(65536)"'
after=$(stat -c %b $tmpdir/disk.img)
echo "blocks before trim: $before, after: $after"
test "$after" -lt "$before"

# readonly=true: ReadAt only, so nbdkit serves the disk read-only.
printf 'hello' | dd of=$tmpdir/disk.img conv=notrunc status=none
nbdkit -U - $golang_plugin $readerat file=$tmpdir/disk.img readonly=true --run '
  nbdinfo "$uri" > '$tmpdir'/info
  nbdsh -u "$uri" -c "
assert h.is_read_only()
assert not h.can_flush() and not h.can_trim()
assert h.pread(5, 0) == b\"hello\"
"'
cat $tmpdir/info
grep 'is_read_only: true' $tmpdir/info

# The file shrinks under the disk: a read past its new end fails with
# EIO (not zeroes, not a hang), and the server keeps serving.
nbdkit -U - $golang_plugin $readerat file=$tmpdir/disk.img --run '
  nbdsh -u "$uri" -c "
import errno, os
assert h.get_size() == 4 * 1024 * 1024
os.truncate(\"'$tmpdir'/disk.img\", 1024 * 1024)
try:
    h.pread(4096, 2 * 1024 * 1024)
    assert False, \"a read past the end of the file worked\"
except nbd.Error as e:
    assert e.errnum == errno.EIO, e
assert h.pread(5, 0) == b\"hello\"
"' 2> $tmpdir/err || { cat $tmpdir/err; exit 1; }
cat $tmpdir/err
grep 'short read: 0 of 4096 bytes at offset 2097152' $tmpdir/err
