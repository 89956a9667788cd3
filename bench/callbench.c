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

/* callbench: nanoseconds per forwarded call, measured without a network
 * or a server in the way.
 *
 * Two modes:
 *
 *   callbench direct LIB [key=value ...]
 *     dlopens a library that implements the nbdkitgo ABI (a Go
 *     -buildmode=c-shared library, or a C one), performs the handshake
 *     and the configuration sequence, opens one connection and calls
 *     nbdkitgo_pread in a loop: the cost of the C -> library (-> Go)
 *     transition and of the library's own dispatch.
 *
 *   callbench loader PLUGIN LIB [key=value ...]
 *     plays nbdkit: this program defines the nbdkit_* functions a
 *     plugin calls (exported with -rdynamic), dlopens
 *     nbdkit-golang-plugin.so, calls plugin_init and then drives the
 *     plugin struct exactly as nbdkit does (load, config script=LIB,
 *     config..., config_complete, thread_model, get_ready, after_fork,
 *     open, pread): C caller -> loader -> library -> back.
 *
 * Options (before the mode): -d MS duration of each measurement,
 * -c BYTES per pread, -t LIST of thread counts (default 1,2,16).
 * All threads share one connection handle, as nbdkit's worker threads
 * do.  Output: one CSV line per thread count:
 *   mode,threads,calls,elapsed_ns,ns_per_call,cpu_ns_per_call
 * where ns_per_call is wall time divided by the total number of calls
 * made by all threads (an aggregate cost: on 2 cores, 16 threads can
 * at best halve it), and cpu_ns_per_call is the CPU time of the whole
 * process (every thread, the Go runtime's included) per call, which
 * other load on the machine disturbs much less.
 */

#define _GNU_SOURCE 1

#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>
#include <errno.h>
#include <limits.h>
#include <time.h>
#include <unistd.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>

#define NBDKIT_API_VERSION 2
#include <nbdkit-plugin.h>

#include "nbdkitgo-abi.h"

/* ---------------------------------------------------------------- */
/* The nbdkit side: functions a plugin may call.                     */

void
nbdkit_verror (const char *fs, va_list args)
{
  fprintf (stderr, "callbench: error: ");
  vfprintf (stderr, fs, args);
  fprintf (stderr, "\n");
}

void
nbdkit_error (const char *fs, ...)
{
  va_list args;

  va_start (args, fs);
  nbdkit_verror (fs, args);
  va_end (args);
}

static bool verbose;

void
nbdkit_vdebug (const char *fs, va_list args)
{
  if (!verbose)
    return;
  fprintf (stderr, "callbench: debug: ");
  vfprintf (stderr, fs, args);
  fprintf (stderr, "\n");
}

void
nbdkit_debug (const char *fs, ...)
{
  va_list args;

  va_start (args, fs);
  nbdkit_vdebug (fs, args);
  va_end (args);
}

void
nbdkit_set_error (int err)
{
  (void) err;
}

char *
nbdkit_absolute_path (const char *path)
{
  char *r;

  if (path[0] == '/')
    return strdup (path);
  if (asprintf (&r, "%s/%s", getcwd (NULL, 0), path) == -1)
    return NULL;
  return r;
}

char *
nbdkit_realpath (const char *path)
{
  return realpath (path, NULL);
}

int64_t
nbdkit_parse_size (const char *str)
{
  char *end;
  long long n;
  int shift = 0;

  errno = 0;
  n = strtoll (str, &end, 10);
  if (errno || end == str || n < 0) {
    nbdkit_error ("could not parse size string (%s)", str);
    return -1;
  }
  switch (*end) {
  case '\0': case 'b': case 'B': break;
  case 'k': case 'K': shift = 10; break;
  case 'm': case 'M': shift = 20; break;
  case 'g': case 'G': shift = 30; break;
  case 't': case 'T': shift = 40; break;
  default:
    nbdkit_error ("could not parse size string (%s)", str);
    return -1;
  }
  return (int64_t) n << shift;
}

