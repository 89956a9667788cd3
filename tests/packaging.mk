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

# Tests of installing and packaging: what make install, make distcheck
# and the Debian packages put on a system, and a new plugin author's
# way from the installed documentation to a served disk.  Included by
# tests/Makefile.am.

# NBDKIT_GOLANG_JOURNEY (configure; make check NBDKIT_GOLANG_JOURNEY=)
# is where the journey test installs: "dpkg" (build the Debian
# packages and install them on this system: only as root, and only if
# no nbdkit-golang package is installed), "prefix" (make install into
# a private prefix) or "auto" (dpkg when possible).  make distcheck
# and the Debian package build pass "prefix": they must not touch the
# system.
TESTS_ENVIRONMENT += NBDKIT_GOLANG_JOURNEY=$(NBDKIT_GOLANG_JOURNEY)

if HAVE_GOLANG
TESTS += test-pkg-journey.sh
endif HAVE_GOLANG

EXTRA_DIST += \
	test-pkg-journey.sh \
	$(NULL)
