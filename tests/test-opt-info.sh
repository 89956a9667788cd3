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

# NBD_OPT_INFO makes nbdkit open and close the plugin before
# NBD_OPT_GO opens it again.  Clients on 4 threads at once each do, 25
# times: OPT_INFO on two export names, then OPT_GO on a third, and
# check that every read is served by the handle opened for the third
# name (the plugin, with echo=true, returns the export name at offset
# 0 and describes the export as "export=NAME"); and OPT_INFO followed
# by NBD_OPT_ABORT.  nbdinfo (which uses OPT_INFO) runs too.  At
# cleanup the plugin must have no live handle, as many closes as opens,
# and must never have seen a call on a closed handle.

source "$SRCDIR/functions.sh"
set -e
set -x
reldisk_setup
requires nbdinfo --version

start_nbdkit -P "$pid" -U "$sock" "$golang_plugin" "$reldisk" \
             threadmodel=parallel echo=true log="$log"

timeout "$TEST_TIMEOUT" python3 - "$sock" <<'EOF_PY'
import sys
import nbd
import nbdclient

sock = sys.argv[1]
rounds = 25

def job(t):
    def run():
        opens = 0
        for i in range(rounds):
            h = nbd.NBD()
            h.set_opt_mode(True)
            h.set_full_info(True)
            h.connect_unix(sock)
            for name in ("info-a-%d-%d" % (t, i), "info-b-%d-%d" % (t, i)):
                h.set_export_name(name)
                h.opt_info()
                opens += 1
                assert h.get_size() == 1 << 20
                desc = h.get_export_description()
                assert desc == "export=" + name, (desc, name)
            go = "go-%d-%d" % (t, i)
            h.set_export_name(go)
            h.opt_go()
            opens += 1
            assert h.get_export_description() == "export=" + go
            for _ in range(4):
                got = bytes(h.pread(64, 0)).rstrip(b"\0")
                assert got == go.encode(), (got, go)
            h.shutdown()

            h = nbd.NBD()
            h.set_opt_mode(True)
            h.connect_unix(sock)
            h.set_export_name("abort-%d-%d" % (t, i))
            h.opt_info()
            opens += 1
            h.opt_abort()
        return opens
    return run

n = sum(nbdclient.run_parallel([job(t) for t in range(4)]))
print("OPT_INFO test: %d opens by OPT_INFO and OPT_GO" % n)
open(sys.argv[1] + ".opens", "w").write("%d\n" % n)
EOF_PY

for i in 1 2 3 4 5; do
    timeout 60 nbdinfo "nbd+unix:///nbdinfo-$i?socket=$sock"
done

reldisk_stop
reldisk_expect live=0 confused=0
test "$(reldisk_stat "$log" opens)" -eq "$(reldisk_stat "$log" closes)"
test "$(reldisk_stat "$log" opens)" -ge "$(cat "$sock.opens")"
# Every OPT_GO handle that read served its own export (checked by the
# client); and every open was paired with a close of the same id.
opened=$(sed -n 's/^serve .* open id=\([0-9]*\) .*/\1/p' "$log" | sort -n)
closed=$(sed -n 's/^serve .* close id=\([0-9]*\) .*/\1/p' "$log" | sort -n)
test "$opened" = "$closed"