int
nbdkit_parse_bool (const char *str)
{
  if (!strcmp (str, "1") || !strcasecmp (str, "true") ||
      !strcasecmp (str, "on") || !strcasecmp (str, "yes"))
    return 1;
  if (!strcmp (str, "0") || !strcasecmp (str, "false") ||
      !strcasecmp (str, "off") || !strcasecmp (str, "no"))
    return 0;
  nbdkit_error ("could not decipher boolean (%s)", str);
  return -1;
}

/* The integer parsers: enough for a benchmark, range checked. */
#define PARSE_INT(name, type, min, max)                                 \
  int                                                                   \
  nbdkit_parse_##name (const char *what, const char *str, type *r)      \
  {                                                                     \
    char *end;                                                          \
    long long n;                                                        \
                                                                        \
    errno = 0;                                                          \
    n = strtoll (str, &end, 0);                                         \
    if (errno || end == str || *end || n < (long long) (min) ||         \
        (max > 0 && (unsigned long long) n > (unsigned long long) (max))) { \
      nbdkit_error ("%s: could not parse number: %s", what, str);       \
      return -1;                                                        \
    }                                                                   \
    if (r)                                                              \
      *r = (type) n;                                                    \
    return 0;                                                           \
  }
PARSE_INT (int, int, INT_MIN, INT_MAX)
PARSE_INT (unsigned, unsigned, 0, UINT_MAX)
PARSE_INT (int8_t, int8_t, INT8_MIN, INT8_MAX)
PARSE_INT (uint8_t, uint8_t, 0, UINT8_MAX)
PARSE_INT (int16_t, int16_t, INT16_MIN, INT16_MAX)
PARSE_INT (uint16_t, uint16_t, 0, UINT16_MAX)
PARSE_INT (int32_t, int32_t, INT32_MIN, INT32_MAX)
PARSE_INT (uint32_t, uint32_t, 0, UINT32_MAX)
PARSE_INT (int64_t, int64_t, INT64_MIN, INT64_MAX)
PARSE_INT (uint64_t, uint64_t, 0, 0)

int
nbdkit_stdio_safe (void)
{
  return 1;
}

int
nbdkit_read_password (const char *value, char **password)
{
  *password = strdup (value);
  return *password ? 0 : -1;
}

int
nbdkit_nanosleep (unsigned sec, unsigned nsec)
{
  struct timespec ts = { .tv_sec = sec, .tv_nsec = nsec };

  return nanosleep (&ts, NULL);
}

int
nbdkit_peer_name (struct sockaddr *addr, socklen_t *addrlen)
{
  (void) addr; (void) addrlen;
  nbdkit_error ("no peer in callbench");
  return -1;
}

int64_t nbdkit_peer_pid (void) { return getpid (); }
int64_t nbdkit_peer_uid (void) { return getuid (); }
int64_t nbdkit_peer_gid (void) { return getgid (); }
void nbdkit_shutdown (void) { }
const char *nbdkit_export_name (void) { return ""; }
int nbdkit_is_tls (void) { return 0; }

const char *
nbdkit_strdup_intern (const char *str)
{
  return strdup (str);            /* leaks: the process is short-lived */
}

const char *
nbdkit_strndup_intern (const char *str, size_t n)
{
  return strndup (str, n);
}

const char *
nbdkit_vprintf_intern (const char *fs, va_list args)
{
  char *r;

  if (vasprintf (&r, fs, args) == -1)
    return NULL;
  return r;
}

const char *
nbdkit_printf_intern (const char *fs, ...)
{
  va_list args;
  const char *r;

  va_start (args, fs);
  r = nbdkit_vprintf_intern (fs, args);
  va_end (args);
  return r;
}

int
nbdkit_add_extent (struct nbdkit_extents *e, uint64_t offset,
                   uint64_t length, uint32_t type)
{
  (void) e; (void) offset; (void) length; (void) type;
  return 0;
}

int
nbdkit_add_export (struct nbdkit_exports *e, const char *name,
                   const char *description)
{
  (void) e; (void) name; (void) description;
  return 0;
}

