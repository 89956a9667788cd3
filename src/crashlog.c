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

/* Getting a Go crash report into nbdkit's log.
 *
 * A fatal error of the Go runtime (a panic in a goroutine of the
 * plugin, concurrent map writes, a stack overflow, running out of
 * memory, ...) cannot be recovered: the runtime writes its report and
 * the goroutines' stacks to fd 2 and kills the process.  Once nbdkit
 * has forked into the background its fd 2 is /dev/null and its log
 * goes to syslog, so the report would be lost.
 *
 * So when nbdkit's log does not go to standard error, the serving
 * process gets a forwarder before the library is loaded: a child
 * process that reads the serving process's fd 2 through a pipe,
 * copies everything to the original fd 2 unchanged, and from the
 * first line that starts a fatal error report on, also sends every
 * line through nbdkit_error, which writes it where nbdkit's log goes
 * (syslog, or nowhere with --log=null).  The forwarder is a copy of
 * nbdkit made before any library code runs, so its nbdkit_error is
 * nbdkit's own with nbdkit's settings; it outlives the serving
 * process, drains the pipe and exits at end of file.  When nbdkit's
 * log goes to standard error, the report already lands there and
 * nothing is changed.
 */

#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <syslog.h>
#include <unistd.h>
#include <sys/prctl.h>

#define NBDKIT_API_VERSION 2
#include <nbdkit-plugin.h>

#include "golang.h"

/* Does nbdkit_error write to fd 2?  Ask it, with fd 2 pointing at a
 * pipe and syslog masked so that nothing reaches the real log.
 */
static bool
log_goes_to_stderr (void)
{
  int fds[2], saved, mask;
  char c;
  bool r = true;                /* if in doubt, change nothing */

  if (pipe2 (fds, O_CLOEXEC | O_NONBLOCK) == -1)
    return r;
  fflush (stderr);
  saved = fcntl (STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
  if (saved >= 0 && dup2 (fds[1], STDERR_FILENO) >= 0) {
    mask = setlogmask (LOG_MASK (LOG_EMERG));
    nbdkit_error ("golang: where does the log go?");
    setlogmask (mask);
    fflush (stderr);
    dup2 (saved, STDERR_FILENO);
    r = read (fds[0], &c, 1) == 1;
  }
  if (saved >= 0)
    close (saved);
  close (fds[0]);
  close (fds[1]);
  return r;
}

/* The first line of every fatal error report: Go's runtime
 * (runtime/panic.go, signal handling) and glibc's assert.
 */
static bool
starts_report (const char *line)
{
  static const char *const prefixes[] = {
    "panic: ", "fatal error: ", "fatal: ", "runtime: ",
    "SIGSEGV", "SIGBUS", "SIGFPE", "SIGILL", "SIGABRT", "SIGTRAP",
    "SIGQUIT", "SIGSYS", "unexpected signal", "unexpected fault address",
    "runtime/cgo: ",
  };
  size_t i;

  for (i = 0; i < sizeof prefixes / sizeof prefixes[0]; ++i)
    if (strncmp (line, prefixes[i], strlen (prefixes[i])) == 0)
      return true;
  return strstr (line, ": Assertion `") != NULL;
}

/* Forward one line (without its newline). */
static void
forward_line (char *line, bool *reporting)
{
  if (!*reporting && starts_report (line))
    *reporting = true;
  if (*reporting)
    nbdkit_error ("%s", line);
}

static void __attribute__ ((noreturn))
forwarder (int rfd, int outfd)
{
  static const int ignored[] = { SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGPIPE };
  char buf[8192];
  size_t len = 0, i;
  bool reporting = false;
  int fd, maxfd;

  /* Only the pipe and the original fd 2 stay open: above all, no
   * listening socket of nbdkit's may outlive it here.
   */
  if (dup2 (rfd, 3) == -1 || dup2 (outfd, STDERR_FILENO) == -1)
    _exit (EXIT_FAILURE);
  maxfd = sysconf (_SC_OPEN_MAX);
  if (maxfd < 0 || maxfd > 65536)
    maxfd = 65536;
  for (fd = 4; fd < maxfd; ++fd)
    close (fd);
  rfd = 3;
  fd = open ("/dev/null", O_RDWR);
  if (fd >= 0) {
    dup2 (fd, STDIN_FILENO);
    dup2 (fd, STDOUT_FILENO);
    if (fd > STDERR_FILENO && fd != rfd)
      close (fd);
  }
  for (i = 0; i < sizeof ignored / sizeof ignored[0]; ++i)
    signal (ignored[i], SIG_IGN);
  if (chdir ("/") == -1)
    _exit (EXIT_FAILURE);
#ifdef PR_SET_NAME
  prctl (PR_SET_NAME, "golang-crashlog");
#endif

  for (;;) {
    ssize_t n = read (rfd, buf + len, sizeof buf - 1 - len);
    char *start, *nl;

    if (n == -1 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    /* Everything goes to the original fd 2 as it came. */
    if (write (STDERR_FILENO, buf + len, n) == -1) {
      /* Nothing better to do: the log still gets the report. */
    }
    len += n;
    buf[len] = '\0';
    start = buf;
    while ((nl = memchr (start, '\n', buf + len - start)) != NULL) {
      *nl = '\0';
      forward_line (start, &reporting);
      start = nl + 1;
    }
    len -= start - buf;
    memmove (buf, start, len);
    if (len == sizeof buf - 1) {   /* a very long line: forward a part */
      buf[len] = '\0';
      forward_line (buf, &reporting);
      len = 0;
    }
  }
  if (len > 0) {
    buf[len] = '\0';
    forward_line (buf, &reporting);
  }
  if (reporting)
    nbdkit_error ("golang: %s: the serving process ended after the fatal "
                  "error above", script);
  _exit (EXIT_SUCCESS);
}

/* Called in the serving process before the library is loaded. */
void
golang_crashlog_start (void)
{
  int fds[2], outfd;
  pid_t pid;

  if (log_goes_to_stderr ())
    return;
  outfd = fcntl (STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
  if (outfd == -1 || pipe2 (fds, O_CLOEXEC) == -1) {
    nbdkit_debug ("golang: crash log forwarder: %m");
    if (outfd >= 0)
      close (outfd);
    return;
  }
  fflush (stderr);
  pid = fork ();
  if (pid == -1) {
    nbdkit_debug ("golang: crash log forwarder: fork: %m");
    close (fds[0]);
    close (fds[1]);
    close (outfd);
    return;
  }
  if (pid == 0) {
    close (fds[1]);
    forwarder (fds[0], outfd);
  }
  close (fds[0]);
  close (outfd);
  /* fd 2 is now the pipe (dup2 leaves it without FD_CLOEXEC). */
  if (dup2 (fds[1], STDERR_FILENO) == -1)
    nbdkit_debug ("golang: crash log forwarder: dup2: %m");
  close (fds[1]);
  nbdkit_debug ("golang: fatal error reports go to nbdkit's log "
                "through process %d", (int) pid);
}
