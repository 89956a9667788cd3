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

# A relative script path works in the default (forking) mode, although
# nbdkit changes directory to / when it forks.  Both ways of naming the
# script: script=./lib.so and the bare first argument ./lib.so.

source "$SRCDIR/functions.sh"
set -e
set -x

requires nbdinfo --version

ramdisk=$(example ramdisk)
sock1=$tmpdir/sock1
sock2=$tmpdir/sock2

cd "$(dirname "$ramdisk")"
start_nbdkit -P "$tmpdir/pid1" -U "$sock1" \
    "$golang_plugin" script=./"$(basename "$ramdisk")" size=1M
start_nbdkit -P "$tmpdir/pid2" -U "$sock2" \
    "$golang_plugin" ./"$(basename "$ramdisk")" size=2M
cd /

size=$(timeout 60 nbdinfo --size "nbd+unix:///?socket=$sock1")
test "$size" -eq $((1024 * 1024))
size=$(timeout 60 nbdinfo --size "nbd+unix:///?socket=$sock2")
test "$size" -eq $((2 * 1024 * 1024))
