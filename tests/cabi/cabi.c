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

/* A RAM disk that implements nbdkitgo-abi.h in plain C.  The loader's
 * tests use it where a Go runtime cannot go (valgrind, ASan) and to
 * build broken libraries on purpose.  Compile-time variants:
 *
 *   -DCABI_ABI_VERSION=N  answer the handshake with ABI version N
 *                         (1: a library of ABI version 1, which a
 *                         version 2 loader must refuse by name)
 *   -DCABI_NO_PREAD       do not export nbdkitgo_pread
 *   -DCABI_MINIMAL        export only init, open, close, get_size, pread
 *   -DCABI_MASK           export everything but clear every optional
 *                         bit in info->implemented
 *   -DCABI_BAD            can_fua and can_cache are implemented by
 *                         default, and return invalid values as
 *                         bad=CALLBACK says
 *
 * Parameters (key=value, all optional):
 *
 *   size=SIZE                  disk size (default 1M)
 *   thread-model=N             0..3, or anything (returned as is)
 *   password=PASSWORD          read with host->read_password ...
 *   expect-password=STRING     ... and config_complete checks it
 *   fail=CALLBACK              that callback fails with a message
 *   crash=CALLBACK             that callback calls abort()
 *   exit=CALLBACK              that callback calls exit(3)
 *   hang=CALLBACK              that callback closes every fd above 2
 *                              and sleeps forever
 *   block=CALLBACK             that callback sleeps forever
 *   silent=CALLBACK            that callback fails with no message and
 *                              errno 0 (also thread_model, get_size,
 *                              list_exports)
 *   error-offset=N             reads and writes touching the sector at
 *   error-errno=N              N fail with errno N (default EIO)
 *   bad=CALLBACK               (CABI_BAD) get_size, open, block_size,
 *                              can_fua or can_cache returns an
 *                              invalid value
 *
 * Capabilities chosen per connection (tests/test-defaults.sh): every
 * variant but CABI_MINIMAL exports every callback, and by default a
 * connection has the data callbacks, export_description and
 * block_size but no can_* callback.  With any of these keys, each
 * connection has exactly the callbacks named (plus get_size, pread and
 * close), set in open's implemented:
 *
 *   has=NAME,NAME...           callbacks such as pwrite,flush,zero
 *   can_write=N ... can_cache=N, is_rotational=N
 *                              also has that callback, which returns N
 *   block_size=MIN:PREF:MAX    also has block_size, with these sizes
 *
 * With CABI_INIT_NOTE=1 in the environment, init succeeds but also
 * sets a message (which the loader must free).
 *
 * With CABI_NOISE=1 in the environment, init, load, thread_model and
 * dump_plugin write a line "cabi noise from CALLBACK" straight to fd 1,
 * as a Go library printing from its package init would.
 *
 * CALLBACK is one of load, config_complete, get_ready, after_fork,
 * open.  fail/crash/exit/hang take effect in the given phase only
 * when phase=check|serve is also given (default: every phase).
 */

#define _GNU_SOURCE

#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <inttypes.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <pthread.h>

#define NBDKITGO_DECLARE_EXPORTS
#include "nbdkitgo-abi.h"

#ifndef CABI_ABI_VERSION
#define CABI_ABI_VERSION NBDKITGO_ABI_VERSION
#endif

#define SECTOR 512
#define BLOCK 65536

static const struct nbdkitgo_host *host;
static int64_t size = 1024 * 1024;
static int thread_model = NBDKITGO_THREAD_MODEL_PARALLEL;
static char *password, *expect_password;
static char *fail_cb, *crash_cb, *exit_cb, *hang_cb, *block_cb, *only_phase;
static char *bad_cb, *silent_cb;
static int64_t error_offset = -1;
static int error_errno = EIO;

/* has=, can_*= and block_size=: the connection callbacks every
 * connection has (0: the default), and what the can_* return.
 */
static uint64_t has;
static int can_value[NBDKITGO_CB_COUNT];
static uint32_t bs_min = 1, bs_pref = 4096, bs_max = 0xffffffff;

