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

# nbdkit's defaults for callbacks a plugin lacks, applied in one place
# (the loader) and so identical for a golib plugin and for a library
# written against the C ABI: one matrix of cases, each run through
# the golib features plugin (export "chosen", whose Omit keeps the
# methods the configuration names) and through tests/cabi (whose open
# sets the same callbacks), asserting what a real NBD client sees and,
# through -D golang.trace=1, which callback the request reached.
#
# Each case gives the connection's callbacks: has=LIST, can_*=N (has
# the callback, which answers N) and block_size=MIN:PREF:MAX.
# The fast-zero rule (the "zero" case) is the loader's: fast zero is
# always advertised, and a FAST_ZERO request that the connection cannot
# do fast fails at once with ENOTSUP (before ABI version 2, nbdkit
# aborted on it: backend_zero's assertion).

source "$SRCDIR/functions.sh"
set -e
set -x

requires nbdsh --version
requires nbdinfo --version

requires_file "$cabi"
plugins=("$cabi")
if [ -n "$GOLANG" ]; then
    features=$(test_plugin features)
    test -f "$features"
    plugins+=("$features")
fi

cat > $tmpdir/defaults.py <<'PY'
import errno, nbd, sys
from nbdclient import expect_error

# name: (configuration, what the client sees, what requests do).
# Client flags not given are false; "ro" is is_read_only.
FLAGS = ["ro", "flush", "fua", "trim", "zero", "fast_zero", "cache",
         "multi_conn", "rotational"]
CASES = {
    "nothing":       ("has=close", {"ro"}, ["write_eperm", "data_extents"]),
    "pwrite":        ("has=pwrite", {"zero", "fast_zero"},
                      ["zero_emulated", "fast_zero_enotsup", "fua_einval"]),
    "can_write_0":   ("has=pwrite can_write=0", {"ro", }, ["write_eperm"]),
    "can_write_1":   ("can_write=1", {"zero", "fast_zero"},
                      ["write_erofs"]),
    "flush":         ("has=pwrite,flush", {"flush", "fua", "zero", "fast_zero"},
                      ["fua_emulated"]),
    "can_flush_0":   ("has=pwrite,flush can_flush=0",
                      {"fua", "zero", "fast_zero"}, []),
    "fua_native":    ("has=pwrite,flush can_fua=2",
                      {"flush", "fua", "zero", "fast_zero"}, ["fua_native"]),
    "fua_none":      ("has=pwrite,flush can_fua=0",
                      {"flush", "zero", "fast_zero"}, []),
    "trim":          ("has=pwrite,trim", {"trim", "zero", "fast_zero"},
                      ["trim_native"]),
    "can_trim_0":    ("has=pwrite,trim can_trim=0", {"zero", "fast_zero"}, []),
    "zero":          ("has=pwrite,zero", {"zero", "fast_zero"},
                      ["zero_native", "fast_zero_enotsup"]),
    "zero_fast":     ("has=pwrite,zero can_fast_zero=1", {"zero", "fast_zero"},
                      ["zero_native", "fast_zero_native"]),
    "can_zero_0":    ("has=pwrite,zero can_zero=0", {"zero", "fast_zero"},
                      ["zero_emulated", "fast_zero_enotsup"]),
    "cache":         ("has=cache", {"ro", "cache"}, ["cache_native"]),
    "can_cache_1":   ("has=cache can_cache=1", {"ro", "cache"},
                      ["cache_emulated"]),
    "can_cache_0":   ("has=cache can_cache=0", {"ro"}, []),
    "extents":       ("has=extents", {"ro"}, ["hole_extents"]),
    "can_extents_0": ("has=extents can_extents=0", {"ro"}, ["data_extents"]),
    "multi_rot":     ("can_multi_conn=1 is_rotational=1",
                      {"ro", "multi_conn", "rotational"}, []),
    "block_size":    ("block_size=512:4096:1048576", {"ro"}, ["block_size"]),
    "description":   ("has=export_description", {"ro"}, ["description"]),
}

if sys.argv[1] == "--list":
    for name, (config, _, _) in CASES.items():
        print(name, config)
    sys.exit(0)

