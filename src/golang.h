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

/* Declarations shared by the files of the loader.  Nothing here is
 * visible to nbdkit or to the library: plugin.syms exports only
 * plugin_init and the -D golang.* debug flags.
 *
 * The files, each using only the files listed before it:
 *
 *   text.c      checking and printing the library's text; stdout
 *   progress.c  what the check process is doing, shared with nbdkit
 *   sha256.c    SHA-256, for source mode's cache keys
 *   source.c    source mode: script= naming Go source is built
 *   libfile.c   the library file: its path, opened once, checked
 *   report.c    the library's errors, and the trace
 *   threads.c   counting the threads that call into the library
 *   signals.c   nbdkit's shutdown signals stay nbdkit's
 *   crashlog.c  Go crash reports into nbdkit's log while serving
 *   password.c  passwords: read once, recorded, replayed
 *   host.c      the host table handed to the library
 *   load.c      dlopen, handshake, the table of callbacks (lib)
 *   config.c    the configuration and the configuration phase
 *   check.c     the check process, which runs that phase first
 *   plugin.c    nbdkit's callbacks and the registration table
 */

#ifndef NBDKIT_GOLANG_H
#define NBDKIT_GOLANG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nbdkitgo-abi.h"

/* text.c */
extern const char *golang_text_problem (const char *s);
extern void golang_print_escaped (const char *s, bool newlines);
extern int golang_stdout_divert (void);
extern void golang_stdout_restore (int saved);

/* progress.c: what the check process is doing, shared with nbdkit. */
#define GOLANG_PROGRESS_STEP_MAX 120
extern int golang_progress_start (void);
extern bool golang_progress_waiting_for_user (void);
extern void golang_progress_end (char *step, size_t len);
extern void golang_progress (const char *fmt, ...)
  __attribute__ ((format (printf, 1, 2)));
extern void golang_progress_waiting (bool waiting);

/* source.c: script= naming Go source (a .go file or a directory). */
extern int golang_debug_build;
extern int golang_source_config (char **script);
struct golang_source_info {
  const char *source;           /* the source's absolute path */
  const char *go;               /* the go command that built it */
  const char *go_version;
  const char *cache;            /* "hit", "built", ... */
};
extern bool golang_source_info (struct golang_source_info *info);
extern void golang_source_opened (void);
extern void golang_source_free (void);

/* libfile.c: the library file, open from .config on. */
extern char *script;            /* its absolute path */
extern int golang_library_open (const char *value);
extern const char *golang_library_path (void);
extern void golang_library_close (void);

/* report.c: the library's errors, and -D golang.trace=1. */
extern int golang_debug_trace;
extern int golang_report (const char *what, struct nbdkitgo_error *err);
extern int golang_errno (int errnum);
extern void golang_discard (const char *what, struct nbdkitgo_error *err);

/* Log a trace line when -D golang.trace=1. */
#define TRACE(fmt, ...)                                                 \
  do {                                                                  \
    if (golang_debug_trace)                                             \
      nbdkit_debug ("trace: " fmt, __VA_ARGS__);                        \
  } while (0)

/* threads.c: count the threads that call into the library.  Every
 * per-connection callback calls golang_thread_check on its way in.
 */
extern __thread bool golang_thread_counted
  __attribute__ ((tls_model ("initial-exec")));
extern void golang_threads_init (void *dl);
extern void golang_thread_new (void);
static inline void
golang_thread_check (void)
{
  if (__builtin_expect (!golang_thread_counted, 0))
    golang_thread_new ();
}

/* signals.c: nbdkit's shutdown signals stay nbdkit's. */
extern void golang_signals_save (void);
extern int golang_signals_check (void);
extern void golang_signals_watch (const char *when);

/* crashlog.c */
extern void golang_crashlog_start (void);

/* password.c: read once in the check process, replayed when serving. */
extern int golang_password_read (uint32_t phase, const char *value,
                                 char **password);
extern int golang_passwords_encode (char **buf, size_t *len);
extern int golang_passwords_decode (const char *buf, size_t len);
extern void golang_passwords_free (void);
extern void golang_wipe (void *p, size_t len);

/* host.c: the host table handed to the library. */
extern struct nbdkitgo_host golang_host;
extern void golang_host_init (uint32_t phase);

/* load.c */
/* The library as seen from this process: its dlopen handle, what it
 * said in the handshake, and one function pointer per callback.  A
 * plugin-level callback's pointer is NULL when the library does not
 * implement it; a connection callback's is NULL when the library does
 * not export it, and each connection says whether it has it
 * (struct golang_handle in plugin.c).  The whole table is generated
 * from NBDKITGO_CALLBACKS, as are the dlsym loop and the list printed
 * by --dump-plugin, so they cannot drift apart.
 */
struct golang_library {
  void *dl;                     /* NULL until loaded in this process */
  struct nbdkitgo_info info;    /* implemented: only bits of exports */
  uint64_t exported;            /* NBDKITGO_CB_BIT of every export found */
#define GOLANG_FIELD(name, NAME, ret, args) nbdkitgo_##name##_fn *name;
  NBDKITGO_CALLBACKS (GOLANG_FIELD)
#undef GOLANG_FIELD
};
extern struct golang_library lib;

extern int golang_load (uint32_t phase);

/* config.c: the configuration, and the configuration phase. */
extern int golang_config_record (const char *key, const char *value);
extern int golang_config_phase (uint32_t phase, int *model);
extern void golang_config_free (void);
extern const char *golang_thread_model_name (int model);

/* check.c */
extern int golang_check (int *thread_model);

#endif /* NBDKIT_GOLANG_H */
