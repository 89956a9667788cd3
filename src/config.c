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

/* The configuration, and the configuration phase that gives it to
 * the library.
 *
 * .config records the keys in nbdkit's process, where no library code
 * may run (a Go runtime must never be forked).  The configuration
 * phase then runs in every process that loads the library, the same
 * way: load it, replay the configuration (load, config for each key,
 * config_complete), ask for the thread model, call get_ready.  The
 * check process runs it first (check.c), the serving process again
 * after nbdkit has forked, and --dump-plugin runs as much of it as
 * nbdkit runs for a C plugin: load and config, then the thread model.
 *
 * It runs where the configuration was given.  nbdkit changes
 * directory to / when it forks into the background, so by the time
 * the serving process replays the configuration a relative path such
 * as file=disk.img would name a different file than the one the user
 * meant (and than the check process saw).  A C plugin resolves such
 * paths in .config, before the fork; to give the library the same
 * view, the directory nbdkit started in is kept open and the phase
 * runs there.  And the library may not take over nbdkit's shutdown
 * signals while it runs (signals.c).
 */

#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#define NBDKIT_API_VERSION 2
#include <nbdkit-plugin.h>

#include "golang.h"

/* The key=value pairs after script=, in order. */
static size_t nr_config;
static char **config_keys;
static char **config_values;

/* The directory nbdkit was started in, or -1. */
static int start_dir = -1;
/* Where the process was before startdir_enter, or -1. */
static int saved_dir = -1;

/* Called from .config with script=, before nbdkit can fork. */
static void
startdir_save (void)
{
  if (start_dir >= 0)
    return;
  start_dir = open (".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (start_dir == -1)
    /* Not fatal: absolute paths still work, relative ones resolve
     * against wherever nbdkit is by then.
     */
    nbdkit_debug ("golang: cannot open the current directory: %m; "
                  "relative paths in parameters may not work after "
                  "nbdkit forks");
}

/* Change to the directory nbdkit was started in, remembering where
 * the process is now.
 */
static int
startdir_enter (void)
{
  if (start_dir == -1)
    return 0;
  saved_dir = open (".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (saved_dir == -1) {
    nbdkit_error ("open: current directory: %m");
    return -1;
  }
  if (fchdir (start_dir) == -1) {
    nbdkit_error ("fchdir: the directory nbdkit was started in: %m");
    close (saved_dir);
    saved_dir = -1;
    return -1;
  }
  return 0;
}

/* Go back to where startdir_enter found the process, and
 * let go of the start directory (so that it does not keep a mount
 * busy while the daemon runs).
 */
static void
startdir_leave (void)
{
  if (saved_dir >= 0) {
    if (fchdir (saved_dir) == -1)
      nbdkit_debug ("golang: fchdir back: %m");
    close (saved_dir);
    saved_dir = -1;
  }
  if (start_dir >= 0) {
    close (start_dir);
    start_dir = -1;
  }
}

/* .config: script= first, which opens the library file; every other
 * key is recorded, in order, for the configuration phase.
 */
int
golang_config_record (const char *key, const char *value)
{
  char **keys, **values;

  if (strcmp (key, "script") == 0) {
    if (script) {
      nbdkit_error ("script= given twice: %s and %s "
                    "(only one library can be served)", script, value);
      return -1;
    }
    if (nr_config > 0) {
      nbdkit_error ("script=%s must come first, before %s=%s",
                    value, config_keys[0], config_values[0]);
      return -1;
    }
    if (golang_library_open (value) == -1)
      return -1;
    startdir_save ();
    return 0;
  }

  if (script == NULL) {
    nbdkit_error ("the first parameter must be script=SOURCE or "
                  "script=LIBRARY (the plugin's Go source or its built "
                  "library), but got %s=%s", key, value);
    return -1;
  }

  /* Recorded now, passed to the library later (no library code runs
   * in nbdkit's own process before it forks).
   */
  keys = realloc (config_keys, (nr_config + 1) * sizeof *keys);
  if (keys == NULL) {
    nbdkit_error ("realloc: %m");
    return -1;
  }
  config_keys = keys;
  values = realloc (config_values, (nr_config + 1) * sizeof *values);
  if (values == NULL) {
    nbdkit_error ("realloc: %m");
    return -1;
  }
  config_values = values;
  config_keys[nr_config] = strdup (key);
  config_values[nr_config] = strdup (value);
  if (config_keys[nr_config] == NULL || config_values[nr_config] == NULL) {
    nbdkit_error ("strdup: %m");
    free (config_keys[nr_config]);
    free (config_values[nr_config]);
    return -1;
  }
  nr_config++;
  return 0;
}

/* .unload: forget the configuration, the start directory and the
 * passwords that the configuration phase read.
 */
void
golang_config_free (void)
{
  size_t i;

  startdir_leave ();
  golang_passwords_free ();
  for (i = 0; i < nr_config; ++i) {
    free (config_keys[i]);
    free (config_values[i]);
  }
  free (config_keys);
  free (config_values);
  config_keys = config_values = NULL;
  nr_config = 0;
}

/* A thread model's name, as nbdkit --dump-plugin prints it. */
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

/* Call the library's load and config for every recorded key, then
 * (if complete) config_complete.
 */
static int
config_replay (bool complete)
{
  struct nbdkitgo_error err = { 0 };
  size_t i;
  int r;

  if (lib.load) {
    golang_progress ("load");
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
    golang_progress ("config (key %s)", config_keys[i]);
    r = lib.config (config_keys[i], config_values[i], &err);
    TRACE ("config (key=%s, value=%s) = %d",
           config_keys[i], config_values[i], r);
    if (r == -1)
      return golang_report ("config", &err);
    golang_discard ("config", &err);
  }

  if (complete && lib.config_complete) {
    golang_progress ("config_complete");
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
static int
config_thread_model (int *model)
{
  struct nbdkitgo_error err = { 0 };
  int r;

  if (lib.thread_model == NULL) {
    *model = NBDKITGO_THREAD_MODEL_SERIALIZE_ALL_REQUESTS;
    return 0;
  }

  golang_progress ("thread_model");
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

static int
config_get_ready (void)
{
  struct nbdkitgo_error err = { 0 };
  int r;

  if (lib.get_ready == NULL)
    return 0;
  golang_progress ("get_ready");
  r = lib.get_ready (&err);
  TRACE ("get_ready () = %d", r);
  if (r == -1)
    return golang_report ("get_ready", &err);
  return 0;
}

/* The configuration phase, in this process, for PHASE (which run this
 * is: NBDKITGO_PHASE_CHECK, _SERVE or _DUMP).  On success *MODEL is
 * the thread model the library asked for, checked.  In the serving
 * process the passwords that the check process read are no longer
 * needed afterwards, and are wiped.
 */
int
golang_config_phase (uint32_t phase, int *model)
{
  bool dump = phase == NBDKITGO_PHASE_DUMP;
  int r;

  if (!dump)
    golang_signals_save ();
  if (startdir_enter () == -1)
    return -1;
  golang_progress ("loading the library (dlopen, the Go runtime, package "
                   "init functions and nbdkitgo_init)");
  r = golang_load (phase);
  if (r == 0)
    r = config_replay (!dump);
  if (r == 0)
    r = config_thread_model (model);
  if (r == 0 && !dump)
    r = config_get_ready ();
  startdir_leave ();
  if (phase == NBDKITGO_PHASE_SERVE)
    golang_passwords_free ();
  if (r == 0 && !dump)
    r = golang_signals_check ();
  return r;
}
