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

# Tests of reliability; included by Makefile.am.
#
# The tests drive the reldisk test plugin (tests/plugins/reldisk),
# whose behaviour is chosen by configuration keys, with real NBD
# clients: fio's nbd engine and python3-libnbd programs using
# tests/nbdclient.py.  "make soak" runs the long memory soak, which
# is never part of "make check".

RELIABILITY_TESTS = \
	test-rel-integrity.sh \
	test-rel-pressure.sh \
	test-rel-thread-models.sh \
	test-rel-opt-info.sh \
	test-rel-race.sh \
	test-rel-panic.sh \
	test-rel-shutdown.sh \
	test-rel-signals.sh \
	test-rel-bad-plugin.sh \
	test-rel-hostile.sh \
	test-rel-export-names.sh \
	test-rel-readonly.sh \
	test-rel-signal-notify.sh \
	test-rel-bad-errno.sh \
	test-rel-silent.sh \
	test-rel-signal-later.sh \
	test-rel-load-hang.sh \
	test-rel-swap.sh \
	test-rel-crash-log.sh \
	test-rel-password-wipe.sh \
	test-rel-output.sh \
	$(NULL)

EXTRA_DIST += \
	$(RELIABILITY_TESTS) \
	soak.sh \
	plugins/reldisk/reldisk.go \
	$(NULL)

if HAVE_GOLANG
TESTS += $(RELIABILITY_TESTS)

noinst_DATA += \
	plugins/reldisk/libreldisk.so \
	plugins/reldisk/libreldisk-plugin.so \
	$(NULL)

plugins/reldisk/libreldisk.so: $(srcdir)/plugins/reldisk/*.go \
		$(srcdir)/plugins/go.mod $(golib_sources)
	$(go_build_c_shared)

# The same plugin built the wrong way, for test-rel-load-hang.sh.
plugins/reldisk/libreldisk-plugin.so: plugins/reldisk/libreldisk.so
	cd $(srcdir)/plugins/reldisk && \
	  $(GOLANG) build -buildmode=plugin \
	    -o $(abs_builddir)/plugins/reldisk/libreldisk-plugin.so .

endif HAVE_GOLANG

# The memory soak: SOAK_SECONDS (default 600) of open/read/write/close
# cycles, with nbdkit's RSS sampled every minute.
soak: $(noinst_DATA)
	$(TESTS_ENVIRONMENT) $(srcdir)/soak.sh

.PHONY: soak