name, sock, log = sys.argv[1:4]
config, flags, behaviours = CASES[name]

h = nbd.NBD()
h.set_full_info(True)
h.add_meta_context(nbd.CONTEXT_BASE_ALLOCATION)
h.set_export_name("chosen")
h.connect_unix(sock)


def trace(since):
    """The loader's trace lines logged since offset SINCE of the log."""
    with open(log) as f:
        f.seek(since)
        return [l.split("trace: ", 1)[1] for l in f if "trace: " in l]

def mark():
    with open(log) as f:
        return f.seek(0, 2)

def called(lines, callback, flag=None):
    """The trace lines of CALLBACK (with FLAG set in its flags)."""
    r = [l for l in lines if l.startswith(callback + " (")]
    if flag is not None:
        r = [l for l in r
             if int(l.split("flags=", 1)[1].split(")")[0], 16) & flag]
    return r

# Requests first (a server that dies on one fails the case as loudly as
# possible), then what the handshake advertised.
h.set_strict_mode(0)
for b in behaviours:
    m = mark()
    if b == "write_eperm":
        expect_error(lambda: h.pwrite(b"x" * 512, 0), errno.EPERM)
    elif b == "write_erofs":
        # can_write without pwrite: EROFS, which NBD sends as EPERM.
        expect_error(lambda: h.pwrite(b"x" * 512, 0), errno.EPERM)
    elif b == "zero_emulated":
        h.zero(4096, 0)
        t = trace(m)
        assert not called(t, "zero") and called(t, "pwrite"), (b, t)
    elif b == "zero_native":
        h.zero(4096, 0)
        t = trace(m)
        assert called(t, "zero") and not called(t, "pwrite"), (b, t)
    elif b == "fast_zero_enotsup":
        expect_error(lambda: h.zero(4096, 0, nbd.CMD_FLAG_FAST_ZERO),
                     errno.ENOTSUP)
        t = trace(m)
        assert not called(t, "pwrite"), (b, t)
        assert not [l for l in called(t, "zero") if "= 0" in l], (b, t)
    elif b == "fast_zero_native":
        h.zero(4096, 0, nbd.CMD_FLAG_FAST_ZERO)
        t = trace(m)
        assert called(t, "zero", 8), (b, t)  # NBDKITGO_FLAG_FAST_ZERO
    elif b == "fua_einval":
        # FUA and flush without flush: refused, and the server lives.
        expect_error(lambda: h.pwrite(b"f" * 512, 0, nbd.CMD_FLAG_FUA),
                     errno.EINVAL)
        expect_error(lambda: h.flush(), errno.EINVAL)
        h.pwrite(b"after", 100)
        assert h.pread(5, 100) == b"after"
        assert not called(trace(m), "flush"), (b, trace(m))
    elif b == "fua_emulated":
        h.pwrite(b"f" * 512, 0, nbd.CMD_FLAG_FUA)
        t = trace(m)
        assert called(t, "pwrite") and not called(t, "pwrite", 2), (b, t)
        assert called(t, "flush"), (b, t)
    elif b == "fua_native":
        h.pwrite(b"f" * 512, 0, nbd.CMD_FLAG_FUA)
        t = trace(m)
        assert called(t, "pwrite", 2), (b, t)  # NBDKITGO_FLAG_FUA
        assert not called(t, "flush"), (b, t)
    elif b == "trim_native":
        h.trim(4096, 0)
        assert called(trace(m), "trim"), (b, trace(m))
    elif b == "cache_native":
        h.cache(4096, 0)
        t = trace(m)
        assert called(t, "cache") and not called(t, "pread"), (b, t)
    elif b == "cache_emulated":
        h.cache(4096, 0)
        t = trace(m)
        assert called(t, "pread") and not called(t, "cache"), (b, t)
    elif b in ("data_extents", "hole_extents"):
        entries = []
        h.block_status(4096, 0,
                       lambda ctx, off, e, err: entries.extend(e))
        want = 0 if b == "data_extents" else nbd.STATE_HOLE | nbd.STATE_ZERO
        assert entries[1] == want, (b, entries)
        assert bool(called(trace(m), "extents")) == (b == "hole_extents")
    elif b == "block_size":
        assert h.get_block_size(nbd.SIZE_MINIMUM) == 512, b
        assert h.get_block_size(nbd.SIZE_PREFERRED) == 4096, b
        assert h.get_block_size(nbd.SIZE_MAXIMUM) == 1048576, b
    elif b == "description":
        assert h.get_export_description(), b
    else:
        assert False, b

