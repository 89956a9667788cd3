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

# Tests of golib and its examples; included by Makefile.am.

golib_tests = \
	test-golib-unit.sh \
	test-golib-ramdisk.sh \
	test-golib-file.sh \
	test-golib-readerat.sh \
	test-golib-exports.sh \
	test-golib-data.sh \
	test-errno.sh \
	test-golib-helpers.sh \
	test-golib-lifecycle.sh \
	test-golib-abi.sh \
	test-golib-threads.sh \
	$(NULL)

EXTRA_DIST += \
	$(golib_tests) \
	plugins/go.mod \
	plugins/features/features.go \
	plugins/features-noregister/noregister.go \
	plugins/features-twice/twice.go \
	plugins/features-minimal/minimal.go \
	plugins/features-abi/host.c \
	$(NULL)

if HAVE_GOLANG
TESTS += $(golib_tests)

# A fake loader in C that checks golib's side of the ABI without
# nbdkit (test-golib-abi.sh).
check_PROGRAMS += golib-abi-host
golib_abi_host_SOURCES = plugins/features-abi/host.c

# The test plugins (recipe in common-rules.mk).
noinst_DATA += \
	plugins/features/libfeatures.so \
	plugins/features-noregister/libfeatures-noregister.so \
	plugins/features-twice/libfeatures-twice.so \
	plugins/features-minimal/libfeatures-minimal.so \
	$(NULL)

plugins/features/libfeatures.so: $(srcdir)/plugins/features/*.go \
		$(srcdir)/plugins/go.mod $(golib_sources)
	$(go_build_c_shared)

plugins/features-noregister/libfeatures-noregister.so: \
		$(srcdir)/plugins/features-noregister/*.go \
		$(srcdir)/plugins/go.mod $(golib_sources)
	$(go_build_c_shared)

plugins/features-twice/libfeatures-twice.so: \
		$(srcdir)/plugins/features-twice/*.go \
		$(srcdir)/plugins/go.mod $(golib_sources)
	$(go_build_c_shared)

plugins/features-minimal/libfeatures-minimal.so: \
		$(srcdir)/plugins/features-minimal/*.go \
		$(srcdir)/plugins/go.mod $(golib_sources)
	$(go_build_c_shared)
endif HAVE_GOLANG
