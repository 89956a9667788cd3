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

/* nbdkit-golang-plugin: the nbdkit callbacks and the registration
 * table.  Every data callback has the same shape: one error struct on
 * the stack, one indirect call into the library, and on failure
 * golang_report, which calls nbdkit_error and nbdkit_set_error on
 * this thread.  No locks and no copies: the thread model the library
 * asked for is nbdkit's to enforce.
 *
 * Where the library lacks a callback, the loader does exactly what
 * nbdkit does for a C plugin that lacks it (server/plugins.c).
 */

#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <inttypes.h>
#include <string.h>
#include <errno.h>

#define NBDKIT_API_VERSION 2
#include <nbdkit-plugin.h>

#include "golang.h"
#include "cleanup.h"

/* The library's thread model, -1 until known: from the check process
 * (the serving process inherits it) or, for --dump-plugin, asked in
 * this process by dump_config_phase.  Both ways it has been validated
 * (golang_config_phase).
 */
static int thread_model = -1;

static void
golang_unload (void)
{
  if (lib.dl && lib.unload) {
    TRACE ("%s ()", "unload");
    lib.unload ();
  }
  /* The library is never dlclosed. */
  golang_config_free ();
  golang_library_close ();
}

static int
golang_config (const char *key, const char *value)
{
  return golang_config_record (key, value);
}

static int
golang_config_complete (void)
{
  if (script == NULL) {
    nbdkit_error ("you must give script=SOURCE (a .go file or a "
                  "directory of Go source) or script=LIBRARY (a library "
                  "built with go build -buildmode=c-shared), for example: "
                  "nbdkit golang ./disk.go size=1G");
    return -1;
  }

  if (golang_check (&thread_model) == -1)
    return -1;
  return 0;
}

/* Used when no check process has run: nbdkit --dump-plugin calls
 * .thread_model and .dump_plugin without .config_complete, and no
 * fork follows, so the configuration phase runs in this process,
 * once, with whatever the library prints sent to standard error.
 */
static int
dump_config_phase (void)
{
  int saved, r;

  if (lib.dl)
    return 0;
  saved = golang_stdout_divert ();
  r = golang_config_phase (NBDKITGO_PHASE_DUMP, &thread_model);
  golang_stdout_restore (saved);
  return r;
}

static int
golang_thread_model (void)
{
  if (thread_model == -1) {
    if (script == NULL)
      return NBDKIT_THREAD_MODEL_PARALLEL;
    if (dump_config_phase () == -1)
      exit (EXIT_FAILURE);
  }
  return thread_model;
}

static int
golang_get_ready (void)
{
  /* The check process has already called the library's get_ready;
   * the serving process calls it again in .after_fork.
   */
  return 0;
}

/* From here on this is the process that serves clients: load the
 * library for real and bring it to the same state as in the check
 * process, then call its after_fork.
 */
static int
golang_after_fork (void)
{
  struct nbdkitgo_error err = { 0 };
  int model, r;

  golang_crashlog_start ();
  if (golang_config_phase (NBDKITGO_PHASE_SERVE, &model) == -1)
    return -1;
  if (model != thread_model)
    nbdkit_debug ("golang: the library now asks for thread model %s, "
                  "but nbdkit already uses %s",
                  golang_thread_model_name (model),
                  golang_thread_model_name (thread_model));

  if (lib.after_fork) {
    r = lib.after_fork (&err);
    TRACE ("after_fork () = %d", r);
    if (r == -1)
      return golang_report ("after_fork", &err);
  }
  return golang_signals_check ();
}

static void
golang_cleanup (void)
{
  if (lib.dl && lib.cleanup) {
    TRACE ("%s ()", "cleanup");
    lib.cleanup ();
  }
}

/* Print a key=value line; a value with newlines would break the
 * format, so they become spaces, and control characters are escaped.
 */
static void
dump_line (const char *key, const char *value)
{
  printf ("%s=", key);
  golang_print_escaped (value, false);
  putchar ('\n');
}

/* Print a text of several lines as one key=value line per line of
 * text, so that the output stays in --dump-plugin's format.  nbdkit
 * prints --help before any library is loaded, so this is the only
 * place where the library's help for its parameters can be shown.
 */
static void
dump_lines (const char *key, const char *text)
{
  const char *p = text;

  while (*p) {
    size_t n = strcspn (p, "\n");
    CLEANUP_FREE char *line = strndup (p, n);

    if (line)
      dump_line (key, line);
    p += n;
    if (*p == '\n')
      p++;
  }
}

