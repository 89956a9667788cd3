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

# The Go side under pressure, with the same verified fio workload as
# test-rel-integrity.sh (8 connections x queue depth 16):
#
# - pressure=alloc: every request allocates, keeps garbage alive,
#   starts four goroutines (which also do the copy into and out of
#   nbdkit's buffer) and every 64th request forces runtime.GC().
# - pressure=spin: every 16th request burns the CPU for 30 ms in a loop
#   without preemption points, so the Go runtime's asynchronous
#   preemption (SIGURG) is sent to the nbdkit thread running it.
#
# No client may see an error and no data may differ.

source ./functions.sh
set -e
set -x
source "$SRCDIR/rel/relfuncs.sh"

requires_file "$reldisk"
requires fio --version

for pressure in alloc spin; do
    sock="$tmpdir/sock-$pressure"
    pid="$tmpdir/pid-$pressure"
    log="$tmpdir/log-$pressure"
    start_nbdkit -P "$pid" -U "$sock" "$golang_plugin" "$reldisk" \
                 size=256M threadmodel=parallel pressure=$pressure log="$log"
    rel_fio "$sock" 8 16 2
    kill_nbdkit "$(cat "$pid")"
    rel_stats "$log"
    test "$(rel_stat "$log" live)" -eq 0
    test "$(rel_stat "$log" confused)" -eq 0
    test "$(rel_stat "$log" bad)" -eq 0
    case $pressure in
        alloc)
            test "$(rel_stat "$log" gcs)" -gt 0
            test "$(rel_stat "$log" workers)" -gt 0 ;;
        spin)
            test "$(rel_stat "$log" spins)" -gt 0 ;;
    esac
done
