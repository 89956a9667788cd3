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

/* Passwords.  Reading a password may consume it (-FD, or a prompt on
 * the terminal), so the library's passwords are read only once, in
 * the check process, and every result is recorded in order.  The
 * check process sends the records to nbdkit (check.c carries them,
 * in the format encoded and decoded here), the serving process
 * inherits them and gives the library the same results in the same
 * order, and they are wiped as soon as its configuration phase is
 * over.
 */

#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#define NBDKIT_API_VERSION 2
#include <nbdkit-plugin.h>

#include "golang.h"
#include "cleanup.h"

struct password {
  int r;                        /* nbdkit_read_password's result */
  char *password;               /* NULL if r == -1 */
};
static struct password *passwords;
static size_t nr_passwords;
static size_t next_password;    /* serving process: next one to replay */

/* Overwrite memory that held a password.  A memset just before free
 * is a dead store that the compiler removes (it did, at -O2);
 * explicit_bzero never is.
 */
void
golang_wipe (void *p, size_t len)
{
  explicit_bzero (p, len);
}

static int
add_password (int r, const char *password)
{
  struct password *p;
  char *copy = NULL;

  if (password) {
    copy = strdup (password);
    if (copy == NULL) {
      nbdkit_error ("strdup: %m");
      return -1;
    }
  }
  p = realloc (passwords, (nr_passwords + 1) * sizeof *passwords);
  if (p == NULL) {
    nbdkit_error ("realloc: %m");
    free (copy);
    return -1;
  }
  passwords = p;
  passwords[nr_passwords].r = r;
  passwords[nr_passwords].password = copy;
  nr_passwords++;
  return 0;
}

/* Passwords stay in memory only as long as they are needed. */
void
golang_passwords_free (void)
{
  size_t i;

  for (i = 0; i < nr_passwords; ++i) {
    char *p = passwords[i].password;
    if (p) {
      golang_wipe (p, strlen (p));
      free (p);
    }
  }
  free (passwords);
  passwords = NULL;
  nr_passwords = 0;
  next_password = 0;
}

/* The host table's read_password.  PHASE says which run this is: the
 * check process reads and records; the serving process replays.
 */
int
golang_password_read (uint32_t phase, const char *value, char **password)
{
  int r;

  *password = NULL;

  if (phase == NBDKITGO_PHASE_SERVE && next_password < nr_passwords) {
    struct password *p = &passwords[next_password++];

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
  if (phase == NBDKITGO_PHASE_SERVE)
    nbdkit_debug ("golang: the library read more passwords than in the "
                  "check process; reading this one again");

  golang_progress_waiting (true);
  r = nbdkit_read_password (value, password);
  golang_progress_waiting (false);
  if (phase == NBDKITGO_PHASE_CHECK &&
      add_password (r, r == 0 ? *password : NULL) == -1) {
    if (r == 0) {
      golang_wipe (*password, strlen (*password));
      free (*password);
      *password = NULL;
    }
    return -1;
  }
  return r;
}

/* The records as the check process sends them: uint32_t count, then
 * per password int32_t r, uint32_t len and len bytes.  Both ends are
 * the same binary, so native byte order is fine.  *BUF must be wiped
 * (golang_wipe) and freed by the caller.
 */
int
golang_passwords_encode (char **buf, size_t *len)
{
  uint32_t count = nr_passwords;
  size_t i, pos;
  char *p;

  *len = sizeof count;
  for (i = 0; i < nr_passwords; ++i)
    *len += sizeof (int32_t) + sizeof (uint32_t) +
      (passwords[i].password ? strlen (passwords[i].password) : 0);
  p = malloc (*len);
  if (p == NULL) {
    nbdkit_error ("malloc: %m");
    return -1;
  }
  memcpy (p, &count, sizeof count);
  pos = sizeof count;
  for (i = 0; i < nr_passwords; ++i) {
    int32_t r = passwords[i].r;
    uint32_t plen = passwords[i].password ? strlen (passwords[i].password) : 0;

    memcpy (p + pos, &r, sizeof r);
    memcpy (p + pos + sizeof r, &plen, sizeof plen);
    pos += sizeof r + sizeof plen;
    memcpy (p + pos, passwords[i].password, plen);
    pos += plen;
  }
  *buf = p;
  return 0;
}

static int
decode (const char *buf, size_t len)
{
  uint32_t count, i;
  size_t pos = sizeof count;

  if (len < sizeof count)
    return -1;
  memcpy (&count, buf, sizeof count);
  for (i = 0; i < count; ++i) {
    int32_t r;
    uint32_t plen;
    CLEANUP_FREE char *password = NULL;

    if (len - pos < sizeof r + sizeof plen)
      return -1;
    memcpy (&r, buf + pos, sizeof r);
    memcpy (&plen, buf + pos + sizeof r, sizeof plen);
    pos += sizeof r + sizeof plen;
    if (len - pos < plen)
      return -1;
    if (r == 0) {
      password = strndup (buf + pos, plen);
      if (password == NULL) {
        nbdkit_error ("strndup: %m");
        return -1;
      }
    }
    pos += plen;
    if (add_password (r == 0 ? 0 : -1, password) == -1)
      return -1;
    if (password)
      golang_wipe (password, plen);
  }
  return pos == len ? (int) count : -1;
}

/* In nbdkit: replace the records with the LEN bytes at BUF, which
 * golang_passwords_encode made in the check process.  Returns the
 * number of passwords, or -1 (and no records) if BUF is not exactly
 * one set of records.
 */
int
golang_passwords_decode (const char *buf, size_t len)
{
  int r;

  golang_passwords_free ();
  r = decode (buf, len);
  if (r == -1)
    golang_passwords_free ();
  return r;
}
