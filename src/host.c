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

/* The host table: the services of nbdkit that the library may call.
 * Most entries are thin wrappers that turn the library's plain
 * strings and opaque pointers into nbdkit's calls.  Functions that
 * only newer versions of nbdkit have are looked up at run time, so
 * that one build of the loader works on every nbdkit from 1.32 on.
 */

#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <errno.h>

#define NBDKIT_API_VERSION 2
#include <nbdkit-plugin.h>

#include "golang.h"

struct nbdkitgo_host golang_host;

struct golang_password *golang_passwords;
size_t golang_nr_passwords;
static size_t next_password;    /* serving process: next one to replay */

/* Functions of nbdkit versions newer than the headers the loader is
 * built against (1.32), with the version that added each.  Weak
 * references are resolved when the loader is loaded, against the
 * running nbdkit, and are NULL when it lacks them.  (dlsym
 * (RTLD_DEFAULT, ...) would do the same, but under AddressSanitizer
 * its failed lookups leave glibc's locale lock broken and nbdkit hangs
 * at exit.)  The declarations are nbdkit's own: a loader built against
 * newer headers sees the same prototypes.
 */
extern void nbdkit_disconnect (int force)               /* 1.34 */
  __attribute__ ((weak));
extern int nbdkit_parse_probability (const char *what, const char *str,
                                     double *r)         /* 1.36 */
  __attribute__ ((weak));
extern char *nbdkit_peer_security_context (void)        /* 1.36 */
  __attribute__ ((weak));
extern int nbdkit_parse_delay (const char *what, const char *str,
                               unsigned *sec, unsigned *nsec) /* 1.40 */
  __attribute__ ((weak));
extern char *nbdkit_peer_tls_dn (void)                  /* 1.40 */
  __attribute__ ((weak));
extern char *nbdkit_peer_tls_issuer_dn (void)           /* 1.40 */
  __attribute__ ((weak));
extern void nbdkit_debug_hexdump (const void *buf, size_t len,
                                  const char *prefix,
                                  uint64_t start)       /* 1.46 */
  __attribute__ ((weak));
extern void nbdkit_debug_hexdiff (const void *buf1, const void *buf2,
                                  size_t len, const char *prefix,
                                  uint64_t start)       /* 1.48 */
  __attribute__ ((weak));

static void
host_error (const char *msg)
{
  nbdkit_error ("%s", msg);
}

static void
host_debug (const char *msg)
{
  nbdkit_debug ("%s", msg);
}

int
golang_add_password (int r, const char *password)
{
  struct golang_password *p;
  char *copy = NULL;

  if (password) {
    copy = strdup (password);
    if (copy == NULL) {
      nbdkit_error ("strdup: %m");
      return -1;
    }
  }
  p = realloc (golang_passwords,
               (golang_nr_passwords + 1) * sizeof *golang_passwords);
  if (p == NULL) {
    nbdkit_error ("realloc: %m");
    free (copy);
    return -1;
  }
  golang_passwords = p;
  golang_passwords[golang_nr_passwords].r = r;
  golang_passwords[golang_nr_passwords].password = copy;
  golang_nr_passwords++;
  return 0;
}

/* Overwrite memory that held a password.  A memset just before free
 * is a dead store that the compiler removes (it did, at -O2);
 * explicit_bzero never is.
 */
void
golang_wipe (void *p, size_t len)
{
  explicit_bzero (p, len);
}

/* Passwords stay in memory only as long as they are needed. */
void
golang_free_passwords (void)
{
  size_t i;

  for (i = 0; i < golang_nr_passwords; ++i) {
    char *p = golang_passwords[i].password;
    if (p) {
      golang_wipe (p, strlen (p));
      free (p);
    }
  }
  free (golang_passwords);
  golang_passwords = NULL;
  golang_nr_passwords = 0;
  next_password = 0;
}

/* A password is read only once, in the check process, because reading
 * may consume it (-FD, or a prompt on the terminal).  The serving
 * process receives the same results in the same order.
 */
