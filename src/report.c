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

/* Reporting what the library says.  Its errors arrive in struct
 * nbdkitgo_error and are reported on the nbdkit thread that made the
 * call; a message that came with a success goes to the debug log; and
 * -D golang.trace=1 traces every call (the TRACE macro in golang.h).
 */

#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>

#define NBDKIT_API_VERSION 2
#include <nbdkit-plugin.h>

#include "golang.h"

/* -D golang.trace=1: trace every callback with arguments and result. */
NBDKIT_DLL_PUBLIC int golang_debug_trace = 0;

/* Report an error that the library returned through its
 * nbdkitgo_error, on the thread that made the call, and free the
 * message.  A failure without a message still gets a log line that
 * names the callback, and an errno that is not one becomes EIO
 * (golang_errno).  Always returns -1.
 */
int
golang_report (const char *what, struct nbdkitgo_error *err)
{
  int errnum = golang_errno (err->errnum);

  TRACE ("%s: error: errno=%d msg=%s",
         what, err->errnum, err->msg ? err->msg : "(null)");
  if (err->msg)
    nbdkit_error ("%s", err->msg);
  else
    nbdkit_error ("%s: %s failed (%s)",
                  script, what, strerror (errnum));
  nbdkit_set_error (errnum);
  free (err->msg);
  err->msg = NULL;
  return -1;
}

/* A callback that succeeded but also set a message: it is no error,
 * so it goes only to the debug log, and it is freed.
 */
void
golang_discard (const char *what, struct nbdkitgo_error *err)
{
  if (err->msg == NULL)
    return;
  nbdkit_debug ("golang: %s: %s succeeded and said: %s",
                script, what, err->msg);
  free (err->msg);
  err->msg = NULL;
}

/* A library (or a C library it calls) can produce anything: 0, -5,
 * 1<<31.  The ABI's rule (nbdkitgo-abi.h, NBDKITGO_ERRNO_MAX): what is
 * not 1 to NBDKITGO_ERRNO_MAX becomes EIO.
 */
int
golang_errno (int errnum)
{
  return errnum > 0 && errnum <= NBDKITGO_ERRNO_MAX ? errnum : EIO;
}