int
nbdkit_use_default_export (struct nbdkit_exports *e)
{
  (void) e;
  return 0;
}

/* ---------------------------------------------------------------- */
/* Direct mode: the host table a library gets from the loader.       */

static void host_error (const char *msg) { nbdkit_error ("%s", msg); }
static void host_debug (const char *msg) { nbdkit_debug ("%s", msg); }
static char *host_peer_dn (void) { return NULL; }
static int
host_add_extent (void *e, uint64_t o, uint64_t l, uint32_t t)
{
  return nbdkit_add_extent (e, o, l, t);
}
static int
host_add_export (void *e, const char *n, const char *d)
{
  return nbdkit_add_export (e, n, d);
}
static int
host_use_default_export (void *e)
{
  return nbdkit_use_default_export (e);
}

static struct nbdkitgo_host host = {
  .size = sizeof host,
  .abi_version = NBDKITGO_ABI_VERSION,
  .phase = NBDKITGO_PHASE_SERVE,
  .loader_version = "callbench",
  .error = host_error,
  .debug = host_debug,
  .parse_size = nbdkit_parse_size,
  .parse_bool = nbdkit_parse_bool,
  .parse_int = nbdkit_parse_int,
  .parse_unsigned = nbdkit_parse_unsigned,
  .parse_int8_t = nbdkit_parse_int8_t,
  .parse_uint8_t = nbdkit_parse_uint8_t,
  .parse_int16_t = nbdkit_parse_int16_t,
  .parse_uint16_t = nbdkit_parse_uint16_t,
  .parse_int32_t = nbdkit_parse_int32_t,
  .parse_uint32_t = nbdkit_parse_uint32_t,
  .parse_int64_t = nbdkit_parse_int64_t,
  .parse_uint64_t = nbdkit_parse_uint64_t,
  .read_password = nbdkit_read_password,
  .realpath = nbdkit_realpath,
  .absolute_path = nbdkit_absolute_path,
  .stdio_safe = nbdkit_stdio_safe,
  .nanosleep = nbdkit_nanosleep,
  .export_name = nbdkit_export_name,
  .is_tls = nbdkit_is_tls,
  .peer_name = nbdkit_peer_name,
  .peer_pid = nbdkit_peer_pid,
  .peer_uid = nbdkit_peer_uid,
  .peer_gid = nbdkit_peer_gid,
  .shutdown = nbdkit_shutdown,
  .disconnect = NULL,
  .add_extent = host_add_extent,
  .add_export = host_add_export,
  .use_default_export = host_use_default_export,
  .peer_tls_dn = host_peer_dn,
  .peer_tls_issuer_dn = host_peer_dn,
};

/* ---------------------------------------------------------------- */

static void
die (const char *what, const char *msg)
{
  fprintf (stderr, "callbench: %s: %s\n", what, msg ? msg : "failed");
  exit (EXIT_FAILURE);
}

/* What the measuring threads call, in either mode. */
static int (*direct_pread) (uintptr_t, void *, uint32_t, uint64_t,
                            uint32_t, struct nbdkitgo_error *);
static uintptr_t direct_handle;
static struct nbdkit_plugin *plugin;
static void *plugin_handle;
static bool loader_mode;
static uint32_t count = 1;

static inline int
one_call (void *buf, uint64_t offset)
{
  if (loader_mode)
    return plugin->pread (plugin_handle, buf, count, offset, 0);
  else {
    struct nbdkitgo_error err = { 0 };
    int r = direct_pread (direct_handle, buf, count, offset, 0, &err);
    if (r == -1)
      die ("nbdkitgo_pread", err.msg);
    return r;
  }
}

