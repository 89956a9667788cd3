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

# Plugins that misbehave while nbdkit starts: Config calls os.Exit(3);
# init() panics.  In nbdkit's default forking mode and in the
# foreground (-f), nbdkit must exit non-zero with an error message,
# never hang (every run is bounded by timeout, and timeout's status 124
# fails the test), and leave no process behind.  (A library built for
# a different ABI version is the loader's tests' business: golib cannot
# be built for another one.  A Config that calls signal.Notify is
# test-signals-notify.sh.)

source "$SRCDIR/functions.sh"
set -e
set -x
reldisk_setup

for fg in "" -f; do
    expect_start_failure exit$fg $fg "$golang_plugin" "$reldisk" exit=3
    grep 'exited with status 3' "$tmpdir/exit$fg.out"
    RELDISK_INIT_PANIC=1 \
        expect_start_failure initpanic$fg $fg "$golang_plugin" "$reldisk"
    grep -q 'RELDISK_INIT_PANIC' "$tmpdir/initpanic$fg.out"
done
