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

# The ramdisk example through the loader and real clients: size=,
# writes and reads, zero and trim free pages (the map shows holes
# again), serialize_requests thread model, multi-conn, nbdcopy and qemu-img.

source "$SRCDIR/functions.sh"
set -e
set -x

requires nbdsh --version
requires nbdinfo --version
requires nbdcopy --version
requires qemu-img --version

ramdisk=$(example ramdisk)
test -f "$ramdisk"

# Default size 1G, serialize_requests thread model, Info in --dump-plugin.
nbdkit $golang_plugin $ramdisk --dump-plugin > $tmpdir/dump
cat $tmpdir/dump
grep '^golang_plugin_name=ramdisk$' $tmpdir/dump
grep '^golang_thread_model=serialize_requests$' $tmpdir/dump

nbdkit -U - $golang_plugin $ramdisk --run 'nbdinfo --size "$uri"' > $tmpdir/size
test "$(cat $tmpdir/size)" = 1073741824

# size= uses nbdkit's size syntax; bad sizes and unknown keys fail
# with nbdkit's message, before nbdkit forks.
if nbdkit -U - $golang_plugin $ramdisk size=lots --run true 2> $tmpdir/err; then
    echo "$0: size=lots was accepted"
    exit 1
fi
cat $tmpdir/err
grep -i 'size' $tmpdir/err
if nbdkit -U - $golang_plugin $ramdisk colour=blue --run true 2> $tmpdir/err; then
    echo "$0: an unknown parameter was accepted"
    exit 1
fi
grep "unknown parameter 'colour'" $tmpdir/err

nbdkit -U - $golang_plugin $ramdisk size=4M --run '
  set -e
  nbdinfo "$uri" > '$tmpdir'/info
  nbdsh -u "$uri" -c "
assert h.get_size() == 4 * 1024 * 1024
assert not h.is_read_only()
assert h.can_flush() and h.can_fua() and h.can_trim() and h.can_zero()
assert h.can_multi_conn()
# A fresh disk reads as zeroes and is one hole.
assert h.pread(4096, 0) == bytes(4096)
# Writes that straddle 64K pages.
data = bytes(range(256)) * 1000
h.pwrite(data, 65536 - 1000)
assert h.pread(len(data), 65536 - 1000) == data
h.pwrite(b\"fua\", 3 * 65536, nbd.CMD_FLAG_FUA)
h.flush()
assert h.pread(3, 3 * 65536) == b\"fua\"
# Zero part of a page: the rest of it stays.
h.zero(100, 65536)
assert h.pread(100, 65536) == bytes(100)
assert h.pread(10, 65636) == data[1100:1110]
"
  nbdinfo --map "$uri" > '$tmpdir'/map1
  # Zero and trim whole pages: they become holes again.
  nbdsh -u "$uri" -c "
h.zero(3 * 65536, 0)
h.trim(2 * 65536, 3 * 65536)
assert h.pread(5 * 65536, 0) == bytes(5 * 65536)
"
  nbdinfo --map "$uri" > '$tmpdir'/map2
  # nbdcopy and qemu-img round trip through the disk.
  head -c 3000000 /dev/urandom > '$tmpdir'/in
  truncate -s 4M '$tmpdir'/in
  nbdcopy '$tmpdir'/in "$uri"
  nbdcopy "$uri" '$tmpdir'/out
  cmp '$tmpdir'/in '$tmpdir'/out
  qemu-img compare -f raw '$tmpdir'/in "$uri"
'
cat $tmpdir/info $tmpdir/map1 $tmpdir/map2
grep 'can_multi_conn: true' $tmpdir/info
# After the writes, the first pages hold data...
grep -E '^ +0 +327680 +0 +data$' $tmpdir/map1
grep -E '^ +327680 +3866624 +3 +hole,zero$' $tmpdir/map1
# ...and after zero and trim the whole disk is a hole again.
grep -E '^ +0 +4194304 +3 +hole,zero$' $tmpdir/map2
