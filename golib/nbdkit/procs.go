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

// GOMAXPROCS and nbdkit's threads.
//
// With nbdkit's parallel thread model every worker thread (-t, 16 per
// connection by default) calls into Go directly.  Since Go 1.21 each
// such C thread keeps an M of its own, and when a callback returns to
// C the thread keeps its P (the right to run Go code) as if it were
// in a system call, until sysmon, the runtime's monitor thread, takes
// it back.  A thread entering Go without a P can only take an idle P,
// or its previous P if the thread now holding it is back in C;
// otherwise it sleeps until sysmon frees one (one tick: 20 us to
// 10 ms) and is handed the P by another thread (two or three context
// switches).  With GOMAXPROCS at its default (the number of CPUs) and
// 8 requests in flight on each of several connections, most requests
// waited like this: 0.2x of the C plugin's speed.
//
// So the loader counts the nbdkit threads that call in and are alive
// (nbdkitgo_threads), and golib keeps GOMAXPROCS at that number plus
// what the runtime chose by itself: every thread keeps a P while it
// is in nbdkit, and the Ps the runtime would have had remain for the
// plugin's own goroutines.  GOMAXPROCS set in the environment is left
// alone.

import (
	"os"
	"runtime"
	"sync"
)

var procs struct {
	mu   sync.Mutex
	base int  // the runtime's own GOMAXPROCS; 0 until the first call
	user bool // GOMAXPROCS is set in the environment
}

// procsFor returns the GOMAXPROCS golib sets, from cur (the current
// one), base (the runtime's own choice) and live (nbdkit threads
// calling in), or cur to leave it unchanged.  It grows by half again
// what is needed, so that a new connection's threads cost a handful
// of changes (each stops the world briefly), and shrinks only when
// four times too many.
func procsFor(cur, base, live int) int {
	want := base + live
	switch {
	case want > cur:
		return want + live/2
	case want*4 <= cur && cur > base:
		return want * 2
	}
	return cur
}

// threadsChanged is called by the loader (nbdkitgo_threads) each time
// a new nbdkit thread calls in, with the number of those alive.
func threadsChanged(live int) {
	procs.mu.Lock()
	defer procs.mu.Unlock()
	if procs.base == 0 {
		procs.base = runtime.GOMAXPROCS(0)
		procs.user = os.Getenv("GOMAXPROCS") != ""
		if procs.user {
			Debugf("golang: GOMAXPROCS=%d set in the environment: golib leaves it alone", procs.base)
		}
	}
	if procs.user {
		return
	}
	cur := runtime.GOMAXPROCS(0)
	if n := procsFor(cur, procs.base, live); n != cur {
		runtime.GOMAXPROCS(n)
		Debugf("golang: %d nbdkit threads call into Go: GOMAXPROCS %d -> %d (runtime default %d)", live, cur, n, procs.base)
	}
}
