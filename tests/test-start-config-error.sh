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

# A configuration error of the Go plugin in the default (forking) mode
# is printed on the terminal and nbdkit exits non-zero before it
# detaches, leaving no process behind (the loader runs the plugin's
# configuration in a check process before nbdkit forks).

source "$SRCDIR/functions.sh"
set -e
set -x

ramdisk=$(example ramdisk)

# A bad size: the plugin's own error message reaches stderr.
expect_start_failure bogus "$golang_plugin" script="$ramdisk" size=bogus
grep -i "bogus" "$tmpdir/bogus.out"

# An unknown parameter.
expect_start_failure unknown "$golang_plugin" script="$ramdisk" \
                     size=1M no_such_key=1
grep "no_such_key" "$tmpdir/unknown.out"

# The same error with -f and with --run: non-zero exit, no hang, and the
# --run command never runs.
expect_start_failure foreground -f "$golang_plugin" script="$ramdisk" size=bogus
grep -i "bogus" "$tmpdir/foreground.out"

status=0
timeout 60 nbdkit -U - "$golang_plugin" script="$ramdisk" size=bogus \
    --run "touch $tmpdir/ran" </dev/null 2>"$tmpdir/run.err" || status=$?
cat "$tmpdir/run.err"
test $status -ne 0
test $status -ne 124
grep -i "bogus" "$tmpdir/run.err"
test ! -e "$tmpdir/ran"

# A valid configuration does start (so the failures above were caused by
# the bad parameters, not by the test).
start_nbdkit -P "$pid" -U "$sock" "$golang_plugin" script="$ramdisk" size=1M
test -S "$sock"