static const char *callback_names[] = {
#define CABI_NAME(name, NAME, ret, args) #name,
  NBDKITGO_CALLBACKS (CABI_NAME)
#undef CABI_NAME
};

#ifndef CABI_MINIMAL
/* The bit of callback NAME (a connection callback), or 0. */
static uint64_t
callback_bit (const char *name, size_t len)
{
  size_t i;

  for (i = 0; i < NBDKITGO_CB_COUNT; ++i)
    if (strlen (callback_names[i]) == len &&
        strncmp (callback_names[i], name, len) == 0 &&
        ((UINT64_C (1) << i) & NBDKITGO_CB_CONNECTION_MASK))
      return UINT64_C (1) << i;
  return 0;
}
#endif

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char *disk;
static unsigned char *allocated;        /* one byte per BLOCK */
static uint64_t next_handle = 1;

struct cabi_handle {
  uint64_t id;
  int readonly;
};

static void
noise (const char *cb)
{
  char line[64];
  const char *e = getenv ("CABI_NOISE");
  int n;

  if (e && strcmp (e, "1") == 0) {
    n = snprintf (line, sizeof line, "cabi noise from %s\n", cb);
    if (write (STDOUT_FILENO, line, n) != n)
      abort ();
  }
}

static int
set_error (struct nbdkitgo_error *err, int errnum, const char *msg)
{
  err->errnum = errnum;
  err->msg = strdup (msg);
  return -1;
}

#ifndef CABI_MINIMAL
static int
phase_matches (void)
{
  if (only_phase == NULL)
    return 1;
  if (strcmp (only_phase, "check") == 0)
    return host->phase == NBDKITGO_PHASE_CHECK;
  if (strcmp (only_phase, "serve") == 0)
    return host->phase == NBDKITGO_PHASE_SERVE;
  return 0;
}

/* Misbehave on request in callback CB.  Returns -1 for fail=. */
static int
misbehave (const char *cb, struct nbdkitgo_error *err)
{
  char msg[128];

  if (!phase_matches ())
    return 0;
  if (crash_cb && strcmp (crash_cb, cb) == 0)
    abort ();
  if (exit_cb && strcmp (exit_cb, cb) == 0)
    exit (3);
  if (hang_cb && strcmp (hang_cb, cb) == 0) {
    int fd;
    for (fd = 3; fd < 1024; ++fd)
      close (fd);
    for (;;)
      pause ();
  }
  if (block_cb && strcmp (block_cb, cb) == 0) {
    for (;;)
      pause ();
  }
  if (fail_cb && strcmp (fail_cb, cb) == 0) {
    snprintf (msg, sizeof msg, "cabi: %s failed as requested", cb);
    return set_error (err, EINVAL, msg);
  }
  if (silent_cb && strcmp (silent_cb, cb) == 0)
    return -1;
  return 0;
}
#endif /* !CABI_MINIMAL */

static int
is_bad (const char *cb)
{
#ifdef CABI_MINIMAL
  (void) cb;
  return 0;
#else
  return bad_cb && strcmp (bad_cb, cb) == 0;
#endif
}

