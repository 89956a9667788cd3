/* nbdkit-golang
 * Copyright the nbdkit-golang authors
 *
 * Redistribution and use in source and binary forms, with or without
 * modification, are permitted provided that the following conditions are
 * met:
 *
 * * Redistributions of source code must retain the above copyright
 * notice, this list of conditions and the following disclaimer.
 *
 * * Redistributions in binary form must reproduce the above copyright
 * notice, this list of conditions and the following disclaimer in the
 * documentation and/or other materials provided with the distribution.
 *
 * * Neither the name of the copyright holder nor the names of its
 * contributors may be used to endorse or promote products derived from
 * this software without specific prior written permission.
 *
 * THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS
 * "AS IS" AND ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT
 * LIMITED TO, THE IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR
 * A PARTICULAR PURPOSE ARE DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT
 * HOLDER OR CONTRIBUTORS BE LIABLE FOR ANY DIRECT, INDIRECT, INCIDENTAL,
 * SPECIAL, EXEMPLARY, OR CONSEQUENTIAL DAMAGES (INCLUDING, BUT NOT
 * LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR SERVICES; LOSS OF USE,
 * DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER CAUSED AND ON ANY
 * THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY, OR TORT
 * (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE
 * OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
 */

/* Counting the nbdkit threads that call into the library.
 *
 * nbdkit's parallel thread model serves each connection with -t
 * (default 16) worker threads, and every one of them calls the
 * library directly.  The Go runtime (1.21 and later) binds each such
 * thread to an M of its own for life, and a callback returning to C
 * leaves the thread holding its P (the right to run Go code) as if it
 * were in a system call.  With fewer Ps (GOMAXPROCS, by default the
 * number of CPUs) than threads calling in, a thread entering Go often
 * finds every P held by threads that are back in nbdkit, waiting for
 * their next request, and sleeps until the runtime's monitor thread
 * (sysmon) takes one back: one tick (20 us to 10 ms) and two or three
 * context switches per wait.  That made the Go plugin 3 to 5 times
 * slower than C with 8 requests in flight on 2 or more connections
 * (bench/notes.md).
 *
 * So the loader counts the threads that have called into the library
 * and are still alive, and tells the library each time a new one
 * arrives, through the optional export nbdkitgo_threads
 * (nbdkitgo-abi.h).  golib keeps GOMAXPROCS at least that high (unless
 * the user set GOMAXPROCS), so that a thread entering Go always finds
 * its own P, or an idle one.
 *
 * The check costs one thread-local load and a branch per call.  A
 * pthread key whose destructor runs when the thread exits takes it
 * off the count; the library is told the lower count when the next
 * new thread arrives (never from the destructor: the Go runtime's own
 * per-thread clean-up may already have run).
 */

#include <config.h>

#include <stdbool.h>
#include <stdint.h>
#include <inttypes.h>
#include <pthread.h>
#include <dlfcn.h>

#define NBDKIT_API_VERSION 2
#include <nbdkit-plugin.h>

#include "golang.h"

__thread bool golang_thread_counted
  __attribute__ ((tls_model ("initial-exec")));

static nbdkitgo_threads_fn *threads_fn;
static pthread_key_t threads_key;
static bool threads_key_ok;
static uint32_t threads_live;

/* Held while a new thread is counted and the library told, so that
 * the library hears the counts in the order they happened.
 */
static pthread_mutex_t threads_lock = PTHREAD_MUTEX_INITIALIZER;

static void
golang_thread_exit (void *arg __attribute__ ((unused)))
{
  __atomic_sub_fetch (&threads_live, 1, __ATOMIC_RELAXED);
}

/* Called once the library is loaded (load.c). */
void
golang_threads_init (void *dl)
{
  *(void **) &threads_fn = dlsym (dl, "nbdkitgo_threads");
  if (!threads_key_ok && pthread_key_create (&threads_key,
                                             golang_thread_exit) == 0)
    threads_key_ok = true;
}

/* The first call into the library from this thread. */
void
golang_thread_new (void)
{
  uint32_t n;

  golang_thread_counted = true;
  if (!threads_key_ok ||
      pthread_setspecific (threads_key, (void *) 1) != 0)
    return;                     /* could not track its exit: not counted */
  pthread_mutex_lock (&threads_lock);
  n = __atomic_add_fetch (&threads_live, 1, __ATOMIC_RELAXED);
  TRACE ("threads (live=%" PRIu32 ")", n);
  if (threads_fn)
    threads_fn (n);
  pthread_mutex_unlock (&threads_lock);
}
