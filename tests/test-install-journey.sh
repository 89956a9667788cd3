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

# The journey of a new plugin author, on installed files only: install
# nbdkit-golang, then, in an empty directory, follow the installed
# package documentation (golib's nbdkit/doc.go, which go doc shows):
# write its go.mod and its plugin, build with its command, serve with
# its command, and read and write through the server.  Then remove
# what was installed and check that nothing is left.
#
# NBDKIT_GOLANG_JOURNEY (tests/Makefile.am) says how to install:
#   dpkg    build the Debian packages (dpkg-buildpackage, lintian),
#           install them on this system, purge them at the end.  Only
#           as root, and never if an nbdkit-golang package (or a file
#           of one) is already there: the machine is left as it was.
#   prefix  make install into a private prefix, make uninstall.
#   auto    dpkg when that is possible, else prefix.
# test-timeout: 1200

source "$SRCDIR/functions.sh"
set -e
set -x

requires nbdsh --version
requires "$GOLANG" version

pkgs=(nbdkit-plugin-golang golang-github-nbdkit-golang-golib-dev)
# The default never touches the system: only ./quickstart check (CI)
# asks for auto, which installs the packages with dpkg as root.
mode=${NBDKIT_GOLANG_JOURNEY:-prefix}

# Why the packages cannot be installed on this system, if they cannot.
why_not_dpkg ()
{
    local p status
    if [ "$(id -u)" -ne 0 ]; then
        echo "not root"; return
    fi
    if ! command -v dpkg-buildpackage >/dev/null ||
       ! command -v apt-get >/dev/null; then
        echo "not a Debian system with dpkg-dev"; return
    fi
    if ! git -C "$abs_top_srcdir" rev-parse --is-inside-work-tree \
         >/dev/null 2>&1 || ! test -f "$abs_top_srcdir/debian/control"; then
        echo "not a git checkout with debian/"; return
    fi
    for p in "${pkgs[@]}"; do
        status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null) ||
            status=
        case "$status" in
            ""|un*) ;;
            *) echo "$p is installed ($status$(dpkg-query -W -f=' ${Version}' "$p")): this test leaves it alone"
               return ;;
        esac
    done
}

case "$mode" in
    auto)
        why=$(why_not_dpkg)
        if [ -z "$why" ]; then
            mode=dpkg
        else
            echo "$0: installing into a private prefix, not with dpkg: $why"
            mode=prefix
        fi ;;
    dpkg)
        why=$(why_not_dpkg)
        if [ -n "$why" ]; then
            echo "$0: NBDKIT_GOLANG_JOURNEY=dpkg, but: $why"
            exit 1
        fi ;;
    prefix) ;;
    *) echo "$0: NBDKIT_GOLANG_JOURNEY=$mode: use auto, dpkg or prefix"; exit 1 ;;
esac

# Go builds offline, with the toolchain chosen by configure.
export GOPROXY=off GOTOOLCHAIN=local GOFLAGS=
export GOPATH="$tmpdir/gopath"

nbdkit_plugindir=$(pkg-config --variable=plugindir nbdkit)
# snapshot FILE: the state of what installing the packages touches
# (only that: others may install other packages meanwhile).
snapshot ()
{
    {
        find "$nbdkit_plugindir" -maxdepth 1 | sort
        find "$nbdkit_plugindir" -maxdepth 1 -type f -exec md5sum {} + | sort
        find /usr/share/gocode/src/github.com /usr/include/nbdkitgo-abi.h \
             /usr/share/doc/nbdkit-plugin-golang \
             /usr/share/doc/golang-github-nbdkit-golang-golib-dev \
             -maxdepth 1 2>/dev/null | sort
        dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' \
                   "${pkgs[@]}" 2>/dev/null || :
    } > "$1"
}

if [ "$mode" = dpkg ]; then
    # One journey at a time on this system.
    exec 9> /tmp/nbdkit-golang-journey.lock
    flock 9
    snapshot "$tmpdir/before"

    # Build the packages from the sources as they are (committed or
    # not), as a packager would from a clean clone.
    mkdir "$tmpdir/build" "$tmpdir/build/src"
    (cd "$abs_top_srcdir" &&
     git ls-files -z --cached --others --exclude-standard |
         while IFS= read -r -d '' f; do
             [ -e "$f" ] && printf '%s\0' "$f"
         done |
         tar --null -T - -cf -) | tar -C "$tmpdir/build/src" -xf -
    # (Not make check's jobserver: this is a build of its own.)
    (cd "$tmpdir/build/src" &&
     unset MAKEFLAGS MFLAGS MAKELEVEL &&
     dpkg-checkbuilddeps -Pnocheck &&
     DEB_BUILD_OPTIONS=nocheck timeout 900 \
         dpkg-buildpackage -us -uc -b -Pnocheck) > "$tmpdir/build.log" 2>&1 ||
        { tail -n 60 "$tmpdir/build.log"; exit 1; }
    debs=()
    for p in "${pkgs[@]}"; do
        debs+=("$(echo "$tmpdir"/build/"$p"_*.deb)")
        test -f "${debs[-1]}"
        dpkg -c "${debs[-1]}"
    done
    if command -v lintian >/dev/null; then
        lintian --fail-on error "$tmpdir"/build/*.changes
    fi

    # Refuse to install over a file that a package would own: purging
    # would then delete something that was there before.
    for deb in "${debs[@]}"; do
        dpkg -c "$deb" | awk '$1 !~ /^d/ {print $6}' | sed 's|^\.||'
    done > "$tmpdir/files"
    while read -r f; do
        if test -e "$f" || test -L "$f"; then
            echo "$0: $f exists already: not installing the packages over it"
            exit 1
        fi
    done < "$tmpdir/files"

    cleanup_fn apt-get -o DPkg::Lock::Timeout=600 purge -y "${pkgs[@]}"
    apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends \
            "${debs[@]}"
    golib=/usr/share/gocode/src/github.com/nbdkit-golang/golib
    examples=/usr/share/doc/golang-github-nbdkit-golang-golib-dev/examples
    plugin=golang
else
    prefix=$tmpdir/prefix
    # make_installed TARGET: make install or uninstall, with the prefix,
    # in the directories that install something.
    make_installed ()
    {
        local d
        for d in src golib examples man; do
            test -f "$abs_top_builddir/$d/Makefile" || continue
            timeout 300 make -C "$abs_top_builddir/$d" "$1" prefix="$prefix" \
                >/dev/null
        done
    }
    make_installed install
    find "$prefix" | sort
    # (Where under the prefix depends on configure's --libdir etc.)
    golib=$(find "$prefix" -path '*/gocode/src/github.com/nbdkit-golang/golib/go.mod')
    golib=${golib%/go.mod}
    examples=$(find "$prefix" -path '*/examples/go.mod')
    examples=${examples%/go.mod}
    plugin=$(find "$prefix" -name nbdkit-golang-plugin.so)