/* The library's own configuration sequence, in direct mode. */
static void
setup_direct (const char *lib, int argc, char **argv)
{
  void *dl;
  nbdkitgo_init_fn *init;
  struct nbdkitgo_info info = { .size = sizeof info, .implemented = ~0ULL };
  struct nbdkitgo_error err = { 0 };
  int (*fn) (struct nbdkitgo_error *);
  int (*config) (const char *, const char *, struct nbdkitgo_error *);
  nbdkitgo_open_fn *open;
  uint64_t implemented = ~UINT64_C (0);
  int i;

  host.script = lib;
  dl = dlopen (lib, RTLD_NOW | RTLD_LOCAL);
  if (!dl)
    die ("dlopen", dlerror ());
  init = (nbdkitgo_init_fn *) dlsym (dl, "nbdkitgo_init");
  if (!init)
    die ("nbdkitgo_init", dlerror ());
  if (init (NBDKITGO_ABI_VERSION, &host, &info, &err) == -1)
    die ("nbdkitgo_init", err.msg);

#define CALL_IF(name, bit)                                              \
  fn = dlsym (dl, "nbdkitgo_" name);                                    \
  if (fn && (info.implemented & (1ULL << (bit))) && fn (&err) == -1)    \
    die (name, err.msg);
  CALL_IF ("load", NBDKITGO_CB_LOAD);
  config = dlsym (dl, "nbdkitgo_config");
  for (i = 0; i < argc; ++i) {
    char *key = strdup (argv[i]), *value = strchr (key, '=');
    if (!value)
      die (argv[i], "expected key=value");
    *value++ = '\0';
    if (!config || config (key, value, &err) == -1)
      die ("config", err.msg);
  }
  CALL_IF ("config_complete", NBDKITGO_CB_CONFIG_COMPLETE);
  CALL_IF ("get_ready", NBDKITGO_CB_GET_READY);
  CALL_IF ("after_fork", NBDKITGO_CB_AFTER_FORK);
#undef CALL_IF

  open = dlsym (dl, "nbdkitgo_open");
  if (!open || open (0, &direct_handle, &implemented, &err) == -1)
    die ("open", err.msg);
  direct_pread = dlsym (dl, "nbdkitgo_pread");
  if (!direct_pread)
    die ("nbdkitgo_pread", dlerror ());
}

/* Drive nbdkit-golang-plugin.so as nbdkit does. */
static void
setup_loader (const char *so, const char *lib, int argc, char **argv)
{
  void *dl;
  struct nbdkit_plugin *(*init) (void);
  int i;

  dl = dlopen (so, RTLD_NOW | RTLD_LOCAL);
  if (!dl)
    die ("dlopen", dlerror ());
  init = dlsym (dl, "plugin_init");
  if (!init)
    die ("plugin_init", dlerror ());
  plugin = init ();
  if (plugin->_api_version != 2)
    die (so, "not an API version 2 plugin");
  if (plugin->load)
    plugin->load ();
  if (plugin->config (plugin->magic_config_key ? : "script", lib) == -1)
    die ("config", "script");
  for (i = 0; i < argc; ++i) {
    char *key = strdup (argv[i]), *value = strchr (key, '=');
    if (!value)
      die (argv[i], "expected key=value");
    *value++ = '\0';
    if (plugin->config (key, value) == -1)
      die ("config", key);
  }
  if (plugin->config_complete && plugin->config_complete () == -1)
    die ("config_complete", NULL);
  if (plugin->thread_model && plugin->thread_model () == -1)
    die ("thread_model", NULL);
  if (plugin->get_ready && plugin->get_ready () == -1)
    die ("get_ready", NULL);
  if (plugin->after_fork && plugin->after_fork () == -1)
    die ("after_fork", NULL);
  if (plugin->preconnect && plugin->preconnect (0) == -1)
    die ("preconnect", NULL);
  plugin_handle = plugin->open (0);
  if (!plugin_handle)
    die ("open", NULL);
  if (plugin->get_size (plugin_handle) == -1)
    die ("get_size", NULL);
  if (!plugin->pread)
    die ("pread", "missing");
}

/* ---------------------------------------------------------------- */

static pthread_barrier_t barrier;
static atomic_bool stop;

struct worker {
  pthread_t thread;
  unsigned index;
  uint64_t calls;
};

