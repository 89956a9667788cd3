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

# Tests of loader; included by Makefile.am.

# The C ABI test library (tests/cabi/cabi.c) in several variants, each
# a dlopen-able module built only for "make check" from the same
# source with its own -D (the C code of the tests, golib-abi-host too,
# includes the ABI header and builds with the warnings of the loader).
AM_CPPFLAGS = -I$(top_srcdir)/golib/nbdkit
AM_CFLAGS = $(WARNINGS_CFLAGS) -pthread
CABI_LDFLAGS = -module -avoid-version -shared -rpath /nowhere

check_LTLIBRARIES += \
	cabi.la \
	cabi-v1.la \
	cabi-nopread.la \
	cabi-minimal.la \
	cabi-mask.la \
	cabi-bad.la \
	cabi-asan.la \
	$(NULL)

cabi_la_SOURCES = cabi/cabi.c
cabi_la_LDFLAGS = $(CABI_LDFLAGS)
cabi_v1_la_SOURCES = cabi/cabi.c
cabi_v1_la_CPPFLAGS = $(AM_CPPFLAGS) -DCABI_ABI_VERSION=1
cabi_v1_la_LDFLAGS = $(CABI_LDFLAGS)
cabi_nopread_la_SOURCES = cabi/cabi.c
cabi_nopread_la_CPPFLAGS = $(AM_CPPFLAGS) -DCABI_NO_PREAD
cabi_nopread_la_LDFLAGS = $(CABI_LDFLAGS)
cabi_minimal_la_SOURCES = cabi/cabi.c
cabi_minimal_la_CPPFLAGS = $(AM_CPPFLAGS) -DCABI_MINIMAL
# The minimal variant compiles out the code that uses most globals.
cabi_minimal_la_CFLAGS = $(AM_CFLAGS) -Wno-unused-variable
cabi_minimal_la_LDFLAGS = $(CABI_LDFLAGS)
cabi_mask_la_SOURCES = cabi/cabi.c
cabi_mask_la_CPPFLAGS = $(AM_CPPFLAGS) -DCABI_MASK
cabi_mask_la_LDFLAGS = $(CABI_LDFLAGS)
cabi_bad_la_SOURCES = cabi/cabi.c
cabi_bad_la_CPPFLAGS = $(AM_CPPFLAGS) -DCABI_BAD
cabi_bad_la_LDFLAGS = $(CABI_LDFLAGS)
# For test-loader-asan.sh: the library is instrumented too.
cabi_asan_la_SOURCES = cabi/cabi.c
cabi_asan_la_CFLAGS = $(AM_CFLAGS) \
	-fsanitize=address,undefined -fno-omit-frame-pointer
cabi_asan_la_LDFLAGS = $(CABI_LDFLAGS) -fsanitize=address,undefined

LOADER_TESTS = \
	test-loader-cabi.sh \
	test-loader-plain.sh \
	test-loader-timer-slack.sh \
	test-loader-errors.sh \
	test-defaults.sh \
	test-dump-plugin.sh \
	test-loader-trace.sh \
	test-password.sh \
	test-loader-validate.sh \
	test-loader-valgrind.sh \
	test-loader-asan.sh \
	$(NULL)
TESTS += $(LOADER_TESTS)
EXTRA_DIST += \
	$(LOADER_TESTS) \
	loader-memcheck.sh \
	loader-valgrind.supp \
	cabi/cabi.c \
	$(NULL)
