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

# Passwords are read once, in the check process; the serving process
# gets the same result.  -FD can be read only once, so reading it
# again after the fork would give the library an empty password, and
# cabi's config_complete (which runs in both processes) would fail.
# password=- in the default (forking) mode: nbdkit prompts on the
# terminal exactly once, although the plugin's configuration runs
# twice (in the check process, then in the server), and the server
# gets the password that was typed (the golib features plugin, which
# reports it; script(1) provides the terminal).
#
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

requires_file "$cabi"
requires script --version
requires nbdsh --version
features=$(test_plugin features)
reldisk=$(test_plugin reldisk)

# --run (nbdkit forks).
timeout "$TEST_TIMEOUT" \
nbdkit -U - "$golang_plugin" "$cabi" password=-3 expect-password=s3cret \
       --run 'nbdinfo --size "$uri"' 3< <(echo s3cret) > "$tmpdir/out"
test "$(cat "$tmpdir/out")" = 1048576

# Default forking mode, with a password file.
echo -n "from a file" > "$tmpdir/pw"
start_nbdkit -P "$pid" -U "$sock" "$golang_plugin" "$cabi" \
             password=+"$tmpdir/pw" expect-password="from a file"
timeout "$TEST_TIMEOUT" nbdinfo --size "nbd+unix:///?socket=$sock"
kill_nbdkit "$(cat "$pid")"

# A wrong password is reported before nbdkit forks.
expect_start_failure wrong "$golang_plugin" "$cabi" password=-3 \
                     expect-password=other 3< <(echo s3cret)
grep "cabi: expected password 'other' but read 's3cret'" "$tmpdir/wrong.out"

# What follows needs the Go test plugins (built when configure found
# Go).
test -f "$features" && test -f "$reldisk" || exit 0

# password=- typed on a terminal.
sock="$tmpdir/tty.sock"
pid="$tmpdir/tty.pid"
cleanup_fn 'test ! -s "$pid" || kill_nbdkit "$(cat "$pid")"'


# Runs inside the terminal session.
cat > "$tmpdir/inner.sh" <<EOF
set -x
nbdkit -U "$sock" -P "$pid" "$golang_plugin" "$features" size=1M password=-
echo "nbdkit exited with status \$?"
nbdsh -u "nbd+unix:///report?socket=$sock" \
      -c 'print(h.pread(8192, 0).rstrip(b"\\0").decode())' \
      > "$tmpdir/report" </dev/null
kill "\$(cat "$pid")"
touch "$tmpdir/done"
EOF

# The "user" types the password once nbdkit prompts for it (input
# typed earlier is discarded when the terminal's echo is turned off),
# then, once nbdkit has exited or prompted a second time, an
# end-of-file (^D) which makes a second read of the password fail
# instead of hang.
answered_or_asked_again ()
{
    grep -q "nbdkit exited with status" "$tmpdir/tty.out" ||
        [ "$(grep -c 'password:' "$tmpdir/tty.out")" -ge 2 ]
}
{
    wait_for_log "$tmpdir/tty.out" 'password:'
    printf 'secret-typed\n'
    wait_until answered_or_asked_again
    printf '\004'
    WAIT_TRIES=1200 wait_until test -f "$tmpdir/done"
} | timeout 120 script -qec "bash $tmpdir/inner.sh" /dev/null \
      > "$tmpdir/tty.out" 2>&1 || :
cat "$tmpdir/tty.out"
cat "$tmpdir/report"

test -f "$tmpdir/done"
grep "nbdkit exited with status 0" "$tmpdir/tty.out"
test "$(grep -c 'password:' "$tmpdir/tty.out")" -eq 1
grep "^password=secret-typed$" "$tmpdir/report"
grep "^phase=serve$" "$tmpdir/report"

# No copy of a password survives in the serving process.
# 201 bytes.  malloc overwrites the first 16 bytes of a block it
# frees, so the test looks for everything after them: far longer
# than a vector register, whose contents the CPU and glibc's lazy
# binding save on stacks at moments no wipe can reach (those
# fragments are not looked for).
password=$(python3 -c 'import secrets; print("pw-" + secrets.token_hex(98))')
printf '%s' "$password" > "$tmpdir/pw"
sock="$tmpdir/wipe.sock"
pid="$tmpdir/wipe.pid"
log="$tmpdir/wipe.log"
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
