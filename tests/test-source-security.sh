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

# The source cache is private: a cache directory that is writable by
# others or owned by someone else is refused; with no usable home the
# build goes to a private temporary directory that is removed again;
# the source directory may be read-only (nothing is written there);
# and an unprivileged user can serve source with a cache of its own.
# test-timeout: 1200

source "$SRCDIR/functions.sh"
set -e
set -x

requires nbdinfo --version
source_mode_setup

# The source, in a directory that nobody may write.
mkdir "$tmpdir/src"
cp "$abs_top_srcdir/examples/ramdisk/ramdisk.go" "$tmpdir/src/disk.go"
chmod a-w "$tmpdir/src/disk.go" "$tmpdir/src"
cleanup_fn chmod -R u+w "$tmpdir"
find "$tmpdir/src" -printf "%p %s %T@ %m\n" > "$tmpdir/src.before"

size ()
{
    timeout 600 nbdkit -U - "$golang_plugin" "$tmpdir/src/disk.go" size=1M \
        --run 'nbdinfo --size "$uri"'
}
test "$(size)" -eq 1048576
find "$tmpdir/src" -printf "%p %s %T@ %m\n" | diff "$tmpdir/src.before" -
# The cache is created private.
test "$(stat -c %a "$source_cache")" = 700

# refused MESSAGE: nbdkit must fail with MESSAGE.
refused ()
{
    local status=0
    size 2> "$tmpdir/err" || status=$?
    cat "$tmpdir/err"
    test $status -eq 1
    grep "$1" "$tmpdir/err"
}

# Writable by others.
chmod 0777 "$source_cache"
refused "the cache directory $source_cache is writable by others"
chmod 0720 "$source_cache"
refused "the cache directory $source_cache is writable by others"
chmod 0700 "$source_cache"
test "$(size)" -eq 1048576

# A library in it writable by others.
lib=$(ls "$source_cache"/*.so)
chmod 0666 "$lib"
refused "$lib: not a private regular file of yours"
chmod 0644 "$lib"

# Owned by someone else.  Root gives it away; anyone else sees a
# directory of root's, mounted over it in a user namespace where root
# is not mapped.
if [ "$(id -u)" -eq 0 ]; then
    chown nobody "$source_cache"
    refused "the cache directory $source_cache belongs to uid $(id -u nobody), not to you"
    chown root "$source_cache"
else
    requires unshare -r -m true
    mkdir -p "$tmpdir/other"
    status=0
    unshare -r -m bash -c '
        mount --bind /usr/share "$1" &&
        timeout 600 nbdkit -U - "$2" "$3" size=1M --run true' \
        unshare "$source_cache" "$golang_plugin" "$tmpdir/src/disk.go" \
        2> "$tmpdir/err" || status=$?
    cat "$tmpdir/err"
    test $status -eq 1
    grep "the cache directory $source_cache belongs to uid 65534, not to you" \
         "$tmpdir/err"
fi
test "$(size)" -eq 1048576

# No usable home: a private temporary directory, gone afterwards, and
# nothing written where HOME points (the go command would create it,
# as root, for its telemetry counters).
mkdir "$tmpdir/tmp"
out=$(env -u XDG_CACHE_HOME -u XDG_CONFIG_HOME HOME="$tmpdir/nohome" TMPDIR="$tmpdir/tmp" \
          timeout 600 nbdkit -v -U - "$golang_plugin" "$tmpdir/src/disk.go" \
          size=1M --run 'nbdinfo --size "$uri"' 2> "$tmpdir/log")
test "$out" -eq 1048576
grep "building in a temporary directory" "$tmpdir/log"
grep "golang: loaded $tmpdir/tmp/nbdkit-golang-[A-Za-z0-9]\{6\}/[0-9a-f]\{64\}\.so" "$tmpdir/log"
test -z "$(ls -A "$tmpdir/tmp")"
test ! -e "$tmpdir/nohome"
# Also when the build fails.
mkdir "$tmpdir/bad"
echo 'package main; func main() { undefined() }' > "$tmpdir/bad/bad.go"
fails env -u XDG_CACHE_HOME -u XDG_CONFIG_HOME HOME="$tmpdir/nohome" \
    TMPDIR="$tmpdir/tmp" \
    timeout 600 nbdkit -U - "$golang_plugin" "$tmpdir/bad/bad.go" --run true
test -z "$(ls -A "$tmpdir/tmp")"
test ! -e "$tmpdir/nohome"

# An unprivileged user, with a home (and so a cache) of its own.  As
# root, run as nobody; anyone else is unprivileged already.
if [ "$(id -u)" -eq 0 ]; then
    chmod 755 "$tmpdir"
    mkdir "$tmpdir/home"
    chown nobody "$tmpdir/home"
    out=$(runuser -u nobody -- env -u XDG_CACHE_HOME -u GOCACHE \
              HOME="$tmpdir/home" \
              timeout 900 nbdkit -U - "$golang_plugin" "$tmpdir/src/disk.go" \
              size=2M --run 'nbdinfo --size "$uri"')
    test "$out" -eq $((2 * 1024 * 1024))
    ls -la "$tmpdir/home/.cache/nbdkit-golang"
    test "$(stat -c %U:%a "$tmpdir/home/.cache/nbdkit-golang")" = nobody:700
    ls "$tmpdir/home/.cache/nbdkit-golang"/*.so
else
    test "$(stat -c %u "$source_cache")" -eq "$(id -u)"
fi
find "$tmpdir/src" -printf "%p %s %T@ %m\n" | diff "$tmpdir/src.before" -