static void *
worker (void *vp)
{
  struct worker *w = vp;
  char *buf = malloc (count);
  uint64_t offset = (uint64_t) w->index * 65536, n = 0;
  int i;

  if (!buf)
    die ("malloc", strerror (errno));
  /* Warm up: the first call on a thread may bind it to the runtime. */
  for (i = 0; i < 1000; ++i)
    one_call (buf, offset);
  pthread_barrier_wait (&barrier);
  while (!atomic_load_explicit (&stop, memory_order_relaxed)) {
    one_call (buf, offset);
    n++;
  }
  w->calls = n;
  free (buf);
  return NULL;
}

static uint64_t
clock_ns (clockid_t clock)
{
  struct timespec ts;

  clock_gettime (clock, &ts);
  return (uint64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void
measure (const char *mode, unsigned nthreads, unsigned ms)
{
  struct worker *w = calloc (nthreads, sizeof *w);
  struct timespec ts = { .tv_sec = ms / 1000,
                         .tv_nsec = (ms % 1000) * 1000000L };
  uint64_t start, elapsed, cpu_start, cpu, calls = 0;
  unsigned i;
  int err;

  if (!w)
    die ("calloc", strerror (errno));
  atomic_store (&stop, false);
  pthread_barrier_init (&barrier, NULL, nthreads + 1);
  for (i = 0; i < nthreads; ++i) {
    w[i].index = i;
    err = pthread_create (&w[i].thread, NULL, worker, &w[i]);
    if (err)
      die ("pthread_create", strerror (err));
  }
  pthread_barrier_wait (&barrier);
  start = clock_ns (CLOCK_MONOTONIC);
  cpu_start = clock_ns (CLOCK_PROCESS_CPUTIME_ID);
  nanosleep (&ts, NULL);
  atomic_store (&stop, true);
  elapsed = clock_ns (CLOCK_MONOTONIC) - start;
  cpu = clock_ns (CLOCK_PROCESS_CPUTIME_ID) - cpu_start;
  for (i = 0; i < nthreads; ++i) {
    pthread_join (w[i].thread, NULL);
    calls += w[i].calls;
  }
  pthread_barrier_destroy (&barrier);
  printf ("%s,%u,%" PRIu64 ",%" PRIu64 ",%.1f,%.1f\n", mode, nthreads, calls,
          elapsed, calls ? (double) elapsed / calls : 0.0,
          calls ? (double) cpu / calls : 0.0);
  fflush (stdout);
  free (w);
}

static void
usage (void)
{
  fprintf (stderr,
           "usage: callbench [-v] [-d MS] [-c BYTES] [-t 1,2,16] "
           "direct LIB [key=value...]\n"
           "       callbench [-v] [-d MS] [-c BYTES] [-t 1,2,16] "
           "loader PLUGIN.so LIB [key=value...]\n");
  exit (EXIT_FAILURE);
}

int
main (int argc, char *argv[])
{
  unsigned ms = 1000;
  const char *threads = "1,2,16", *mode;
  char *list, *p, *tok;
  int c;

  while ((c = getopt (argc, argv, "+vd:c:t:")) != -1) {
    switch (c) {
    case 'v': verbose = true; break;
    case 'd': ms = atoi (optarg); break;
    case 'c': count = atoi (optarg); break;
    case 't': threads = optarg; break;
    default: usage ();
    }
  }
  if (optind >= argc || count == 0)
    usage ();
  mode = argv[optind++];
  if (!strcmp (mode, "direct") && optind < argc) {
    setup_direct (argv[optind], argc - optind - 1, &argv[optind + 1]);
  }
  else if (!strcmp (mode, "loader") && optind + 1 < argc) {
    loader_mode = true;
    setup_loader (argv[optind], argv[optind + 1],
                  argc - optind - 2, &argv[optind + 2]);
  }
  else
    usage ();

  list = strdup (threads);
  for (p = list; (tok = strsep (&p, ",")) != NULL; )
    if (atoi (tok) > 0)
      measure (mode, atoi (tok), ms);
  free (list);
  /* Never unload: a Go runtime cannot be unloaded; just exit. */
  _exit (EXIT_SUCCESS);
}
