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

/* What the library says, on its way out: export names and
 * descriptions sent to clients, lines printed by --dump-plugin, and
 * whatever it writes on standard output.
 */

#include <config.h>

#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#define NBDKIT_API_VERSION 2
#include <nbdkit-plugin.h>

#include "golang.h"

/* The length of the valid UTF-8 sequence at P (1 to 4 bytes) with
 * its code point in *C, or 0 if P does not start one.
 */
static int
utf8_char (const unsigned char *p, uint32_t *c)
{
  int n, i;

  if (*p < 0x80) {
    *c = *p;
    return 1;
  }
  if ((*p & 0xe0) == 0xc0)      { *c = *p & 0x1f; n = 1; }
  else if ((*p & 0xf0) == 0xe0) { *c = *p & 0x0f; n = 2; }
  else if ((*p & 0xf8) == 0xf0) { *c = *p & 0x07; n = 3; }
  else
    return 0;
  for (i = 1; i <= n; ++i) {
    if ((p[i] & 0xc0) != 0x80)
      return 0;
    *c = (*c << 6) | (p[i] & 0x3f);
  }
  if ((n == 1 && *c < 0x80) || (n == 2 && *c < 0x800) ||
      (n == 3 && *c < 0x10000) || *c > 0x10ffff ||
      (*c >= 0xd800 && *c <= 0xdfff))
    return 0;
  return n + 1;
}

/* Control characters: C0, DEL and C1. */
static bool
is_control (uint32_t c)
{
  return c < 0x20 || (c >= 0x7f && c <= 0x9f);
}

/* The NBD protocol requires export names and descriptions to be
 * UTF-8.  Control characters in them would reach a client's terminal
 * or log.  Returns NULL if S is fine, or what is wrong with it.
 */
const char *
golang_text_problem (const char *s)
{
  const unsigned char *p = (const unsigned char *) s;

  while (*p) {
    uint32_t c;
    int n = utf8_char (p, &c);

    if (n == 0)
      return "it is not valid UTF-8";
    if (is_control (c))
      return "it holds a control character";
    p += n;
  }
  return NULL;
}

/* Print S for --dump-plugin: control characters (which could move
 * the cursor or rewrite a terminal line) and bytes that are not UTF-8
 * as \xHH, one per byte; a newline as a space, or as itself if
 * NEWLINES.
 */
void
golang_print_escaped (const char *s, bool newlines)
{
  const unsigned char *p = (const unsigned char *) s;

  while (*p) {
    uint32_t c;
    int n = utf8_char (p, &c), i;

    if (*p == '\n') {
      putchar (newlines ? '\n' : ' ');
      n = 1;
    }
    else if (n == 0) {
      printf ("\\x%02x", *p);
      n = 1;
    }
    else if (is_control (c)) {
      for (i = 0; i < n; ++i)
        printf ("\\x%02x", p[i]);
    }
    else
      fwrite (p, 1, n, stdout);
    p += n;
  }
}

/* While the library runs where fd 1 is not its to write (during
 * --dump-plugin it is key=value lines that tools parse; in the check
 * process with -s it is the client's connection, for nbdkit moves
 * stdio aside only after get_ready), whatever it writes to fd 1 (a Go
 * package's init printing with fmt.Println, say) is sent to standard
 * error instead.  golang_stdout_divert returns the saved fd 1 (or -1
 * if it could not divert: then output is only less tidy) and
 * golang_stdout_restore puts it back.
 */
int
golang_stdout_divert (void)
{
  int saved;

  /* Our own lines still in stdio's buffer go out first. */
  fflush (stdout);
  saved = fcntl (STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
  if (saved == -1)
    return -1;
  if (dup2 (STDERR_FILENO, STDOUT_FILENO) == -1) {
    close (saved);
    return -1;
  }
  return saved;
}

void
golang_stdout_restore (int saved)
{
  if (saved == -1)
    return;
  fflush (stdout);
  dup2 (saved, STDOUT_FILENO);
  close (saved);
}