int
nbdkitgo_init (uint32_t abi_version, const struct nbdkitgo_host *h,
               struct nbdkitgo_info *info, struct nbdkitgo_error *err)
{
  noise ("init");
  info->abi_version = CABI_ABI_VERSION;
  if (abi_version != CABI_ABI_VERSION)
    return set_error (err, EINVAL, "cabi: unsupported ABI version");
  if (h->size < offsetof (struct nbdkitgo_host, peer_tls_issuer_dn))
    return set_error (err, EINVAL, "cabi: host table too small");
  host = h;
  info->runtime_version = "C";
  info->name = "cabi";
  info->longname = "nbdkit-golang C ABI test library";
  info->version = "1.0";
  info->description = "A RAM disk implementing nbdkitgo-abi.h in C.";
  if (getenv ("CABI_INIT_NOTE"))
    err->msg = strdup ("cabi: a message from an init that succeeded");
#ifndef CABI_MINIMAL
  /* Exported, but by default no connection has a can_* callback. */
  info->implemented &= ~(NBDKITGO_CB_BIT (CAN_WRITE) |
                         NBDKITGO_CB_BIT (CAN_FLUSH) |
                         NBDKITGO_CB_BIT (IS_ROTATIONAL) |
                         NBDKITGO_CB_BIT (CAN_TRIM) |
                         NBDKITGO_CB_BIT (CAN_ZERO) |
                         NBDKITGO_CB_BIT (CAN_FAST_ZERO) |
                         NBDKITGO_CB_BIT (CAN_MULTI_CONN) |
                         NBDKITGO_CB_BIT (CAN_EXTENTS));
#ifndef CABI_BAD
  info->implemented &= ~(NBDKITGO_CB_BIT (CAN_FUA) |
                         NBDKITGO_CB_BIT (CAN_CACHE));
#endif
#endif
#ifdef CABI_MASK
  info->implemented = (UINT64_C (1) << NBDKITGO_CB_OPEN) |
    (UINT64_C (1) << NBDKITGO_CB_CLOSE) |
    (UINT64_C (1) << NBDKITGO_CB_GET_SIZE) |
    (UINT64_C (1) << NBDKITGO_CB_PREAD);
#endif
  return 0;
}

#if !defined CABI_MINIMAL

int
nbdkitgo_load (struct nbdkitgo_error *err)
{
  (void) err;
  noise ("load");
  return 0;
}

void
nbdkitgo_unload (void)
{
  free (disk);
  free (allocated);
  free (password);
  free (expect_password);
  free (fail_cb);
  free (crash_cb);
  free (exit_cb);
  free (hang_cb);
  free (block_cb);
  free (only_phase);
  free (bad_cb);
  free (silent_cb);
}

static int
set_string (char **s, const char *value, struct nbdkitgo_error *err)
{
  free (*s);
  *s = strdup (value);
  if (*s == NULL)
    return set_error (err, ENOMEM, "cabi: strdup failed");
  return 0;
}

int
nbdkitgo_config (const char *key, const char *value,
                 struct nbdkitgo_error *err)
{
  char msg[256];

  if (strcmp (key, "size") == 0) {
    size = host->parse_size (value);
    return size == -1 ? -1 : 0;
  }
  if (strcmp (key, "thread-model") == 0)
    return host->parse_int ("thread-model", value, &thread_model);
  if (strcmp (key, "password") == 0) {
    free (password);
    password = NULL;
    return host->read_password (value, &password);
  }
  if (strcmp (key, "expect-password") == 0)
    return set_string (&expect_password, value, err);
  if (strcmp (key, "fail") == 0)
    return set_string (&fail_cb, value, err);
  if (strcmp (key, "crash") == 0)
    return set_string (&crash_cb, value, err);
  if (strcmp (key, "exit") == 0)
    return set_string (&exit_cb, value, err);
  if (strcmp (key, "hang") == 0)
    return set_string (&hang_cb, value, err);
  if (strcmp (key, "block") == 0)
    return set_string (&block_cb, value, err);
  if (strcmp (key, "phase") == 0)
    return set_string (&only_phase, value, err);
  if (strcmp (key, "bad") == 0)
    return set_string (&bad_cb, value, err);
  if (strcmp (key, "silent") == 0)
    return set_string (&silent_cb, value, err);
  if (strcmp (key, "error-offset") == 0)
    return host->parse_int64_t ("error-offset", value, &error_offset);
  if (strcmp (key, "error-errno") == 0)
    return host->parse_int ("error-errno", value, &error_errno);