fi
test -f "$golib/go.mod"
test -f "$golib/nbdkit/doc.go"
# Every source file of golib is installed.
golib_files ()
{
    (cd "$1" && find . -type f \( -name '*.go' -o -name '*.[ch]' -o -name go.mod \) |
         sort)
}
diff -u <(golib_files "$abs_top_srcdir/golib") <(golib_files "$golib")

# The code blocks of the installed package documentation, one file
# each (doc.N), as go doc shows them.
awk -v out="$tmpdir/doc" '
    /^\/\/\t/ { if (!open) { n++; open = 1; blank = 0 }
                for (; blank > 0; blank--) print "" > (out "." n)
                sub(/^\/\/\t/, ""); print > (out "." n); next }
    /^\/\/$/  { if (open) blank++; next }
              { open = 0; blank = 0 }
' "$golib/nbdkit/doc.go"
block ()
{
    grep -l "$1" "$tmpdir"/doc.* | head -n 1
}
plugin_src=$(block '^package main')
gomod=$(block '^module ')
commands=$(block '^go build')
cat "$plugin_src" "$gomod" "$commands"

# An empty directory, and only what the documentation says.
dir=$tmpdir/empty
mkdir "$dir"
test -z "$(ls -A "$dir")"
cp "$plugin_src" "$dir/disk.go"
# The go.mod names the Debian package's directory: a private prefix
# puts it in $prefix/share ("with that directory in the replace line").
sed "s|/usr/share/gocode/src/|${golib%/github.com/*}/|" "$gomod" > "$dir/go.mod"
cat "$dir/go.mod"
grep -qx 'go 1.19' "$dir/go.mod"
grep -qx "replace github.com/nbdkit-golang/golib => $golib" "$dir/go.mod"

# The same go.mod lines are in the README and the man page.
replace=$(grep '^replace ' "$gomod")
grep -qF "    $replace" "$abs_top_srcdir/README.md"
grep -qF " $replace" "$abs_top_srcdir/man/nbdkit-golang-plugin.pod"

# Build as documented, with configure's Go.
build=$(grep '^go build' "$commands")
(cd "$dir" && timeout 600 "$GOLANG" ${build#go })
test -f "$dir/disk.so"

# Serve as documented: "nbdkit golang ./disk.so", on a private socket.
serve=$(grep '^nbdkit ' "$commands")
test "$serve" = "nbdkit golang ./disk.so"
(cd "$dir" &&
 timeout "$TEST_TIMEOUT" nbdkit -U - "$plugin" ./disk.so --run '
nbdsh -u "$uri" -c "
assert h.get_size() == 1024 * 1024
assert not h.is_read_only()
h.pwrite(b\"journey\" * 1000, 12345)
assert h.pread(7000, 12345) == b\"journey\" * 1000
assert h.pread(512, 0) == bytes(512)
"') 

# An installed example builds from its installed module too.
(cd "$examples" && timeout 600 "$GOLANG" build -buildmode=c-shared \
     -o "$tmpdir/ramdisk.so" ./ramdisk)
timeout "$TEST_TIMEOUT" nbdkit -U - "$plugin" "$tmpdir/ramdisk.so" size=1M \
    --run 'nbdinfo --size "$uri"' > "$tmpdir/size"
test "$(cat "$tmpdir/size")" -eq 1048576

# Remove what was installed; nothing may be left.
if [ "$mode" = dpkg ]; then
    apt-get -o DPkg::Lock::Timeout=600 purge -y "${pkgs[@]}"
    for p in "${pkgs[@]}"; do
        status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null) ||
            status=
        case "$status" in ""|un*) ;; *) echo "$p: $status"; exit 1 ;; esac
    done
    while read -r f; do
        if test -e "$f" || test -L "$f"; then
            echo "$0: $f is left after purging"
            exit 1
        fi
    done < "$tmpdir/files"
    test ! -e /usr/share/gocode/src/github.com/nbdkit-golang
    snapshot "$tmpdir/after"
    diff -u "$tmpdir/before" "$tmpdir/after"
else
    make_installed uninstall
    find "$prefix" | sort
    test -z "$(find "$prefix" -type f -o -type l)"
    test ! -e "$prefix/share/gocode/src/github.com/nbdkit-golang"
fi
