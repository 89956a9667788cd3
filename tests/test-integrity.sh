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

# Concurrency and integrity: 8 connections x queue depth 16 of random
# writes of 512 B to 4 MiB with interleaved verifying reads (fio's nbd
# engine, crc32c) against a PARALLEL Go plugin in nbdkit's default
# forking mode.  Every byte written is read back and verified; the
# plugin must have seen requests overlap within a connection, never a
# request past the end of the disk and never a stale handle.

source "$SRCDIR/functions.sh"
set -e
set -x
reldisk_setup
requires fio --version

start_nbdkit -P "$pid" -U "$sock" "$golang_plugin" "$reldisk" \
             size=256M threadmodel=parallel log="$log"

fio_verify "$sock" 8 16 4

reldisk_stop
reldisk_expect live=0 confused=0 bad=0
test "$(reldisk_stat "$log" opens)" -eq "$(reldisk_stat "$log" closes)"
# Requests overlapped within one connection (PARALLEL was honoured).
test "$(reldisk_stat "$log" maxconn)" -gt 1
grep -q '^serve .* unload$' "$log"