  if (strcmp (key, "has") == 0) {
    const char *p = value;

    while (*p) {
      size_t n = strcspn (p, ",");
      uint64_t bit = callback_bit (p, n);

      if (bit == 0) {
        snprintf (msg, sizeof msg, "cabi: has: not a connection callback: %.*s",
                  (int) n, p);
        return set_error (err, EINVAL, msg);
      }
      has |= bit;
      p += n;
      if (*p == ',')
        p++;
    }
    has |= NBDKITGO_CB_BIT (CLOSE);
    return 0;
  }
  if (strcmp (key, "block_size") == 0) {
    if (sscanf (value, "%" SCNu32 ":%" SCNu32 ":%" SCNu32,
                &bs_min, &bs_pref, &bs_max) != 3)
      return set_error (err, EINVAL, "cabi: block_size=MIN:PREF:MAX");
    has |= NBDKITGO_CB_BIT (BLOCK_SIZE) | NBDKITGO_CB_BIT (CLOSE);
    return 0;
  }
  if (callback_bit (key, strlen (key)) &&
      (strncmp (key, "can_", 4) == 0 || strcmp (key, "is_rotational") == 0)) {
    uint64_t bit = callback_bit (key, strlen (key));
    int cb = __builtin_ctzll (bit);

    has |= bit | NBDKITGO_CB_BIT (CLOSE);
    return host->parse_int (key, value, &can_value[cb]);
  }

  snprintf (msg, sizeof msg, "cabi: unknown parameter '%s'", key);
  return set_error (err, EINVAL, msg);
}

int
nbdkitgo_config_complete (struct nbdkitgo_error *err)
{
  char msg[256];

  if (misbehave ("config_complete", err) == -1)
    return -1;
  if (expect_password &&
      (password == NULL || strcmp (password, expect_password) != 0)) {
    snprintf (msg, sizeof msg,
              "cabi: expected password '%s' but read '%s'",
              expect_password, password ? password : "(none)");
    return set_error (err, EINVAL, msg);
  }
  return 0;
}

int
nbdkitgo_thread_model (struct nbdkitgo_error *err)
{
  noise ("thread_model");
  if (misbehave ("thread_model", err) == -1)
    return -1;
  return thread_model;
}

int
nbdkitgo_get_ready (struct nbdkitgo_error *err)
{
  if (misbehave ("get_ready", err) == -1)
    return -1;
  disk = calloc (1, size);
  allocated = calloc (1, size / BLOCK + 1);
  if (disk == NULL || allocated == NULL)
    return set_error (err, ENOMEM, "cabi: cannot allocate the disk");
  host->debug ("cabi: get_ready");
  return 0;
}

int
nbdkitgo_after_fork (struct nbdkitgo_error *err)
{
  if (misbehave ("after_fork", err) == -1)
    return -1;
  if (host->phase != NBDKITGO_PHASE_SERVE)
    return set_error (err, EINVAL, "cabi: after_fork outside PHASE_SERVE");
  return 0;
}

void
nbdkitgo_cleanup (void)
{
  host->debug ("cabi: cleanup");
}

char *
nbdkitgo_dump_plugin (struct nbdkitgo_error *err)
{
  char *s;

  noise ("dump_plugin");
  if (asprintf (&s, "cabi_phase=%" PRIu32 "\ncabi_size=%" PRIi64 "\n",
                host->phase, size) == -1) {
    set_error (err, ENOMEM, "cabi: asprintf failed");
    return NULL;
  }
  return s;
}

#endif /* !CABI_MINIMAL */

int
nbdkitgo_open (int readonly, uintptr_t *handle, uint64_t *implemented,
               struct nbdkitgo_error *err)
{
  struct cabi_handle *h;

#ifndef CABI_MINIMAL
  if (has)
    *implemented = (*implemented & ~NBDKITGO_CB_CONNECTION_MASK) | has;
#else
  (void) implemented;
#endif

#ifndef CABI_MINIMAL
  if (misbehave ("open", err) == -1)
    return -1;
#endif
  if (disk == NULL) {
    /* CABI_MINIMAL has no get_ready. */
    disk = calloc (1, size);
    if (disk == NULL)
      return set_error (err, ENOMEM, "cabi: cannot allocate the disk");
  }
  h = malloc (sizeof *h);
  if (h == NULL)
    return set_error (err, ENOMEM, "cabi: malloc failed");
  pthread_mutex_lock (&lock);
  h->id = next_handle++;
  pthread_mutex_unlock (&lock);
  h->readonly = readonly;
  *handle = (uintptr_t) h;
  if (is_bad ("open")) {
    free (h);
    *handle = 0;
  }
  return 0;
}