static void
golang_dump_plugin (void)
{
  struct nbdkitgo_error err = { 0 };
  struct golang_source_info source;
  CLEANUP_FREE char *s = NULL;
  const char *sep = "";

  printf ("golang_abi_version=%d\n", NBDKITGO_ABI_VERSION);
  printf ("golang_loader_version=%s\n", PACKAGE_VERSION);
  if (script == NULL)
    return;

  if (dump_config_phase () == -1)
    exit (EXIT_FAILURE);

  if (golang_source_info (&source)) {
    dump_line ("golang_source", source.source);
    dump_line ("golang_build_go", source.go);
    dump_line ("golang_build_go_version", source.go_version);
    dump_line ("golang_build_cache", source.cache);
  }
  dump_line ("golang_library", script);
  if (lib.info.runtime_version)
    dump_line ("golang_runtime_version", lib.info.runtime_version);
  if (lib.info.name)
    dump_line ("golang_plugin_name", lib.info.name);
  if (lib.info.longname)
    dump_line ("golang_plugin_longname", lib.info.longname);
  if (lib.info.version)
    dump_line ("golang_plugin_version", lib.info.version);
  if (lib.info.description)
    dump_line ("golang_plugin_description", lib.info.description);
  if (lib.info.config_help)
    dump_lines ("golang_plugin_config_help", lib.info.config_help);
  printf ("golang_thread_model=%s\n",
          golang_thread_model_name (thread_model));

  printf ("golang_callbacks=");
#define GOLANG_DUMP(name, NAME, ret, args)                      \
  if (lib.info.implemented & NBDKITGO_CB_BIT (NAME)) {          \
    printf ("%s%s", sep, #name);                \
    sep = ",";                                  \
  }
  NBDKITGO_CALLBACKS (GOLANG_DUMP)
#undef GOLANG_DUMP
  printf ("\n");

  if (lib.dump_plugin) {
    int saved = golang_stdout_divert ();

    s = lib.dump_plugin (&err);
    golang_stdout_restore (saved);
    TRACE ("dump_plugin () = %s", s ? "(string)" : "NULL");
    if (s == NULL && (err.msg || err.errnum)) {
      golang_report ("dump_plugin", &err);
      exit (EXIT_FAILURE);
    }
    if (s && *s) {
      golang_print_escaped (s, true);
      if (s[strlen (s) - 1] != '\n')
        printf ("\n");
    }
  }
}

static int
golang_preconnect (int readonly)
{
  struct nbdkitgo_error err = { 0 };
  int r;

  if (!lib.preconnect)
    return 0;
  golang_thread_check ();
  r = lib.preconnect (readonly, &err);
  TRACE ("preconnect (readonly=%d) = %d", readonly, r);
  if (r == -1)
    return golang_report ("preconnect", &err);
  return 0;
}

static int
golang_list_exports (int readonly, int is_tls, struct nbdkit_exports *exports)
{
  struct nbdkitgo_error err = { 0 };
  int r;

  if (!lib.list_exports)
    return nbdkit_use_default_export (exports);
  golang_thread_check ();
  r = lib.list_exports (readonly, is_tls, exports, &err);
  TRACE ("list_exports (readonly=%d, is_tls=%d) = %d", readonly, is_tls, r);
  if (r == -1)
    return golang_report ("list_exports", &err);
  return 0;
}

static const char *
golang_default_export (int readonly, int is_tls)
{
  struct nbdkitgo_error err = { 0 };
  CLEANUP_FREE char *s = NULL;
  const char *problem;

  if (!lib.default_export)
    return "";
  golang_thread_check ();
  s = lib.default_export (readonly, is_tls, &err);
  TRACE ("default_export (readonly=%d, is_tls=%d) = %s",
         readonly, is_tls, s ? s : "NULL");
  if (s == NULL) {
    golang_report ("default_export", &err);
    return NULL;
  }
  if ((problem = golang_text_problem (s)) != NULL) {
    nbdkit_error ("%s: default_export: refused the export name: %s",
                  script, problem);
    return NULL;
  }
  return nbdkit_strdup_intern (s);
}

/* One client connection: the library's handle and which callbacks
 * this connection has.  nbdkit's handle points to it.  It is written
 * only while the connection is being set up (open, then the can_*
 * callbacks that nbdkit calls during the handshake, before any
 * request), so the request path reads it without a lock.
 */
struct golang_handle {
  uintptr_t h;                  /* the library's handle, never 0 */
  uint64_t implemented;         /* NBDKITGO_CB_BIT per callback it has */
  int can_zero;                 /* what can_zero returned; -1 unknown */
  bool fast_zero;               /* FAST_ZERO requests reach the library */
};

#define HANDLE(handle) ((struct golang_handle *) (handle))
/* Every per-connection callback passes its handle through H on its way
 * into the library, which also counts the calling thread (threads.c).
 */
#define H(handle) (golang_thread_check (), HANDLE (handle)->h)
#define HAS(handle, NAME) \
  ((HANDLE (handle)->implemented & NBDKITGO_CB_BIT (NAME)) != 0)

static void *
golang_open (int readonly)
{
  struct nbdkitgo_error err = { 0 };
  uint64_t implemented = lib.info.implemented;
  uintptr_t h = 0;
  struct golang_handle *c;
  int r;

  golang_thread_check ();
  r = lib.open (readonly, &h, &implemented, &err);
  TRACE ("open (readonly=%d) = %d, handle=%#" PRIxPTR
         ", implemented=%#" PRIx64, readonly, r, h, implemented);
  golang_signals_watch ("open");
  if (r == -1) {
    golang_report ("open", &err);
    return NULL;
  }
  if (h == 0) {
    nbdkit_error ("%s: open returned handle 0, which is never valid",
                  script);
    return NULL;
  }
  c = malloc (sizeof *c);
  if (c == NULL) {
    nbdkit_error ("malloc: %m");
    if (implemented & lib.exported & NBDKITGO_CB_BIT (CLOSE))
      lib.close (h);
    return NULL;
  }
  c->h = h;
  /* Only connection callbacks that the library exports; the required
   * ones cannot be cleared.
   */
  c->implemented = (implemented & lib.exported & NBDKITGO_CB_CONNECTION_MASK)
    | NBDKITGO_CB_BIT (GET_SIZE) | NBDKITGO_CB_BIT (PREAD);
  c->can_zero = -1;
  c->fast_zero = false;
  return c;
}

static void
golang_close (void *handle)
{
  TRACE ("close (h=%#" PRIxPTR ")", H (handle));
  if (HAS (handle, CLOSE))
    lib.close (H (handle));
  free (handle);
  golang_signals_watch ("close");
}

static const char *
golang_export_description (void *handle)
{
  struct nbdkitgo_error err = { 0 };
  CLEANUP_FREE char *s = NULL;
  const char *problem;

  if (!HAS (handle, EXPORT_DESCRIPTION))
    return NULL;
  s = lib.export_description (H (handle), &err);
  TRACE ("export_description (h=%#" PRIxPTR ") = %s",
         H (handle), s ? s : "NULL");
  if (s == NULL) {
    /* NULL without an error means "no description". */
    if (err.msg || err.errnum)
      golang_report ("export_description", &err);
    return NULL;
  }
  if ((problem = golang_text_problem (s)) != NULL) {
    nbdkit_error ("%s: export_description: the description is not sent "
                  "to the client: %s", script, problem);
    return NULL;
  }
  return nbdkit_strdup_intern (s);
}

static int64_t
golang_get_size (void *handle)
{
  struct nbdkitgo_error err = { 0 };
  int64_t r;

  r = lib.get_size (H (handle), &err);
  TRACE ("get_size (h=%#" PRIxPTR ") = %" PRIi64, H (handle), r);
  if (r == -1)
    return golang_report ("get_size", &err);
  if (r < 0) {
    nbdkit_error ("%s: get_size returned a negative size (%" PRIi64 ")",
                  script, r);
    return -1;
  }
  return r;
}

static int
is_power_of_2 (uint32_t v)
{
  return v && (v & (v - 1)) == 0;
}

static int
golang_block_size (void *handle,
                   uint32_t *minimum, uint32_t *preferred, uint32_t *maximum)
{
  struct nbdkitgo_error err = { 0 };
  int r;

  *minimum = *preferred = *maximum = 0;
  if (!HAS (handle, BLOCK_SIZE))
    return 0;
  r = lib.block_size (H (handle), minimum, preferred, maximum, &err);
  TRACE ("block_size (h=%#" PRIxPTR ") = %d, minimum=%" PRIu32
         " preferred=%" PRIu32 " maximum=%" PRIu32,
         H (handle), r, *minimum, *preferred, *maximum);
  if (r == -1)
    return golang_report ("block_size", &err);

  /* nbdkit checks these rules too; checking here names the library. */
  if (*minimum == 0 && *preferred == 0 && *maximum == 0)
    return 0;
  if (!is_power_of_2 (*minimum) || *minimum > 65536 ||
      !is_power_of_2 (*preferred) ||
      *preferred < 512 || *preferred > 32 * 1024 * 1024 ||
      *minimum > *preferred || *preferred > *maximum ||
      (*maximum != UINT32_MAX && *maximum % *minimum != 0)) {
    nbdkit_error ("%s: block_size returned invalid sizes: minimum=%" PRIu32
                  " preferred=%" PRIu32 " maximum=%" PRIu32 " (the rules: "
                  "all 0 for no information; else minimum a power of 2 "
                  "from 1 to 64K, preferred a power of 2 from 512 to 32M, "
                  "minimum <= preferred <= maximum, maximum a multiple of "
                  "minimum or 0xffffffff)",
                  script, *minimum, *preferred, *maximum);
    return -1;
  }
  return 0;
}

/* Every can_* callback: the library's answer if the connection has
 * the callback (cb), checked to lie in [0, max] (max 1: a boolean, and
 * any non-zero answer means 1), else dflt, nbdkit's default for a C
 * plugin without it (server/plugins.c).
 */
static int
golang_can (void *handle, enum nbdkitgo_callback cb, const char *name,
            nbdkitgo_can_write_fn *fn, int max, int dflt)
{
  struct nbdkitgo_error err = { 0 };
  int r;

  if ((HANDLE (handle)->implemented & (UINT64_C (1) << cb)) == 0) {
    TRACE ("%s (h=%#" PRIxPTR ") = %d (default)", name, H (handle), dflt);
    return dflt;
  }
  r = fn (H (handle), &err);
  TRACE ("%s (h=%#" PRIxPTR ") = %d", name, H (handle), r);
  if (r == -1)
    return golang_report (name, &err);
  if (max == 1)
    return r != 0;
  if (r < 0 || r > max) {
    nbdkit_error ("%s: %s returned an invalid value (%d); it must be "
                  "from 0 to %d (the NBDKITGO_* constants)",
                  script, name, r, max);
    return -1;
  }
  return r;
}

#define GOLANG_CAN(handle, NAME, name, max, dflt) \
  golang_can ((handle), NBDKITGO_CB_##NAME, #name, lib.name, (max), (dflt))

static int
golang_can_write (void *handle)
{
  return GOLANG_CAN (handle, CAN_WRITE, can_write, 1, HAS (handle, PWRITE));
}

static int
golang_can_flush (void *handle)
{
  return GOLANG_CAN (handle, CAN_FLUSH, can_flush, 1, HAS (handle, FLUSH));
}

static int
golang_is_rotational (void *handle)
{
  return GOLANG_CAN (handle, IS_ROTATIONAL, is_rotational, 1, 0);
}

static int
golang_can_trim (void *handle)
{
  return GOLANG_CAN (handle, CAN_TRIM, can_trim, 1, HAS (handle, TRIM));
}

static int
golang_can_zero (void *handle)
{
  int r = GOLANG_CAN (handle, CAN_ZERO, can_zero, 1, HAS (handle, ZERO));

  HANDLE (handle)->can_zero = r;
  return r;
}

/* Fast zero, the same rule for every library.  nbdkit (up to 1.48 at
 * least) aborts on a FAST_ZERO request to a connection that did not
 * advertise fast zero, and clients may send one anyway.  So the
 * loader always advertises fast zero, and a FAST_ZERO request that
 * this connection cannot do fast fails at once with ENOTSUP, as the
 * NBD protocol allows (golang_zero).  Whether the connection can is
 * nbdkit's rule for a C plugin: its can_fast_zero if it has one;
 * else yes if it has no zero or can_zero says no (nbdkit then fails
 * the request at once itself), and no otherwise.
 */
static int
golang_can_fast_zero (void *handle)
{
  struct golang_handle *c = HANDLE (handle);
  int dflt = 1, r;

  if (HAS (handle, ZERO)) {
    if (c->can_zero == -1 && golang_can_zero (handle) == -1)
      return -1;
    dflt = !c->can_zero;
  }
  r = GOLANG_CAN (handle, CAN_FAST_ZERO, can_fast_zero, 1, dflt);
  if (r == -1)
    return -1;
  c->fast_zero = r;
  return 1;
}

static int
golang_can_fua (void *handle)
{
  return GOLANG_CAN (handle, CAN_FUA, can_fua, NBDKIT_FUA_NATIVE,
                     HAS (handle, FLUSH) ? NBDKIT_FUA_EMULATE : NBDKIT_FUA_NONE);
}

static int
golang_can_multi_conn (void *handle)
{
  return GOLANG_CAN (handle, CAN_MULTI_CONN, can_multi_conn, 1, 0);
}

static int
golang_can_extents (void *handle)
{
  return GOLANG_CAN (handle, CAN_EXTENTS, can_extents, 1,
                     HAS (handle, EXTENTS));
}

static int
golang_can_cache (void *handle)
{
  return GOLANG_CAN (handle, CAN_CACHE, can_cache, NBDKIT_CACHE_NATIVE,
                     HAS (handle, CACHE) ? NBDKIT_CACHE_NATIVE
                     : NBDKIT_CACHE_NONE);
}

#undef GOLANG_CAN

static int
golang_pread (void *handle, void *buf, uint32_t count, uint64_t offset,
              uint32_t flags)
{
  struct nbdkitgo_error err = { 0 };
  int r;

  r = lib.pread (H (handle), buf, count, offset, flags, &err);
  TRACE ("pread (h=%#" PRIxPTR ", count=%" PRIu32 ", offset=%" PRIu64
         ", flags=%#" PRIx32 ") = %d", H (handle), count, offset, flags, r);
  if (r == -1)
    return golang_report ("pread", &err);
  return 0;
}

static int
golang_pwrite (void *handle, const void *buf, uint32_t count, uint64_t offset,
               uint32_t flags)
{
  struct nbdkitgo_error err = { 0 };
  int r;

  if (!HAS (handle, PWRITE)) {
    /* As nbdkit does when can_write says yes but there is no pwrite. */
    nbdkit_set_error (EROFS);
    return -1;
  }
  /* The ABI's pwrite takes a non-const pointer (cgo cannot express
   * const); the library must not write to it.
   */
  r = lib.pwrite (H (handle), (void *) buf, count, offset, flags, &err);
  TRACE ("pwrite (h=%#" PRIxPTR ", count=%" PRIu32 ", offset=%" PRIu64
         ", flags=%#" PRIx32 ") = %d", H (handle), count, offset, flags, r);
  if (r == -1)
    return golang_report ("pwrite", &err);
  return 0;
}

static int
golang_flush (void *handle, uint32_t flags)
{
  struct nbdkitgo_error err = { 0 };
  int r;

  if (!HAS (handle, FLUSH)) {
    nbdkit_set_error (EINVAL);
    return -1;
  }
  r = lib.flush (H (handle), flags, &err);
  TRACE ("flush (h=%#" PRIxPTR ", flags=%#" PRIx32 ") = %d",
         H (handle), flags, r);
  if (r == -1)
    return golang_report ("flush", &err);
  return 0;
}

static int
golang_trim (void *handle, uint32_t count, uint64_t offset, uint32_t flags)
{
  struct nbdkitgo_error err = { 0 };
  int r;

  if (!HAS (handle, TRIM)) {
    nbdkit_set_error (EINVAL);
    return -1;
  }
  r = lib.trim (H (handle), count, offset, flags, &err);
  TRACE ("trim (h=%#" PRIxPTR ", count=%" PRIu32 ", offset=%" PRIu64
         ", flags=%#" PRIx32 ") = %d", H (handle), count, offset, flags, r);
  if (r == -1)
    return golang_report ("trim", &err);
  return 0;
}

static int
golang_zero (void *handle, uint32_t count, uint64_t offset, uint32_t flags)
{
  struct nbdkitgo_error err = { 0 };
  int r;

  if (!HAS (handle, ZERO)) {
    /* nbdkit falls back to pwrite (or fails a fast zero). */
    nbdkit_set_error (EOPNOTSUPP);
    return -1;
  }
  if ((flags & NBDKIT_FLAG_FAST_ZERO) && !HANDLE (handle)->fast_zero) {
    /* The fast-zero rule: see golang_can_fast_zero. */
    TRACE ("zero (h=%#" PRIxPTR ", count=%" PRIu32 ", offset=%" PRIu64
           ", flags=%#" PRIx32 ") = -1 (no fast zero: ENOTSUP)",
           H (handle), count, offset, flags);
    nbdkit_set_error (ENOTSUP);
    return -1;
  }
  r = lib.zero (H (handle), count, offset, flags, &err);
  TRACE ("zero (h=%#" PRIxPTR ", count=%" PRIu32 ", offset=%" PRIu64
         ", flags=%#" PRIx32 ") = %d", H (handle), count, offset, flags, r);
  if (r == -1) {
    /* EOPNOTSUPP asks nbdkit to fall back to pwrite: no message. */
    if (err.errnum == EOPNOTSUPP || err.errnum == ENOTSUP) {
      free (err.msg);
      nbdkit_set_error (err.errnum);
      return -1;
    }
    return golang_report ("zero", &err);
  }
  return 0;
}

static int
golang_extents (void *handle, uint32_t count, uint64_t offset, uint32_t flags,
                struct nbdkit_extents *extents)
{
  struct nbdkitgo_error err = { 0 };
  int r;

  if (!HAS (handle, EXTENTS)) {
    nbdkit_set_error (EINVAL);
    return -1;
  }
  r = lib.extents (H (handle), count, offset, flags, extents, &err);
  TRACE ("extents (h=%#" PRIxPTR ", count=%" PRIu32 ", offset=%" PRIu64
         ", flags=%#" PRIx32 ") = %d", H (handle), count, offset, flags, r);
  if (r == -1)
    return golang_report ("extents", &err);
  return 0;
}

static int
golang_cache (void *handle, uint32_t count, uint64_t offset, uint32_t flags)
{
  struct nbdkitgo_error err = { 0 };
  int r;

  if (!HAS (handle, CACHE))
    return 0;
  r = lib.cache (H (handle), count, offset, flags, &err);
  TRACE ("cache (h=%#" PRIxPTR ", count=%" PRIu32 ", offset=%" PRIu64
         ", flags=%#" PRIx32 ") = %d", H (handle), count, offset, flags, r);
  if (r == -1)
    return golang_report ("cache", &err);
  return 0;
}

#define golang_config_help \
  "script=<SOURCE>      (required) The plugin's Go source: a .go file\n" \
  "                     or a directory, built (and cached) before\n" \
  "                     serving; or its library, built with\n" \
  "script=<LIBRARY>     go build -buildmode=c-shared (or any library\n" \
  "                     implementing nbdkitgo-abi.h).  Can be given\n" \
  "                     as the first bare parameter.\n" \
  "[KEY=VALUE...]       Every other parameter goes to the library.\n" \
  "Run: nbdkit golang LIBRARY --dump-plugin  for the library's details."

static struct nbdkit_plugin plugin = {
  .name               = "golang",
  .longname           = "nbdkit Go plugin loader",
  .version            = PACKAGE_VERSION,
  .description        = "Serve a plugin written in Go (its source, or a "
                        "library built with go build -buildmode=c-shared).",
  .unload             = golang_unload,
  .config             = golang_config,
  .config_complete    = golang_config_complete,
  .config_help        = golang_config_help,
  .magic_config_key   = "script",
  .thread_model       = golang_thread_model,
  .get_ready          = golang_get_ready,
  .after_fork         = golang_after_fork,
  .cleanup            = golang_cleanup,
  .dump_plugin        = golang_dump_plugin,
  .preconnect         = golang_preconnect,
  .list_exports       = golang_list_exports,
  .default_export     = golang_default_export,
  .open               = golang_open,
  .close              = golang_close,
  .export_description = golang_export_description,
  .get_size           = golang_get_size,
  .block_size         = golang_block_size,
  .can_write          = golang_can_write,
  .can_flush          = golang_can_flush,
  .is_rotational      = golang_is_rotational,
  .can_trim           = golang_can_trim,
  .can_zero           = golang_can_zero,
  .can_fast_zero      = golang_can_fast_zero,
  .can_fua            = golang_can_fua,
  .can_multi_conn     = golang_can_multi_conn,
  .can_extents        = golang_can_extents,
  .can_cache          = golang_can_cache,
  .pread              = golang_pread,
  .pwrite             = golang_pwrite,
  .flush              = golang_flush,
  .trim               = golang_trim,
  .zero               = golang_zero,
  .extents            = golang_extents,
  .cache              = golang_cache,
  /* errno_is_preserved = 0: errors travel in struct nbdkitgo_error and
   * reach nbdkit through nbdkit_set_error.
   */
};

#define THREAD_MODEL NBDKIT_THREAD_MODEL_PARALLEL
NBDKIT_REGISTER_PLUGIN (plugin)
