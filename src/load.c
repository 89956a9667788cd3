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

/* Loading the library: dlopen, the handshake, looking up the
 * callbacks, and replaying the configuration into it.
 */

#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <inttypes.h>
#include <string.h>
#include <errno.h>
#include <dlfcn.h>
#include <sys/prctl.h>

#define NBDKIT_API_VERSION 2
#include <nbdkit-plugin.h>

#include "golang.h"

struct golang_library lib;

const char *
golang_thread_model_name (int model)
{
  switch (model) {
  case NBDKITGO_THREAD_MODEL_SERIALIZE_CONNECTIONS:
    return "serialize_connections";
  case NBDKITGO_THREAD_MODEL_SERIALIZE_ALL_REQUESTS:
    return "serialize_all_requests";
  case NBDKITGO_THREAD_MODEL_SERIALIZE_REQUESTS:
    return "serialize_requests";
  case NBDKITGO_THREAD_MODEL_PARALLEL:
    return "parallel";
  default:
    return "invalid";
  }
}

/* Report an error that the library returned through its
 * nbdkitgo_error, on the thread that made the call, and free the
 * message.  A failure without a message still gets a log line that
 * names the callback, and an errno that is not one becomes EIO
 * (golang_errno).  Always returns -1.
 */
int
golang_report (const char *what, struct nbdkitgo_error *err)
{
  int errnum = golang_errno (err->errnum);

  TRACE ("%s: error: errno=%d msg=%s",
         what, err->errnum, err->msg ? err->msg : "(null)");
  if (err->msg)
    nbdkit_error ("%s", err->msg);
  else
    nbdkit_error ("%s: %s failed (%s)",
                  script, what, strerror (errnum));
  nbdkit_set_error (errnum);
  free (err->msg);
  err->msg = NULL;
  return -1;
}

/* A callback that succeeded but also set a message: it is no error,
 * so it goes only to the debug log, and it is freed.
 */
void
golang_discard (const char *what, struct nbdkitgo_error *err)
{
  if (err->msg == NULL)
    return;
  nbdkit_debug ("golang: %s: %s succeeded and said: %s",
                script, what, err->msg);
  free (err->msg);
  err->msg = NULL;
}

/* nbdkit asserts that an errno is positive.  A library (or a C
 * library it calls) can produce anything: 0, -5, 1<<31.  Whatever is
 * not an errno Linux could define (1 to MAX_ERRNO, 4095) becomes EIO.
 */
int
golang_errno (int errnum)
{
  return errnum > 0 && errnum <= 4095 ? errnum : EIO;
}

/* The timer slack (prctl PR_SET_TIMERSLACK) of the threads that the
 * Go runtime starts while its library loads.  The runtime's monitor
 * thread, sysmon, sleeps 20 us between rounds for as long as it keeps
 * taking Ps back from nbdkit threads that have returned to C, which a
 * busy nbdkit makes it do all the time: with Linux's default slack of
 * 50 us it then wakes up to ~14,000 times a second, each time a
 * context switch on a CPU that nbdkit needs, and that was the largest
 * part of what a Go plugin cost over a C one (bench/RESULTS.md).  A
 * 1 ms slack lets it wake at most ~1,000 times a second.  Go timers
 * (time.Sleep, deadlines) served by those threads may fire up to the
 * slack late.  NBDKIT_GOLANG_TIMER_SLACK_NS chooses another value; 0
 * leaves the slack alone.  nbdkit's own threads keep theirs.
 */
#define GOLANG_TIMER_SLACK_NS 1000000
#define GOLANG_TIMER_SLACK_MAX_NS 1000000000

static int
golang_timer_slack (unsigned long *ns)
{
  const char *env = getenv ("NBDKIT_GOLANG_TIMER_SLACK_NS");
  char *end;

  *ns = GOLANG_TIMER_SLACK_NS;
  if (env == NULL)
    return 0;
  errno = 0;
  *ns = strtoul (env, &end, 10);
  if (env[0] < '0' || env[0] > '9' || *end != '\0' || errno != 0 ||
      *ns > GOLANG_TIMER_SLACK_MAX_NS) {
    nbdkit_error ("NBDKIT_GOLANG_TIMER_SLACK_NS: '%s' is not a number of "
                  "nanoseconds from 0 (leave the timer slack alone) to %d",
                  env, GOLANG_TIMER_SLACK_MAX_NS);
    return -1;
  }
  return 0;
}

