// nbdkit-golang
// Copyright the nbdkit-golang authors
//
// Redistribution and use in source and binary forms, with or without
// modification, are permitted provided that the following conditions are
// met:
//
// * Redistributions of source code must retain the above copyright
// notice, this list of conditions and the following disclaimer.
//
// * Redistributions in binary form must reproduce the above copyright
// notice, this list of conditions and the following disclaimer in the
// documentation and/or other materials provided with the distribution.
//
// * Neither the name of the copyright holder nor the names of its
// contributors may be used to endorse or promote products derived from
// this software without specific prior written permission.
//
// THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS
// "AS IS" AND ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT
// LIMITED TO, THE IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR
// A PARTICULAR PURPOSE ARE DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT
// HOLDER OR CONTRIBUTORS BE LIABLE FOR ANY DIRECT, INDIRECT, INCIDENTAL,
// SPECIAL, EXEMPLARY, OR CONSEQUENTIAL DAMAGES (INCLUDING, BUT NOT
// LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR SERVICES; LOSS OF USE,
// DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER CAUSED AND ON ANY
// THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY, OR TORT
// (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE
// OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.

package nbdkit

// extentSink receives extents: nbdkit's add_extent, or a test's.
type extentSink interface {
	addExtent(offset, length uint64, t ExtentType) error
}

// Extents collects the extents that Extenter.Extents reports.  It
// wraps nbdkit's own list for one request: it must not be kept or used
// after Extents returns.
type Extents struct{ sink extentSink }

// Add reports that length bytes from offset have type t (0 for data,
// or ExtentHole and/or ExtentZero).  Extents must be added in order
// and without gaps, starting at the offset that Extents was called
// with; nbdkit merges neighbours of the same type.  It returns an
// error (nbdkit has already reported it) if nbdkit refuses the extent.
func (e *Extents) Add(offset, length uint64, t ExtentType) error {
	if e == nil || e.sink == nil {
		return errNoHost
	}
	return e.sink.addExtent(offset, length, t)
}
