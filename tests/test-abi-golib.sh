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

# golib's side of the ABI, checked by a fake loader in C
# (plugins/features-abi/host.c) that dlopens Go libraries built with
# golib: the ABI version handshake, a short struct nbdkitgo_info, a
# library that never calls Register, nbdkit's defaults and sound
# errors for a minimal plugin, invalid handles, and a host table too
# old to have disconnect.

source "$SRCDIR/functions.sh"
set -e
set -x

host=./golib-abi-host
test -x $host
minimal=$(test_plugin features-minimal)
features=$(test_plugin features)
noregister=$(test_plugin features-noregister)

$host badabi $minimal > $tmpdir/out
cat $tmpdir/out
grep 'speaks nbdkit-golang ABI version 3, but this library was built with golib for ABI version 2' $tmpdir/out
grep 'badabi: ok' $tmpdir/out

$host shortinfo $minimal | grep 'shortinfo: ok'
$host noregister $noregister | grep 'noregister: ok'

$host minimal $minimal > $tmpdir/out 2> $tmpdir/err
cat $tmpdir/out $tmpdir/err
grep 'minimal: ok' $tmpdir/out
# The second close of a deleted handle was logged through the host.
grep 'host error: panic in close callback' $tmpdir/err

$host oldhost $features > $tmpdir/out
cat $tmpdir/out
grep 'nbdkit lacks nbdkit_disconnect (added in nbdkit 1.34' $tmpdir/out
grep 'oldhost: ok' $tmpdir/out
