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

# "make install" installs the plugin, the ABI header and the man pages;
# the installed header alone is enough to build a plugin library (in C,
# with every export's signature checked against the ABI), and the
# installed plugin serves it.

source "$SRCDIR/functions.sh"
set -e
set -x

requires cc --version
requires nbdinfo --version

inst=$tmpdir/inst
timeout 300 make -C "$abs_top_builddir/src" install DESTDIR="$inst" >/dev/null
if test -d "$abs_top_builddir/man"; then
    timeout 300 make -C "$abs_top_builddir/man" install DESTDIR="$inst" >/dev/null
fi
find "$inst" -type f | sort

plugin=$(find "$inst" -name nbdkit-golang-plugin.so)
header=$(find "$inst" -name nbdkitgo-abi.h)
test -f "$plugin"
test -f "$header"
# libtool's .la file has no use in nbdkit's plugin directory.
test -z "$(find "$inst" -name nbdkit-golang-plugin.la)"
if command -v pod2man >/dev/null; then
    find "$inst" -name nbdkit-golang-plugin.1 | grep .
    find "$inst" -name nbdkit-golang-abi.3 | grep .
fi

# A plugin library written against the installed header only, as
# nbdkit-golang-abi(3) describes: a 1 MiB disk of bytes 0x2a.
cat > "$tmpdir/tiny.c" <<'EOF'
#include <stdlib.h>
#include <string.h>

#define NBDKITGO_DECLARE_EXPORTS
#include <nbdkitgo-abi.h>

int
nbdkitgo_init (uint32_t abi_version, const struct nbdkitgo_host *host,
               struct nbdkitgo_info *info, struct nbdkitgo_error *err)
{
  (void) host;
  info->abi_version = NBDKITGO_ABI_VERSION;
  info->name = "tiny";
  if (abi_version != NBDKITGO_ABI_VERSION) {
    err->msg = strdup ("unsupported ABI version");
    return -1;
  }
  return 0;
}

int
nbdkitgo_open (int readonly, uintptr_t *handle, uint64_t *implemented,
               struct nbdkitgo_error *err)
{
  (void) readonly; (void) implemented; (void) err;
  *handle = 1;
  return 0;
}

int64_t
nbdkitgo_get_size (uintptr_t h, struct nbdkitgo_error *err)
{
  (void) h; (void) err;
  return 1024 * 1024;
}

int
nbdkitgo_pread (uintptr_t h, void *buf, uint32_t count, uint64_t offset,
                uint32_t flags, struct nbdkitgo_error *err)
{
  (void) h; (void) offset; (void) flags; (void) err;
  memset (buf, 0x2a, count);
  return 0;
}
EOF
cc -Wall -Wextra -Werror -std=c11 -D_POSIX_C_SOURCE=200809L -fPIC -shared \
   -I"$(dirname "$header")" -o "$tmpdir/libtiny.so" "$tmpdir/tiny.c"

timeout 120 nbdkit -U - "$plugin" "$tmpdir/libtiny.so" \
    --run 'nbdinfo --size "$uri"; nbdsh -u "$uri" -c "assert h.pread(512, 4096) == b\"*\" * 512; assert h.is_read_only()"' \
    > "$tmpdir/out"
cat "$tmpdir/out"
test "$(head -n 1 "$tmpdir/out")" -eq $((1024 * 1024))

# "make uninstall" removes what "make install" put there, the plugin
# too (libtool alone would not: it finds the .so through the .la file
# that install removed).
timeout 300 make -C "$abs_top_builddir/src" uninstall DESTDIR="$inst" >/dev/null
if test -d "$abs_top_builddir/man"; then
    timeout 300 make -C "$abs_top_builddir/man" uninstall DESTDIR="$inst" >/dev/null
fi
find "$inst" -type f | sort
test -z "$(find "$inst" -type f)"
