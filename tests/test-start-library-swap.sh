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

# The library is opened once: the check process and the serving
# process load exactly the same file.  nbdkit is given a symbolic link
# to the reldisk plugin; while the check process runs, the plugin
# itself (swap=) points the link at another library (the C test
# library).  The server must still serve reldisk: the serving process
# logs its start-up and the disk has reldisk's size.

source "$SRCDIR/functions.sh"
set -e
set -x
reldisk_setup
requires_file "$cabi"

link="$tmpdir/lib.so"
ln -s "$reldisk" "$link"
start_nbdkit_fg -P "$pid" -U "$sock" "$golang_plugin" "$link" \
             size=3M swap="$link:$cabi" log="$log" 2> "$tmpdir/stderr"
size=$(timeout "$TEST_TIMEOUT" nbdinfo --size "nbd+unix:///?socket=$sock")
kill_nbdkit "$(cat "$pid")"
wait "$nbdkit_bg" || :
cat "$tmpdir/stderr"
cat "$log"
# The swap happened ...
test "$(readlink "$link")" = "$cabi"
grep "^check .* swapped" "$log"
# ... and reldisk was served all the same.
grep "^serve .* after_fork" "$log"
test "$size" -eq $((3 * 1024 * 1024))