void
nbdkitgo_close (uintptr_t handle)
{
  free ((struct cabi_handle *) handle);
}

int64_t
nbdkitgo_get_size (uintptr_t handle, struct nbdkitgo_error *err)
{
  (void) handle;
#ifndef CABI_MINIMAL
  if (misbehave ("get_size", err) == -1)
    return -1;
#else
  (void) err;
#endif
  if (is_bad ("get_size"))
    return -5;
  return size;
}

static int
check_error_offset (uint32_t count, uint64_t offset,
                    struct nbdkitgo_error *err)
{
  char msg[128];

  if (error_offset >= 0 &&
      offset < (uint64_t) error_offset + SECTOR &&
      offset + count > (uint64_t) error_offset) {
    snprintf (msg, sizeof msg, "cabi: injected error at offset %" PRIi64,
              error_offset);
    return set_error (err, error_errno, msg);
  }
  return 0;
}

#ifndef CABI_NO_PREAD
int
nbdkitgo_pread (uintptr_t handle, void *buf, uint32_t count, uint64_t offset,
                uint32_t flags, struct nbdkitgo_error *err)
{
  if (check_error_offset (count, offset, err) == -1)
    return -1;
  pthread_mutex_lock (&lock);
  memcpy (buf, disk + offset, count);
  pthread_mutex_unlock (&lock);
  (void) handle; (void) flags;
  return 0;
}
#endif

#if !defined CABI_MINIMAL

static void
mark (uint64_t offset, uint32_t count, unsigned char v)
{
  uint64_t b;

  for (b = offset / BLOCK; b * BLOCK < offset + count; ++b)
    allocated[b] = v;
}

int
nbdkitgo_pwrite (uintptr_t handle, void *buf, uint32_t count, uint64_t offset,
                 uint32_t flags, struct nbdkitgo_error *err)
{
  if (check_error_offset (count, offset, err) == -1)
    return -1;
  pthread_mutex_lock (&lock);
  memcpy (disk + offset, buf, count);
  mark (offset, count, 1);
  pthread_mutex_unlock (&lock);
  (void) handle; (void) flags;
  return 0;
}

int
nbdkitgo_flush (uintptr_t handle, uint32_t flags, struct nbdkitgo_error *err)
{
  (void) handle; (void) flags; (void) err;
  return 0;
}

/* Trim frees only whole blocks; the rest reads back as zeroes. */
int
nbdkitgo_trim (uintptr_t handle, uint32_t count, uint64_t offset,
               uint32_t flags, struct nbdkitgo_error *err)
{
  uint64_t start = (offset + BLOCK - 1) / BLOCK * BLOCK;
  uint64_t end = (offset + count) / BLOCK * BLOCK;

  pthread_mutex_lock (&lock);
  memset (disk + offset, 0, count);
  if (start < end)
    mark (start, end - start, 0);
  pthread_mutex_unlock (&lock);
  (void) handle; (void) flags; (void) err;
  return 0;
}

int
nbdkitgo_zero (uintptr_t handle, uint32_t count, uint64_t offset,
               uint32_t flags, struct nbdkitgo_error *err)
{
  pthread_mutex_lock (&lock);
  memset (disk + offset, 0, count);
  pthread_mutex_unlock (&lock);
  (void) handle; (void) flags; (void) err;
  return 0;
}

int
nbdkitgo_extents (uintptr_t handle, uint32_t count, uint64_t offset,
                  uint32_t flags, void *extents, struct nbdkitgo_error *err)
{
  uint64_t b, end = offset + count;

  for (b = offset / BLOCK * BLOCK; b < end && b < (uint64_t) size;
       b += BLOCK) {
    uint64_t len = BLOCK;
    uint32_t type = allocated[b / BLOCK] ? 0 :
      NBDKITGO_EXTENT_HOLE | NBDKITGO_EXTENT_ZERO;

    if (b + len > (uint64_t) size)
      len = size - b;
    if (host->add_extent (extents, b, len, type) == -1)
      return -1;
  }
  (void) handle; (void) flags; (void) err;
  return 0;
}

