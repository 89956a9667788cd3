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

# nbdkit.PeerTLSDN and PeerTLSIssuerDN (nbdkit_peer_tls_dn and
# nbdkit_peer_tls_issuer_dn, added in nbdkit 1.40) with a real client
# certificate, signed by a certificate authority made here, and
# --tls=require --tls-verify-peer, read through the features test
# plugin's report.  Asserted for the nbdkit under test: the names from
# the certificates where it has the functions, golib's clear "lacks
# nbdkit_..." error where it does not.  (test-helpers.sh asserts
# the other helpers of newer nbdkit versions.)

source "$SRCDIR/functions.sh"
set -e
set -x

features=$(test_plugin features)
requires_file "$features"
requires openssl version
requires nbdcopy --version

pki="$tmpdir/pki"
make_tls_certs "$pki"
# What the certificates say, as RFC 4514 strings (nbdkit's format).
client_dn=$(openssl x509 -noout -subject -nameopt RFC2253 \
                    -in "$pki/client/client-cert.pem" | sed 's/^subject=//')
ca_dn=$(openssl x509 -noout -subject -nameopt RFC2253 \
                -in "$pki/ca-cert.pem" | sed 's/^subject=//')
test "$client_dn" = "CN=test client,O=nbdkit-golang tests"
test "$ca_dn" = "CN=Test CA,O=nbdkit-golang tests"

tls=(--tls=require --tls-certificates="$pki/server" --tls-verify-peer)

# read_report SCHEME QUERY OUT [NBDKIT ARGS...]: serve the features
# plugin with ARGS and read its report export through a client whose
# URI is SCHEME:///report?socket=...QUERY, into OUT.
read_report ()
{
    local scheme=$1 query=$2 out=$3
    shift 3
    nbdkit -U - "$@" "$golang_plugin" "$features" \
           --run 'nbdcopy "'$scheme':///report?socket=$unixsocket'"$query"'" -' \
        > "$out.raw" 2> "$out.err" || {
        cat "$out.err"
        return 1
    }
    tr -d '\0' < "$out.raw" > "$out"
    grep '^peer_tls' "$out"
}

# expect OUT KEY VALUE: KEY is VALUE on nbdkit >= 1.40, and golib's
# "lacks" error before.
expect ()
{
    local got
    got=$(sed -n "s/^$2=//p" "$1")
    if nbdkit_at_least 1.40; then
        test "$got" = "$3"
    else
        test "$got" = "error: nbdkit lacks nbdkit_$2 (added in nbdkit 1.40; this nbdkit is older): operation not supported"
    fi
}

# A client with a certificate, verified.
read_report nbds+unix "&tls-certificates=$pki/client" "$tmpdir/tls" "${tls[@]}"
grep '^is_tls=true$' "$tmpdir/tls"
expect "$tmpdir/tls" peer_tls_dn "$client_dn"
expect "$tmpdir/tls" peer_tls_issuer_dn "$ca_dn"

# Without TLS there is no certificate, and no name.
read_report nbd+unix "" "$tmpdir/plain"
grep '^is_tls=false$' "$tmpdir/plain"
expect "$tmpdir/plain" peer_tls_dn ""
expect "$tmpdir/plain" peer_tls_issuer_dn ""

# --tls-verify-peer is real: a client that trusts the authority but
# has no certificate of its own is refused.
mkdir "$pki/nocert"
cp "$pki/ca-cert.pem" "$pki/nocert/"
if read_report nbds+unix "&tls-certificates=$pki/nocert" "$tmpdir/nocert" \
               "${tls[@]}"; then
    echo "$0: a client without a certificate was served"
    exit 1
fi
grep 'gnutls_handshake' "$tmpdir/nocert.err"