static int
host_read_password (const char *value, char **password)
{
  int r;

  *password = NULL;

  if (golang_host.phase == NBDKITGO_PHASE_SERVE &&
      next_password < golang_nr_passwords) {
    struct golang_password *p = &golang_passwords[next_password++];

    if (p->r == -1) {
      nbdkit_error ("could not read the password for %s", value);
      return -1;
    }
    *password = strdup (p->password);
    if (*password == NULL) {
      nbdkit_error ("strdup: %m");
      return -1;
    }
    return 0;
  }
  if (golang_host.phase == NBDKITGO_PHASE_SERVE)
    nbdkit_debug ("golang: the library read more passwords than in the "
                  "check process; reading this one again");

  golang_phase_waiting (true);
  r = nbdkit_read_password (value, password);
  golang_phase_waiting (false);
  if (golang_host.phase == NBDKITGO_PHASE_CHECK &&
      golang_add_password (r, r == 0 ? *password : NULL) == -1) {
    if (r == 0) {
      golang_wipe (*password, strlen (*password));
      free (*password);
      *password = NULL;
    }
    return -1;
  }
  return r;
}

static int
host_disconnect (int force)
{
  nbdkit_disconnect (force);
  return 0;
}

static int
host_add_extent (void *extents, uint64_t offset, uint64_t length,
                 uint32_t type)
{
  return nbdkit_add_extent (extents, offset, length, type);
}

static int
host_add_export (void *exports, const char *name, const char *description)
{
  const char *problem;

  if ((problem = golang_text_problem (name)) != NULL) {
    nbdkit_error ("%s: add_export: refused an export name: %s",
                  script, problem);
    errno = EINVAL;
    return -1;
  }
  if (description &&
      (problem = golang_text_problem (description)) != NULL) {
    nbdkit_error ("%s: add_export: refused the description of export "
                  "'%s': %s", script, name, problem);
    errno = EINVAL;
    return -1;
  }
  return nbdkit_add_export (exports, name, description);
}

static int
host_use_default_export (void *exports)
{
  return nbdkit_use_default_export (exports);
}

void
golang_host_init (uint32_t phase)
{
  golang_host = (struct nbdkitgo_host) {
    .size               = sizeof golang_host,
    .abi_version        = NBDKITGO_ABI_VERSION,
    .phase              = phase,
    .loader_version     = PACKAGE_VERSION,
    .script             = script,

    .error              = host_error,
    .debug              = host_debug,

    .parse_size         = nbdkit_parse_size,
    .parse_bool         = nbdkit_parse_bool,
    .parse_int          = nbdkit_parse_int,
    .parse_unsigned     = nbdkit_parse_unsigned,
    .parse_int8_t       = nbdkit_parse_int8_t,
    .parse_uint8_t      = nbdkit_parse_uint8_t,
    .parse_int16_t      = nbdkit_parse_int16_t,
    .parse_uint16_t     = nbdkit_parse_uint16_t,
    .parse_int32_t      = nbdkit_parse_int32_t,
    .parse_uint32_t     = nbdkit_parse_uint32_t,
    .parse_int64_t      = nbdkit_parse_int64_t,
    .parse_uint64_t     = nbdkit_parse_uint64_t,

    .read_password      = host_read_password,

    .realpath           = nbdkit_realpath,
    .absolute_path      = nbdkit_absolute_path,

    .stdio_safe         = nbdkit_stdio_safe,
    .nanosleep          = nbdkit_nanosleep,

    .export_name        = nbdkit_export_name,
    .is_tls             = nbdkit_is_tls,
    .peer_name          = nbdkit_peer_name,
    .peer_pid           = nbdkit_peer_pid,
    .peer_uid           = nbdkit_peer_uid,
    .peer_gid           = nbdkit_peer_gid,

    .shutdown           = nbdkit_shutdown,

    .add_extent         = host_add_extent,
    .add_export         = host_add_export,
    .use_default_export = host_use_default_export,

    .disconnect         = nbdkit_disconnect ? host_disconnect : NULL,
    .parse_probability  = nbdkit_parse_probability,
    .peer_security_context = nbdkit_peer_security_context,
    .parse_delay        = nbdkit_parse_delay,
    .peer_tls_dn        = nbdkit_peer_tls_dn,
    .peer_tls_issuer_dn = nbdkit_peer_tls_issuer_dn,
    .debug_hexdump      = nbdkit_debug_hexdump,
    .debug_hexdiff      = nbdkit_debug_hexdiff,
  };
}
