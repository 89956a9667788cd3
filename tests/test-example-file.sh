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

# The file example: reads and writes, FUA and flush, trim (punch hole),
# zero (zero range, or punch hole, or nbdkit's pwrite fallback),
# extents from SEEK_DATA/SEEK_HOLE, read-only handling and errno
# pass-through (ENOSPC on a full tmpfs, EROFS fallback to read-only).

source "$SRCDIR/functions.sh"
set -e
set -x

requires nbdsh --version
requires nbdinfo --version

file=$(example file)
test -f "$file"

# file= is required, and must exist (Realpath reports it once).
if nbdkit -U - $golang_plugin $file --run true 2> $tmpdir/err; then
    echo "$0: no file= was accepted"; exit 1
fi
grep 'you must supply the file=<FILENAME> parameter' $tmpdir/err
if nbdkit -U - $golang_plugin $file file=$tmpdir/missing --run true 2> $tmpdir/err; then
    echo "$0: a missing file was accepted"; exit 1
fi
cat $tmpdir/err
grep "$tmpdir/missing" $tmpdir/err
test "$(grep -c 'realpath' $tmpdir/err)" -ge 1
# golib must not repeat an error nbdkit already reported.
test "$(grep -c 'nbdkit reported the reason' $tmpdir/err)" -eq 0

truncate -s 4M $tmpdir/disk.img

# The example resolves file= with nbdkit.Realpath in Config, so a
# relative name works, also in nbdkit's default forking mode, where
# the serving process replays the configuration after nbdkit has
# changed directory to / (the loader runs the replay in the directory
# nbdkit started in).
cd $tmpdir
start_nbdkit -P $pid -U $sock $golang_plugin $file file=disk.img
cd - >/dev/null

nbdinfo "$uri" > $tmpdir/info
cat $tmpdir/info
grep 'can_fua: true' $tmpdir/info
grep 'can_flush: true' $tmpdir/info
grep 'can_trim: true' $tmpdir/info
grep 'can_zero: true' $tmpdir/info
grep 'is_read_only: false' $tmpdir/info

timeout 120 nbdsh -u "$uri" -c '
assert h.get_size() == 4 * 1024 * 1024
h.pwrite(b"A" * 8192, 0, nbd.CMD_FLAG_FUA)
h.pwrite(b"B" * 8192, 1024 * 1024)
h.flush()
assert h.pread(8192, 0) == b"A" * 8192
# zero with and without permission to trim, and trim.
h.pwrite(b"C" * 65536, 2 * 1024 * 1024)
h.zero(4096, 2 * 1024 * 1024, nbd.CMD_FLAG_NO_HOLE)
h.zero(4096, 2 * 1024 * 1024 + 8192)
h.trim(4096, 2 * 1024 * 1024 + 16384)
d = h.pread(65536, 2 * 1024 * 1024)
assert d[0:4096] == bytes(4096)
assert d[4096:8192] == b"C" * 4096
assert d[8192:12288] == bytes(4096)
assert d[16384:20480] == bytes(4096) or d[16384:20480] == b"C" * 4096
assert d[20480:] == b"C" * (65536 - 20480)
'
# The data really is in the file.
test "$(head -c 8192 $tmpdir/disk.img | tr -d A | wc -c)" -eq 0
test "$(tail -c +1048577 $tmpdir/disk.img | head -c 8192 | tr -d B | wc -c)" -eq 0

# Extents: data where written, holes elsewhere.
nbdinfo --map "$uri" > $tmpdir/map
cat $tmpdir/map
grep -E '^ +0 +8192 +0 +data$' $tmpdir/map
grep -E '^ +8192 +1040384 +3 +hole,zero$' $tmpdir/map
grep -E '^ +1048576 +8192 +0 +data$' $tmpdir/map

# Trim of a whole file frees its blocks.
before=$(stat -c %b $tmpdir/disk.img)
nbdsh -u "$uri" -c 'h.trim(h.get_size(), 0)'
after=$(stat -c %b $tmpdir/disk.img)
test "$after" -lt "$before"
nbdinfo --map "$uri" > $tmpdir/map
grep -E '^ +0 +4194304 +3 +hole,zero$' $tmpdir/map

# -r: read-only, and nbdkit refuses writes with EPERM.
nbdkit -r -U - $golang_plugin $file file=$tmpdir/disk.img --run '
  nbdsh -u "$uri" -c "
import errno
assert h.is_read_only()
h.set_strict_mode(0)
try:
    h.pwrite(b\"x\", 0)
    assert False
except nbd.Error as e:
    assert e.errnum == errno.EPERM, e.errnum
"'

# A full file system: the client sees ENOSPC; a read-only one: the
# example opens the file read-only.
if mkdir -p $tmpdir/mnt && mount -t tmpfs -o size=1M golib-test $tmpdir/mnt 2>/dev/null; then
    cleanup_fn umount -l $tmpdir/mnt
    truncate -s 8M $tmpdir/mnt/small.img
    nbdkit -U - $golang_plugin $file file=$tmpdir/mnt/small.img --run '
      nbdsh -u "$uri" -c "
import errno
# tmpfs has no FALLOC_FL_ZERO_RANGE: zero falls back to pwrite, or
# punches a hole when trimming is allowed.
h.pwrite(b\"Z\" * 4096, 0)
h.zero(4096, 0)
assert h.pread(4096, 0) == bytes(4096)
try:
    h.pwrite(b\"x\" * (2 * 1024 * 1024), 4 * 1024 * 1024)
    assert False
except nbd.Error as e:
    assert e.errnum == errno.ENOSPC, e.errnum
"' 2> $tmpdir/err
    cat $tmpdir/err
    grep -i 'no space left on device' $tmpdir/err

    mount -o remount,ro $tmpdir/mnt
    nbdkit -v -U - $golang_plugin $file file=$tmpdir/mnt/small.img --run '
      nbdsh -u "$uri" -c "assert h.is_read_only()"' 2> $tmpdir/err
    grep 'read-only: open .*small.img: read-only file system' $tmpdir/err
else
    # Not allowed to mount: this machine (root) always can.
    test "$(id -u)" -ne 0
fi
