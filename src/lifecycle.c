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

/* What the library's configuration phase runs in, and must leave as
 * it found it.
 *
 * The working directory.  nbdkit changes directory to / when it forks
 * into the background, so by the time the serving process replays
 * the configuration a relative path such as file=disk.img would name
 * a different file than the one the user meant (and than the check
 * process saw).  A C plugin resolves such paths in .config, before
 * the fork; to give the library the same view, the loader keeps the
 * directory nbdkit started in open and runs the replayed
 * configuration (up to get_ready) there.
 *
 * Signals.  nbdkit shuts down on SIGINT, SIGQUIT, SIGTERM and SIGHUP.
 * A library that takes one of them over (in Go, signal.Notify
 * installs the runtime's own handler) would leave nbdkit impossible
 * to stop with that signal, so changing their handlers during the
 * configuration phase is refused with an error.  Later, while
 * serving, the loader looks again on every open and close of a
 * connection: a handler the library replaced (signal.Notify) or
 * ignored (signal.Ignore) is put back and the log says so.
 */

#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#define NBDKIT_API_VERSION 2
#include <nbdkit-plugin.h>

#include "golang.h"

/* The directory nbdkit was started in, or -1. */
static int config_dir = -1;
/* Where the process was before golang_config_dir_enter, or -1. */
static int saved_dir = -1;

/* Called from .config with script=, before nbdkit can fork. */
int
golang_config_dir_save (void)
{
  if (config_dir >= 0)
    return 0;
  config_dir = open (".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (config_dir == -1)
    /* Not fatal: absolute paths still work, relative ones resolve
     * against wherever nbdkit is by then.
     */
    nbdkit_debug ("golang: cannot open the current directory: %m; "
                  "relative paths in parameters may not work after "
                  "nbdkit forks");
  return 0;
}

/* Change to the directory nbdkit was started in, remembering where
 * the process is now.
 */
int
golang_config_dir_enter (void)
{
  if (config_dir == -1)
    return 0;
  saved_dir = open (".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (saved_dir == -1) {
    nbdkit_error ("open: current directory: %m");
    return -1;
  }
  if (fchdir (config_dir) == -1) {
    nbdkit_error ("fchdir: the directory nbdkit was started in: %m");
    close (saved_dir);
    saved_dir = -1;
    return -1;
  }
  return 0;
}

/* Go back to where golang_config_dir_enter found the process, and
 * let go of the start directory (so that it does not keep a mount
 * busy while the daemon runs).
 */
void
golang_config_dir_leave (void)
{
  if (saved_dir >= 0) {
    if (fchdir (saved_dir) == -1)
      nbdkit_debug ("golang: fchdir back: %m");
    close (saved_dir);
    saved_dir = -1;
  }
  if (config_dir >= 0) {
    close (config_dir);
    config_dir = -1;
  }
}

static const struct {
  int sig;
  const char *name;
} shutdown_signals[] = {
  { SIGINT,  "SIGINT" },
  { SIGQUIT, "SIGQUIT" },
  { SIGTERM, "SIGTERM" },
  { SIGHUP,  "SIGHUP" },
};
#define NR_SHUTDOWN_SIGNALS \
  (sizeof shutdown_signals / sizeof shutdown_signals[0])

static struct sigaction saved_actions[NR_SHUTDOWN_SIGNALS];

/* Record the handlers before any library code runs. */
void
golang_signals_save (void)
{
  size_t i;

  for (i = 0; i < NR_SHUTDOWN_SIGNALS; ++i)
    sigaction (shutdown_signals[i].sig, NULL, &saved_actions[i]);
}

/* Fail if the library replaced one of them.  Only the handler is
 * compared: the Go runtime adds SA_ONSTACK to existing handlers when
 * it starts, which is harmless.
 */
int
golang_signals_check (void)
{
  size_t i;

  for (i = 0; i < NR_SHUTDOWN_SIGNALS; ++i) {
    struct sigaction now;

    if (sigaction (shutdown_signals[i].sig, NULL, &now) == -1)
      continue;
    if (now.sa_handler != saved_actions[i].sa_handler) {
      nbdkit_error ("%s: the library took over %s while it was being "
                    "configured (in Go, by calling signal.Notify); "
                    "nbdkit needs %s to shut down, so this is not "
                    "allowed",
                    script, shutdown_signals[i].name,
                    shutdown_signals[i].name);
      return -1;
    }
  }
  return 0;
}

/* While serving: if the library has changed the handler of a shutdown
 * signal since golang_signals_save, put nbdkit's back and log it.
 * WHEN names the callback after which this was found.  Four
 * sigaction calls: cheap enough for every open and close.
 */
void
golang_signals_watch (const char *when)
{
  size_t i;

  for (i = 0; i < NR_SHUTDOWN_SIGNALS; ++i) {
    struct sigaction now, restore;

    if (sigaction (shutdown_signals[i].sig, NULL, &now) == -1 ||
        now.sa_handler == saved_actions[i].sa_handler)
      continue;
    /* The Go runtime wants SA_ONSTACK on every handler: a signal can
     * arrive on one of its threads, whose stacks are small.
     */
    restore = saved_actions[i];
    restore.sa_flags |= SA_ONSTACK;
    if (sigaction (shutdown_signals[i].sig, &restore, NULL) == -1) {
      nbdkit_error ("%s: the library took over %s (found after %s) and "
                    "nbdkit's handler could not be restored: %m",
                    script, shutdown_signals[i].name, when);
      continue;
    }
    nbdkit_error ("%s: the library took over %s (found after %s; in Go, "
                  "signal.Notify or signal.Ignore); nbdkit needs %s to "
                  "shut down, so the loader restored nbdkit's handler",
                  script, shutdown_signals[i].name, when,
                  shutdown_signals[i].name);
  }
}
