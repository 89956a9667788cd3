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

# --dump-plugin with stdout a pipe (as a script would read it):
# nbdkit's own lines, then the loader's golang_* lines in a fixed order
# (ABI version, the Go version the library was built with, ...), then
# the library's own dump_plugin text, last.  The library is loaded
# in-process (phase DUMP) and sees the parameters given on the command
# line.  With the C ABI library, a plain Go library and golib ones.

source "$SRCDIR/functions.sh"
set -e
set -x

requires_file "$cabi"

# Without a library: only the loader's lines.
timeout "$TEST_TIMEOUT" nbdkit "$golang_plugin" --dump-plugin | cat > "$tmpdir/out"
cat "$tmpdir/out"
grep "^name=golang$" "$tmpdir/out"
grep "^magic_config_key=script$" "$tmpdir/out"
test "$(tail -n 2 "$tmpdir/out")" = "golang_abi_version=2
golang_loader_version=$(grep '^version=' "$tmpdir/out" | cut -d= -f2)"

# With the C library.
timeout "$TEST_TIMEOUT" \
    nbdkit "$golang_plugin" "$cabi" size=2M thread-model=2 --dump-plugin |
    cat > "$tmpdir/out"
cat "$tmpdir/out"
grep "^thread_model=serialize_requests$" "$tmpdir/out"
# Everything from golang_abi_version on, in order.
sed -n '/^golang_abi_version=/,$p' "$tmpdir/out" > "$tmpdir/tail"
cat > "$tmpdir/expected" <<EOT
golang_abi_version=2
golang_loader_version=$(grep '^version=' "$tmpdir/out" | cut -d= -f2)
golang_library=$cabi
golang_runtime_version=C
golang_plugin_name=cabi
golang_plugin_longname=nbdkit-golang C ABI test library
golang_plugin_version=1.0
golang_plugin_description=A RAM disk implementing nbdkitgo-abi.h in C.
golang_thread_model=serialize_requests
golang_callbacks=load,unload,config,config_complete,thread_model,get_ready,after_fork,cleanup,dump_plugin,list_exports,default_export,open,close,export_description,get_size,block_size,pread,pwrite,flush,trim,zero,extents,cache
cabi_phase=3
cabi_size=2097152
EOT
diff -u "$tmpdir/expected" "$tmpdir/tail"
# nbdkit's lines all come first.
test "$(grep -n '^has_' "$tmpdir/out" | tail -n1 | cut -d: -f1)" -lt \
     "$(grep -n '^golang_abi_version=' "$tmpdir/out" | cut -d: -f1)"

# A library that writes straight to fd 1 while it runs for
# --dump-plugin (as a Go package's init printing would) must not mix
# its text into the key=value lines: the loader sends it to stderr.
CABI_NOISE=1 timeout "$TEST_TIMEOUT" \
    nbdkit "$golang_plugin" "$cabi" size=2M --dump-plugin \
    > "$tmpdir/out" 2> "$tmpdir/err"
cat "$tmpdir/out" "$tmpdir/err"
test -z "$(grep -v '^[a-z0-9_]*=' "$tmpdir/out")"
for cb in init load thread_model dump_plugin; do
    grep -x "cabi noise from $cb" "$tmpdir/err"
done
grep "^golang_thread_model=parallel$" "$tmpdir/out"
grep "^cabi_size=2097152$" "$tmpdir/out"

# The implemented bits count, not only the exports.
timeout "$TEST_TIMEOUT" \
    nbdkit "$golang_plugin" "$cabi_libs/cabi-mask.so" \
    --dump-plugin | cat > "$tmpdir/out"
cat "$tmpdir/out"
grep "^golang_callbacks=open,close,get_size,pread$" "$tmpdir/out"
grep "^golang_thread_model=serialize_all_requests$" "$tmpdir/out"

# A Go library (plain, no golib): its runtime version is reported.
plain="$(example plain)"
if test -f "$plain"; then
    timeout "$TEST_TIMEOUT" nbdkit "$golang_plugin" "$plain" --dump-plugin |
        cat > "$tmpdir/out"
    cat "$tmpdir/out"
    grep "^golang_runtime_version=go1\." "$tmpdir/out"
    grep "^golang_plugin_name=plain$" "$tmpdir/out"
    grep "^golang_thread_model=parallel$" "$tmpdir/out"
fi

# golib libraries: golang_callbacks lists what the plugin has.  A
# minimal golib plugin (Open, GetSize, PRead) has open, close (which
# releases its handle), get_size and pread, nothing else.  The RAM
# disk's connection methods are known only when a connection opens,
# so its line holds its plugin-level callbacks and the required ones.
minimal="$(test_plugin features-minimal)"
ramdisk="$(example ramdisk)"
if test -f "$minimal" || test -f "$ramdisk"; then
    timeout "$TEST_TIMEOUT" nbdkit "$golang_plugin" "$minimal" --dump-plugin |
        cat > "$tmpdir/out"
    cat "$tmpdir/out"
    grep "^golang_callbacks=open,close,get_size,pread$" "$tmpdir/out"
    grep "^golang_thread_model=serialize_all_requests$" "$tmpdir/out"

    timeout "$TEST_TIMEOUT" nbdkit "$golang_plugin" "$ramdisk" --dump-plugin |
        cat > "$tmpdir/out"
    cat "$tmpdir/out"
    grep "^golang_callbacks=config,thread_model,get_ready,open,close,get_size,pread$" \
         "$tmpdir/out"

    # The RAM disk named by script=: the ABI version and the Go version
    # of the library, nbdkit's own lines first, the loader's after them.
    timeout "$TEST_TIMEOUT" \
        nbdkit "$golang_plugin" script="$ramdisk" --dump-plugin |
        cat > "$tmpdir/dump"
    cat "$tmpdir/dump"
    grep "^name=golang$" "$tmpdir/dump"
    grep "^golang_" "$tmpdir/dump"
    grep "^golang_abi_version=2$" "$tmpdir/dump"
    grep "^golang_runtime_version=go1\.[0-9]" "$tmpdir/dump"
    last_nbdkit=$(grep -n '^\(path\|name\|version\|api_version\|thread_model\|has_[a-z_]*\)=' "$tmpdir/dump" |
                      tail -n 1 | cut -d: -f1)
    first_golang=$(grep -n '^golang_' "$tmpdir/dump" | head -n 1 | cut -d: -f1)
    test "$last_nbdkit" -lt "$first_golang"
fi

# A library that fails to load makes --dump-plugin fail.
status=0
timeout "$TEST_TIMEOUT" \
    nbdkit "$golang_plugin" "$cabi_libs/cabi-v1.so" \
    --dump-plugin > "$tmpdir/out" 2> "$tmpdir/err" || status=$?
cat "$tmpdir/err"
test "$status" -ne 0
test "$status" -ne 124
grep "ABI version mismatch" "$tmpdir/err"