/* Set this thread's timer slack to ns, so that the threads it starts
 * inherit it; returns the old slack to restore, or -1 if unchanged.
 */
static long
golang_timer_slack_push (unsigned long ns)
{
  int old;

  if (ns == 0)
    return -1;
  old = prctl (PR_GET_TIMERSLACK, 0, 0, 0, 0);
  if (old == -1 || prctl (PR_SET_TIMERSLACK, ns, 0, 0, 0) == -1) {
    nbdkit_debug ("golang: cannot set the timer slack: %m");
    return -1;
  }
  nbdkit_debug ("golang: timer slack %lu ns for the Go runtime's threads", ns);
  return old;
}

static void
golang_timer_slack_pop (long old)
{
  if (old != -1)
    prctl (PR_SET_TIMERSLACK, (unsigned long) old, 0, 0, 0);
}

/* dlopen the library in this process, shake hands and look up the
 * callbacks.  A Go library starts its runtime here, so this must
 * never run in a process that nbdkit will fork afterwards.
 */
int
golang_load (uint32_t phase)
{
  nbdkitgo_init_fn *init = NULL;
  struct nbdkitgo_error err = { 0 };
  const char *path;
  unsigned long slack;
  long old_slack;
  void *dl;
  int r = -1;

  if (lib.dl)
    return 0;

  golang_host_init (phase);
  if (golang_timer_slack (&slack) == -1)
    return -1;

  /* The Go runtime starts its threads from here (dlopen runs its
   * constructor, which starts the thread that initialises it), and
   * the handshake is the first call into Go: it returns only when the
   * runtime and every package init have finished.
   */
  path = golang_library_path ();
  if (path == NULL)
    return -1;
  old_slack = golang_timer_slack_push (slack);
  dlerror ();
  dl = dlopen (path, RTLD_NOW | RTLD_LOCAL);
  if (dl)
    *(void **) &init = dlsym (dl, "nbdkitgo_init");
  if (init) {
    memset (&lib.info, 0, sizeof lib.info);
    lib.info.size = sizeof lib.info;
    lib.info.implemented = ~UINT64_C (0);
    r = init (NBDKITGO_ABI_VERSION, &golang_host, &lib.info, &err);
  }
  golang_timer_slack_pop (old_slack);

  if (dl == NULL) {
    nbdkit_error ("%s: cannot load the library: %s", script, dlerror ());
    return -1;
  }
  if (init == NULL) {
    nbdkit_error ("%s: not an nbdkit-golang library: "
                  "it has no nbdkitgo_init export", script);
    return -1;
  }
  TRACE ("init (abi_version=%d, phase=%" PRIu32 ") = %d "
         "(library abi_version=%" PRIu32 ")",
         NBDKITGO_ABI_VERSION, phase, r, lib.info.abi_version);
  if (lib.info.abi_version != NBDKITGO_ABI_VERSION) {
    nbdkit_error ("%s: ABI version mismatch: this loader (nbdkit-golang %s) "
                  "speaks nbdkit-golang ABI version %d but the library "
                  "speaks version %" PRIu32 "; rebuild the library against "
                  "a matching golib or nbdkitgo-abi.h",
                  script, PACKAGE_VERSION, NBDKITGO_ABI_VERSION,
                  lib.info.abi_version);
    if (err.msg)
      nbdkit_error ("%s: the library said: %s", script, err.msg);
    free (err.msg);
    return -1;
  }
  if (r == -1) {
    if (err.msg == NULL)
      nbdkit_error ("%s: the library's nbdkitgo_init failed", script);
    return golang_report ("init", &err);
  }
  golang_discard ("init", &err);

  /* A callback is implemented when the library exports it and its
   * bit is set.  A connection callback's export is kept even when its
   * bit is clear: each connection may set the bit in open.
   */
#define GOLANG_DLSYM(name, NAME, ret, args)                             \
  *(void **) &lib.name = dlsym (dl, "nbdkitgo_" #name);                 \
  if (lib.name)                                                         \
    lib.exported |= NBDKITGO_CB_BIT (NAME);                             \
  else                                                                  \
    lib.info.implemented &= ~NBDKITGO_CB_BIT (NAME);                    \
  if ((lib.info.implemented & NBDKITGO_CB_BIT (NAME)) == 0 &&           \
      (NBDKITGO_CB_BIT (NAME) & NBDKITGO_CB_CONNECTION_MASK) == 0)       \
    lib.name = NULL;
  NBDKITGO_CALLBACKS (GOLANG_DLSYM)
#undef GOLANG_DLSYM
  lib.info.implemented &= NBDKITGO_CB_BIT (COUNT) - 1;

#define GOLANG_REQUIRE(name, NAME)                                      \
  if ((lib.info.implemented & NBDKITGO_CB_BIT (NAME)) == 0) {           \
    nbdkit_error ("%s: the library does not implement the required "    \
                  "callback %s (export nbdkitgo_%s)",                   \
                  script, #name, #name);                                \
    return -1;                                                          \
  }
  GOLANG_REQUIRE (open, OPEN);
  GOLANG_REQUIRE (get_size, GET_SIZE);
  GOLANG_REQUIRE (pread, PREAD);
#undef GOLANG_REQUIRE

  /* The library is never dlclosed: a Go runtime cannot be unloaded. */
  lib.dl = dl;
  golang_threads_init (dl);
  nbdkit_debug ("golang: loaded %s (%s, plugin %s) for %s",
                script,
                lib.info.runtime_version ? lib.info.runtime_version : "?",
                lib.info.name ? lib.info.name : "?",
                phase == NBDKITGO_PHASE_CHECK ? "the check process" :
                phase == NBDKITGO_PHASE_SERVE ? "serving" : "--dump-plugin");
  return 0;
}

/* Call the library's load and config for every recorded key, then
 * (if complete) config_complete.
 */
int
golang_replay_config (bool complete)
{
  struct nbdkitgo_error err = { 0 };
  size_t i;
  int r;

  if (lib.load) {
    golang_phase ("load");
    r = lib.load (&err);
    TRACE ("load () = %d", r);
    if (r == -1)
      return golang_report ("load", &err);
    golang_discard ("load", &err);
  }

  for (i = 0; i < nr_config; ++i) {
    if (lib.config == NULL) {
      nbdkit_error ("%s: this plugin does not take parameters "
                    "(got %s=%s); see: nbdkit golang %s --dump-plugin",
                    script, config_keys[i], config_values[i], script);
      return -1;
    }
    golang_phase ("config (key %s)", config_keys[i]);
    r = lib.config (config_keys[i], config_values[i], &err);
    TRACE ("config (key=%s, value=%s) = %d",
           config_keys[i], config_values[i], r);
    if (r == -1)
      return golang_report ("config", &err);
    golang_discard ("config", &err);
  }

  if (complete && lib.config_complete) {
    golang_phase ("config_complete");
    r = lib.config_complete (&err);
    TRACE ("config_complete () = %d", r);
    if (r == -1)
      return golang_report ("config_complete", &err);
    golang_discard ("config_complete", &err);
  }
  return 0;
}

/* Ask the library for its thread model and check it.  A library
 * without a thread_model callback gets the safe default that golib
 * and nbdkit's python plugin use: serialize_all_requests.
 */
int
golang_call_thread_model (int *model)
{
  struct nbdkitgo_error err = { 0 };
  int r;

  if (lib.thread_model == NULL) {
    *model = NBDKITGO_THREAD_MODEL_SERIALIZE_ALL_REQUESTS;
    return 0;
  }

  golang_phase ("thread_model");
  r = lib.thread_model (&err);
  TRACE ("thread_model () = %d", r);
  if (r == -1)
    return golang_report ("thread_model", &err);
  golang_discard ("thread_model", &err);
  if (r < NBDKITGO_THREAD_MODEL_SERIALIZE_CONNECTIONS ||
      r > NBDKITGO_THREAD_MODEL_PARALLEL) {
    nbdkit_error ("%s: thread_model returned an invalid thread model (%d); "
                  "it must be one of NBDKITGO_THREAD_MODEL_* (0 to 3)",
                  script, r);
    return -1;
  }
  *model = r;
  return 0;
}
