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

/* What the check process is doing, in a page it shares with nbdkit.
 *
 * nbdkit kills a check process that has not reported in time
 * (check.c), and the error then names the step it was stuck in.  The
 * configuration phase records each step here before it starts it
 * (outside the check process nothing is shared and this does
 * nothing), and reading a password says that the user, not the
 * library, is being waited for: that time does not count.
 */

#include <config.h>

#include <stdio.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>

#define NBDKIT_API_VERSION 2
#include <nbdkit-plugin.h>

#include "golang.h"

#define MIN(a, b) ((a) < (b) ? (a) : (b))

struct check_progress {
  volatile int waiting_for_user;        /* reading a password */
  char step[GOLANG_PROGRESS_STEP_MAX];  /* what the child is doing */
};
static struct check_progress *progress;

/* In nbdkit, before it forks the check process: share the page. */
int
golang_progress_start (void)
{
  progress = mmap (NULL, sizeof *progress, PROT_READ | PROT_WRITE,
                   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (progress == MAP_FAILED) {
    nbdkit_error ("mmap: %m");
    progress = NULL;
    return -1;
  }
  strcpy (progress->step, "starting");
  return 0;
}

/* In nbdkit: is the check process waiting for the user? */
bool
golang_progress_waiting_for_user (void)
{
  return progress && progress->waiting_for_user;
}

/* In nbdkit, once the check process is done or stuck: copy the last
 * step it recorded into STEP (of LEN bytes) and let go of the page.
 */
void
golang_progress_end (char *step, size_t len)
{
  /* The check process may still be writing: copy at most the page's
   * bytes, then terminate.
   */
  if (progress && len > 0) {
    memcpy (step, progress->step, MIN (len, sizeof progress->step));
    step[MIN (len, sizeof progress->step) - 1] = '\0';
  }
  if (progress)
    munmap (progress, sizeof *progress);
  progress = NULL;
}

/* In the check process: record what it is about to do. */
void
golang_progress (const char *fmt, ...)
{
  va_list ap;

  if (progress == NULL)
    return;
  va_start (ap, fmt);
  vsnprintf (progress->step, sizeof progress->step, fmt, ap);
  va_end (ap);
}

/* In the check process: the user is (or no longer is) being asked. */
void
golang_progress_waiting (bool waiting)
{
  if (progress)
    progress->waiting_for_user = waiting;
}
