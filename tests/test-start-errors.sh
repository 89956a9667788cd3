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

# Every way to give the loader a bad library or bad parameters must
# fail cleanly: nbdkit exits non-zero (in the foreground, before it
# forks), within the time limit, with a message that names the file
# and the problem, and leaves no server or check process behind.

source "$SRCDIR/functions.sh"
set -e
set -x

requires_file "$cabi"
libz=/lib/x86_64-linux-gnu/libz.so.1
requires_file "$libz"

: > "$tmpdir/empty.so"
seq 1 1000 > "$tmpdir/text.so"    # long enough to have an ELF header

# expect_failure REGEXP [ARGS...]: nbdkit with the loader and ARGS
# must refuse to start (in its default forking mode) with an error
# matching REGEXP.
expect_failure ()
{
    local regexp="$1"
    shift
    expect_start_failure errors "$golang_plugin" "$@"
    if ! grep -E -- "$regexp" "$tmpdir/errors.out"; then
        echo "$0: expected an error matching: $regexp"
        exit 1
    fi
}

# Parameters.
expect_failure "you must give script=SOURCE.*or script=LIBRARY"
expect_failure "script= given twice" script="$cabi" script="$cabi"
expect_failure "the first parameter must be script=SOURCE or script=LIBRARY.*size=1M" size=1M
expect_failure "$tmpdir/nonexistent.so: No such file or directory" \
               "$tmpdir/nonexistent.so"
expect_failure "$tmpdir: not a regular file" "$tmpdir"

# Files that are not nbdkit-golang libraries.
expect_failure "$tmpdir/text.so: cannot load the library: .*invalid ELF header" \
               "$tmpdir/text.so"
expect_failure "$tmpdir/empty.so: cannot load the library: .*file too short" \
               "$tmpdir/empty.so"
expect_failure "$libz: not an nbdkit-golang library: it has no nbdkitgo_init export" \
               "$libz"

# Broken libraries.
expect_failure "$cabi_libs/cabi-v1.so: ABI version mismatch: this loader .*speaks nbdkit-golang ABI version 2 but the library speaks version 1" \
               "$cabi_libs/cabi-v1.so"
expect_failure "$cabi_libs/cabi-nopread.so: the library does not implement the required callback pread" \
               "$cabi_libs/cabi-nopread.so"
expect_failure "$cabi_libs/cabi-minimal.so: this plugin does not take parameters \(got size=1M\)" \
               "$cabi_libs/cabi-minimal.so" size=1M

# The library's own configuration errors reach the terminal.
expect_failure "cabi: unknown parameter 'bogus'" "$cabi" bogus=1
# nbdkit_parse_size's own wording: 1.32 says "(foo)", later versions
# (measured: 1.38, 1.42, 1.44) ": foo".
if nbdkit_at_least 1.33; then
    expect_failure "could not parse size string: foo$" "$cabi" size=foo
else
    expect_failure "could not parse size string \(foo\)$" "$cabi" size=foo
fi
expect_failure "cabi: config_complete failed as requested" \
               "$cabi" fail=config_complete
expect_failure "cabi: get_ready failed as requested" "$cabi" fail=get_ready
expect_failure "thread_model returned an invalid thread model \(7\)" \
               "$cabi" thread-model=7

# A check process that crashes, exits, or closes its pipe and hangs.
expect_failure "$cabi: the check process died with signal 6" \
               "$cabi" crash=config_complete
expect_failure "$cabi: the check process exited with status 3 without reporting" \
               "$cabi" exit=get_ready
expect_failure "$cabi: the check process closed its pipe without reporting a result and did not exit; killed it" \
               "$cabi" hang=get_ready

# Errors in the serving process (after the fork) make nbdkit exit too;
# with -f they are on stderr.
status=0
timeout 120 nbdkit -f -P "$pid" -U "$sock" "$golang_plugin" "$cabi" \
    fail=after_fork phase=serve 2> "$tmpdir/err" || status=$?
cat "$tmpdir/err"
test "$status" -ne 0
test "$status" -ne 124
grep "cabi: after_fork failed as requested" "$tmpdir/err"

# A check process that blocks forever (holding its pipe) blocks nbdkit,
# as any plugin's configuration could; but killing nbdkit must not
# leave the check process behind.
status=0
timeout 10 nbdkit -P "$pid" -U "$sock" "$golang_plugin" "$cabi" \
    block=config_complete 2> "$tmpdir/err" || status=$?
cat "$tmpdir/err"
test "$status" -eq 124
if ! WAIT_TRIES=100 wait_no_process "$sock"; then
    echo "$0: the check process outlived nbdkit"
    exit 1
fi
