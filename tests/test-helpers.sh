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

# Every helper through the loader: ParseSize, ParseBool, ReadPassword (password=+FILE), Realpath, AbsolutePath,
# ExportName, IsTLS (without and with TLS), PeerPID/UID/GID, PeerName,
# StdioSafe,
# CurrentPhase, Sleep, Debugf (shown only with -v), Disconnect
# (nbdkit 1.32 lacks it: a clear error) and Shutdown; and the helpers
# of newer nbdkit versions (ParseProbability, ParseDelay, PeerTLSDN,
# PeerTLSIssuerDN, PeerSecurityContext) where the running nbdkit lacks
# them.

source "$SRCDIR/functions.sh"
set -e
set -x

requires nbdsh --version

features=$(test_plugin features)
test -f "$features"

printf 'secret-from-file\n' > $tmpdir/pw
mkdir $tmpdir/dir

cat > $tmpdir/helpers.py <<'PY'
import errno, nbd, os, sys
import nbdclient

sock, tmpdir = sys.argv[1], os.path.realpath(sys.argv[2])
has_disconnect = sys.argv[3] == "yes"

def connect(name):
    return nbdclient.connect(sock, name, base_allocation=True)

r = nbdclient.report(sock, 8192)
print(r)
expect = {
    "size": "2097152", "bool": "true",
    "password": "secret-from-file",
    "realpath": tmpdir + "/dir",
    "abspath": tmpdir + "/not/there",
    "export_name": "report", "is_tls": "false",
    "peer_pid": str(os.getpid()), "peer_uid": str(os.getuid()),
    "peer_gid": str(os.getgid()), "peer_network": "unix",
    "phase": "serve", "phase_after_fork": "serve",
    "phase_config_complete": "serve",
}
for k, v in expect.items():
    assert r.get(k) == v, (k, r.get(k), v)
h = connect("report")
assert h.get_size() == 2 * 1024 * 1024
h.shutdown()

h = connect("sleep")
assert h.pread(512, 0) == bytes(512)
h.shutdown()
r = nbdclient.report(sock, 8192)
assert r["count_sleep"] == "1", r

h = connect("disconnect")
try:
    h.pread(512, 0)
    # nbdkit >= 1.34 has nbdkit_disconnect: the server then drops
    # the connection.
    assert has_disconnect, "Disconnect worked on an nbdkit without it"
except nbd.Error as e:
    # golib returns ENOTSUP; nbdkit sends it as EINVAL on reads.
    assert not has_disconnect
    assert e.errnum in (errno.ENOTSUP, errno.EINVAL), e
print("helpers: ok")
PY

# nbdkit_disconnect appeared in nbdkit 1.34.
v=$(nbdkit --version | awk '{print $2}')
if [ "${v%%.*}" -gt 1 ] || [ "$(echo "$v" | cut -d. -f2)" -ge 34 ]; then
    has_disconnect=yes
else
    has_disconnect=no
fi

cd $tmpdir
nbdkit -v -U - $golang_plugin $features \
       size=2M bool=on password=+$tmpdir/pw \
       realpath=dir abspath=not/there \
       --run 'python3 '$tmpdir'/helpers.py "$unixsocket" '$tmpdir' '$has_disconnect \
       > $tmpdir/out 2> $tmpdir/err || {
    cat $tmpdir/out $tmpdir/err
    exit 1
}
cd -
cat $tmpdir/out
grep 'helpers: ok' $tmpdir/out
# Debug messages appear with -v, in each phase.
grep 'features: load in phase check' $tmpdir/err
grep 'features: load in phase serve' $tmpdir/err
grep 'features: get_ready in phase serve' $tmpdir/err
grep 'features: after_fork in phase serve' $tmpdir/err
grep 'features: open export "report" readonly=false' $tmpdir/err
if [ $has_disconnect = no ]; then
    grep 'nbdkit lacks nbdkit_disconnect (added in nbdkit 1.34' $tmpdir/err
fi

# Helpers that newer nbdkit versions added, asserted for the running
# nbdkit: where it lacks the function, the helper returns a clear
# error naming the function and the version that added it.  (Their
# results on an nbdkit that has them are tested on that nbdkit.)
minor=$(nbdkit --version | awk '{print $2}' | cut -d. -f2)
cat > $tmpdir/report.py <<'PY'
import sys
import nbdclient
r = nbdclient.report(sys.argv[1], 8192)
for k in sys.argv[2:]:
    print("%s=%s" % (k, r.get(k)))