int
nbdkitgo_cache (uintptr_t handle, uint32_t count, uint64_t offset,
                uint32_t flags, struct nbdkitgo_error *err)
{
  (void) handle; (void) count; (void) offset; (void) flags; (void) err;
  return 0;
}

#endif /* !CABI_MINIMAL */

#if !defined CABI_MINIMAL

/* Exports: the default one, "" (shown as "cabi-default"), and a
 * second one; each describes itself.
 */
int
nbdkitgo_list_exports (int readonly, int is_tls, void *exports,
                       struct nbdkitgo_error *err)
{
  (void) readonly; (void) is_tls;
  if (misbehave ("list_exports", err) == -1)
    return -1;
  if (host->add_export (exports, "", "the default export") == -1 ||
      host->add_export (exports, "second", "another name for the disk") == -1)
    return -1;
  return 0;
}

char *
nbdkitgo_default_export (int readonly, int is_tls, struct nbdkitgo_error *err)
{
  (void) readonly; (void) is_tls;
  char *s = strdup ("");
  if (s == NULL)
    set_error (err, ENOMEM, "cabi: strdup failed");
  return s;
}

char *
nbdkitgo_export_description (uintptr_t handle, struct nbdkitgo_error *err)
{
  char *s;

  (void) handle;
  if (asprintf (&s, "cabi export '%s'", host->export_name ()) == -1) {
    set_error (err, ENOMEM, "cabi: asprintf failed");
    return NULL;
  }
  return s;
}

int
nbdkitgo_block_size (uintptr_t handle, uint32_t *minimum, uint32_t *preferred,
                     uint32_t *maximum, struct nbdkitgo_error *err)
{
  (void) handle; (void) err;
  *minimum = bs_min;
  *preferred = bs_pref;
  *maximum = bs_max;
  if (is_bad ("block_size"))
    *preferred = 1000;
  return 0;
}

#endif /* !CABI_MINIMAL */

#if !defined CABI_MINIMAL

/* The can_* callbacks answer what can_*= said. */
#define CABI_CAN(name, NAME)                                            \
  int                                                                   \
  nbdkitgo_##name (uintptr_t handle, struct nbdkitgo_error *err)        \
  {                                                                     \
    (void) handle; (void) err;                                          \
    return can_value[NBDKITGO_CB_##NAME];                               \
  }
CABI_CAN (can_write, CAN_WRITE)
CABI_CAN (can_flush, CAN_FLUSH)
CABI_CAN (is_rotational, IS_ROTATIONAL)
CABI_CAN (can_trim, CAN_TRIM)
CABI_CAN (can_zero, CAN_ZERO)
CABI_CAN (can_fast_zero, CAN_FAST_ZERO)
CABI_CAN (can_multi_conn, CAN_MULTI_CONN)
CABI_CAN (can_extents, CAN_EXTENTS)
#undef CABI_CAN

int
nbdkitgo_can_fua (uintptr_t handle, struct nbdkitgo_error *err)
{
  (void) handle; (void) err;
#ifdef CABI_BAD
  if (is_bad ("can_fua"))
    return 7;
  if (has == 0)
    return NBDKITGO_FUA_NATIVE;
#endif
  return can_value[NBDKITGO_CB_CAN_FUA];
}

int
nbdkitgo_can_cache (uintptr_t handle, struct nbdkitgo_error *err)
{
  (void) handle; (void) err;
#ifdef CABI_BAD
  if (is_bad ("can_cache"))
    return -2;
  if (has == 0)
    return NBDKITGO_CACHE_EMULATE;
#endif
  return can_value[NBDKITGO_CB_CAN_CACHE];
}

#endif /* !CABI_MINIMAL */
