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

# No copy of a password survives in the serving process's memory.
# The password is read from a file (password=+FILE), so it never
# appears on the command line; the check process reads it and hands
# it to the serving process, whose loader keeps it until the library
# has read it again; the reldisk plugin reads it with
# nbdkit.ReadPasswordBytes and wipes its bytes.  Every copy on the way
# (the loader's, and golib's C ones) must be wiped, not just freed: a
# memset before free is removed by the compiler at -O2.  The test
# reads all the writable memory of the serving process and searches
# it for the password.

source "$SRCDIR/functions.sh"
set -e
set -x
reldisk_setup

# 201 bytes.  malloc overwrites the first 16 bytes of a block it
# frees, so the test looks for everything after them: far longer
# than a vector register, whose contents the CPU and glibc's lazy
# binding save on stacks at moments no wipe can reach (those
# fragments are not looked for).
password=$(python3 -c 'import secrets; print("pw-" + secrets.token_hex(98))')
printf '%s' "$password" > "$tmpdir/pw"
start_nbdkit_fg -P "$pid" -U "$sock" "$golang_plugin" "$reldisk" \
             log="$log" password=+"$tmpdir/pw" 2> "$tmpdir/stderr"
# The serving process has read it (after_fork comes after config).
timeout "$TEST_TIMEOUT" nbdinfo --size "nbd+unix:///?socket=$sock"
grep "^serve .* password len=${#password}" "$log"
grep "^serve .* after_fork" "$log"

python3 - "$(cat "$pid")" "$password" <<'EOF_PY'
import re, sys
pid, secret = sys.argv[1], sys.argv[2].encode()
found, scanned = [], 0
with open("/proc/%s/maps" % pid) as maps, \
     open("/proc/%s/mem" % pid, "rb", buffering=0) as mem:
    for line in maps:
        m = re.match(r"([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)", line)
        start, end, perms, name = int(m[1], 16), int(m[2], 16), m[3], m[4]
        if not perms.startswith("rw"):
            continue
        try:
            mem.seek(start)
            data = mem.read(end - start)
        except OSError:
            continue
        scanned += len(data)
        # A copy, or one in a freed block.
        for probe in (secret, secret[16:]):
            i = data.find(probe)
            if i >= 0:
                found.append("%s at %#x (%s)" % (probe[:8], start + i, name or "anonymous"))
                break
print("scanned %d bytes of writable memory of process %s" % (scanned, pid))
for f in found:
    print("password found:", f)
assert scanned > 0
assert not found, "the password survives in the serving process"
EOF_PY
kill_nbdkit "$(cat "$pid")"
wait "$nbdkit_bg"