PY
nbdkit -U - $golang_plugin $features \
       --run 'python3 '$tmpdir'/report.py "$unixsocket" peer_tls_dn peer_tls_issuer_dn peer_security_context' \
       > $tmpdir/out
cat $tmpdir/out
for h in peer_tls_dn:40 peer_tls_issuer_dn:40 peer_security_context:36; do
    name=${h%:*} added=${h#*:}
    if [ "$minor" -lt "$added" ]; then
        grep "^$name=error: nbdkit lacks nbdkit_$name (added in nbdkit 1.$added; this nbdkit is older): operation not supported$" $tmpdir/out
    else
        if grep "^$name=error: nbdkit lacks" $tmpdir/out; then
            echo "$0: nbdkit 1.$minor has nbdkit_$name, yet golib says it lacks it"
            exit 1
        fi
    fi
done
for h in probability=10%:36:0.1:parse_probability delay=1.5ms:40:1.5ms:parse_delay; do
    kv=${h%%:*} rest=${h#*:}
    added=${rest%%:*} rest=${rest#*:}
    want=${rest%%:*} fn=${rest#*:}
    status=0
    nbdkit -U - $golang_plugin $features "$kv" \
           --run 'python3 '$tmpdir'/report.py "$unixsocket" '${kv%%=*} \
           > $tmpdir/out 2> $tmpdir/err || status=$?
    cat $tmpdir/out $tmpdir/err
    if [ "$minor" -lt "$added" ]; then
        test $status -ne 0
        grep "features: ${kv%%=*}: nbdkit lacks nbdkit_$fn (added in nbdkit 1.$added; this nbdkit is older)" $tmpdir/err
    else
        test $status -eq 0
        grep "^${kv%%=*}=$want$" $tmpdir/out
    fi
done

# Without -v there are no debug messages.
nbdkit -U - $golang_plugin $features --run 'nbdsh -u "$uri" -c "h.pread(512, 0)"' \
       2> $tmpdir/err
test "$(grep -c 'features: ' $tmpdir/err)" -eq 0

# With -s the plugin must not use stdio.
nbdsh -c '
h.set_export_name("report")
h.connect_command(["nbdkit", "-s", "'$golang_plugin'", "'$features'"])
r = dict(l.split("=", 1) for l in h.pread(8192, 0).rstrip(b"\0").decode().splitlines())
assert r["stdio_safe"] == "false", r
assert r["peer_network"] == "unix" or r["peer_network"].startswith("error"), r
'

# Outside nbdkit (a plugin's go test) ParseSize and ParseBool parse in
# Go; golib's go test runs the cases of testdata/parse.txt through
# that code, and here every case goes through nbdkit itself, so both
# follow one table.
table="$abs_top_srcdir/golib/nbdkit/testdata/parse.txt"
args=()
while IFS= read -r line; do
    helper="${line%%$'\t'*}"
    rest="${line#*$'\t'}"
    args+=("check_$helper=${rest%$'\t'*}")
done < <(grep -v '^#' "$table")
test "${#args[@]}" -gt 40
nbdkit $golang_plugin $features "${args[@]}" --dump-plugin > $tmpdir/dump
# --dump-plugin prints control characters escaped: a tab is \x09.
sed -n 's/^features_check=//p' $tmpdir/dump | sed 's/\\x09/\t/g' > $tmpdir/checks
grep -v '^#' "$table" | diff -u - $tmpdir/checks

# IsTLS is true over TLS (a pre-shared key).
printf 'alice:%s\n' "$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')" \
       > $tmpdir/keys.psk
nbdkit --tls=require --tls-psk=$tmpdir/keys.psk -U - $golang_plugin $features \
       --run 'nbdsh -c "
h.set_tls(nbd.TLS_REQUIRE)
h.set_tls_username(\"alice\")
h.set_tls_psk_file(\"'$tmpdir'/keys.psk\")
h.set_export_name(\"report\")
h.connect_unix(\"$unixsocket\")
r = dict(l.split(\"=\", 1) for l in h.pread(8192, 0).rstrip(bytes(1)).decode().splitlines())
assert r[\"is_tls\"] == \"true\", r
h.shutdown()
"'

# Shutdown from a callback stops the server.
start_nbdkit_fg -P $pid -U $sock $golang_plugin $features
nbdsh -u "nbd+unix:///shutdown?socket=$sock" -c 'h.pread(512, 0)' || :
if ! wait_gone "$(cat $pid)"; then
    echo "$0: nbdkit still runs after nbdkit.Shutdown"
    exit 1
fi