seen = {
    "ro": h.is_read_only(), "flush": h.can_flush(), "fua": h.can_fua(),
    "trim": h.can_trim(), "zero": h.can_zero(),
    "fast_zero": h.can_fast_zero(), "cache": h.can_cache(),
    "multi_conn": h.can_multi_conn(), "rotational": h.is_rotational(),
}
for f in FLAGS:
    assert seen[f] == (f in flags), (name, f, seen)
if "block_size" not in behaviours:
    assert h.get_block_size(nbd.SIZE_PREFERRED) == 0, name
if "description" not in behaviours:
    try:
        d = h.get_export_description()
        assert False, (name, "description", d)
    except nbd.Error:
        pass
h.shutdown()
print("defaults: %s: ok" % name)
PY

python3 $tmpdir/defaults.py --list > $tmpdir/cases
for plugin in "${plugins[@]}"; do
    while read -r name config; do
        # $config is several words on purpose.
        nbdkit -v -D golang.trace=1 -U - "$golang_plugin" "$plugin" $config \
               --run 'python3 '$tmpdir'/defaults.py '$name' "$unixsocket" '$tmpdir'/log' \
               > $tmpdir/out 2> $tmpdir/log || {
            cat $tmpdir/out
            grep -v 'debug: .*libnbd\|^libnbd' $tmpdir/log | tail -40
            echo "$0: case $name failed with $plugin"
            exit 1
        }
        grep "defaults: $name: ok" $tmpdir/out
    done < $tmpdir/cases
done

# A library without optional exports, and one that exports everything
# but clears every optional bit in info->implemented, get the same
# defaults; and so does a golib plugin with only Open, GetSize and
# PRead.  Without list_exports, default_export and export_description:
# the default export "" only, without a description.
minimal=("$cabi_libs/cabi-minimal.so" "$cabi_libs/cabi-mask.so")
if [ -n "$GOLANG" ]; then
    minimal+=("$(test_plugin features-minimal)")
fi
for lib in "${minimal[@]}"; do
    requires_file "$lib"
    nbdkit -U - "$golang_plugin" "$lib" --run 'nbdsh -u "$uri" -c "
assert h.get_size() == 1024 * 1024
assert h.is_read_only()
assert not h.can_flush() and not h.can_trim() and not h.can_zero()
assert not h.can_fast_zero() and not h.can_fua() and not h.can_cache()
assert not h.can_multi_conn() and not h.is_rotational()
assert h.get_block_size(nbd.SIZE_PREFERRED) == 0
h.pread(512, 0)
"'
    nbdkit -U - "$golang_plugin" "$lib" \
           --run 'nbdinfo --list --json "$uri"' > "$tmpdir/list.json"
    cat "$tmpdir/list.json"
    python3 -c '
import json, sys
e = json.load(open(sys.argv[1]))["exports"]
assert len(e) == 1 and e[0]["export-name"] == "", e
assert "description" not in e[0], e
' "$tmpdir/list.json"
done

# The RAM-disk example (Zero, no CanFastZero) survives a FAST_ZERO
# request from a client that ignores what was advertised: ENOTSUP at
# once, and the server serves on.
if [ -n "$GOLANG" ]; then
    nbdkit -U - "$golang_plugin" "$(example ramdisk)" size=1M --run 'nbdsh -u "$uri" -c "
import errno
h.set_strict_mode(0)
assert h.can_fast_zero()
try:
    h.zero(4096, 0, nbd.CMD_FLAG_FAST_ZERO)
    assert False
except nbd.Error as e:
    assert e.errnum == errno.ENOTSUP, e
h.pwrite(b\"x\" * 4096, 0)
h.zero(4096, 0)
assert h.pread(4096, 0) == bytearray(4096)
"'
fi
