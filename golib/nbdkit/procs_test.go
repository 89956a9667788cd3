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

import "testing"

func TestProcsFor(t *testing.T) {
	tests := []struct {
		cur, base, live, want int
	}{
		{2, 2, 1, 3},       // first thread: grow
		{3, 2, 1, 3},       // enough
		{3, 2, 2, 5},       // grow by half again the threads
		{27, 2, 17, 27},    // one connection's 17 threads fit
		{27, 2, 26, 41},    // a second connection arrives
		{39, 2, 8, 39},     // fewer threads, but not four times too many Ps
		{93, 2, 1, 6},      // four times too many: shrink to twice the need
		{6, 2, 1, 6},       // and stay there
		{4, 4, 0, 4},       // never below the runtime's own value
		{100, 100, 2, 103}, // a large default grows from itself
	}
	for _, tt := range tests {
		if got := procsFor(tt.cur, tt.base, tt.live); got != tt.want {
			t.Errorf("procsFor(cur=%d, base=%d, live=%d) = %d, want %d",
				tt.cur, tt.base, tt.live, got, tt.want)
		}
		if got := procsFor(tt.cur, tt.base, tt.live); got < tt.base+tt.live {
			t.Errorf("procsFor(cur=%d, base=%d, live=%d) = %d, fewer than base+live",
				tt.cur, tt.base, tt.live, got)
		}
	}
}
