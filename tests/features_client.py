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

"""Client helpers for the golib "features" test plugin
(tests/plugins/features), shared by the test-golib-*.sh tests.

The plugin serves several exports; the "report" export reads back as
key=value lines describing what the plugin has seen (counters of
calls, results of helpers).
"""

import nbd


def connect(sock, name):
    """Connect to export NAME of the server on Unix socket SOCK."""
    h = nbd.NBD()
    h.add_meta_context(nbd.CONTEXT_BASE_ALLOCATION)
    h.connect_uri("nbd+unix:///%s?socket=%s" % (name, sock))
    return h


def report(sock, size=4096):
    """Read the plugin's report as a dict of strings."""
    h = connect(sock, "report")
    text = h.pread(size, 0).rstrip(b"\0").decode()
    h.shutdown()
    return dict(line.split("=", 1) for line in text.splitlines())


def counter(r, name):
    """How many times the report R says callback NAME was called."""
    return int(r.get("count_" + name, "0"))


def expect_error(f, errnum):
    """Call F, which must fail with an nbd.Error carrying ERRNUM."""
    try:
        f()
    except nbd.Error as e:
        assert e.errnum == errnum, (e.errnum, errnum, e)
        return
    assert False, "no error"
