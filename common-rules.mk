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

# Rules shared by every Makefile.am.

NULL =

CLEANFILES = *~

# The Go source of golib, on which every Go c-shared library of the
# tree depends.
golib_sources = \
	$(top_srcdir)/golib/go.mod \
	$(top_srcdir)/golib/nbdkit/*.go \
	$(top_srcdir)/golib/nbdkit/internal/*/*.go \
	$(top_srcdir)/golib/nbdkit/*.h \
	$(top_srcdir)/golib/nbdkit/*.c \
	$(top_srcdir)/golib/sparse/*.go \
	$(NULL)

# The one recipe for a Go c-shared library DIR/libNAME.so: "go build
# -buildmode=c-shared" of the main package in $(srcdir)/DIR (where its
# module is), writing into the build directory (VPATH-safe).  A rule
# gives the library's own sources as prerequisites and this as its
# recipe:
#
#   ramdisk/libramdisk.so: $(srcdir)/ramdisk/*.go $(srcdir)/go.mod $(golib_sources)
#   	$(go_build_c_shared)
go_build_c_shared = \
	$(MKDIR_P) $(@D) && \
	cd $(srcdir)/$(@D) && \
	$(GOLANG) build -buildmode=c-shared -o $(abs_builddir)/$@ .
