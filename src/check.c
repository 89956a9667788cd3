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

/* The check process.
 *
 * A Go runtime must never be forked, yet nbdkit forks after
 * .get_ready in its default mode and with --run.  To report a bad
 * configuration on the user's terminal (and make nbdkit exit
 * non-zero) before that, .config_complete forks a short-lived child
 * that runs the configuration phase (config.c: load the library,
 * replay the configuration, ask for the thread model, call get_ready),
 * writes the results to a pipe and exits.  The parent never runs library code.
 *
 * The parent must never hang waiting for a child that has gone
 * wrong: it stops reading when the pipe is closed or when the child
 * has exited (a grandchild may still hold the pipe open), and after
 * that waits only a bounded time before killing the child.  A child
 * that has not reported within NBDKIT_GOLANG_CHECK_TIMEOUT seconds
 * (default 60; 0 for no limit) is killed too, and the error names the
 * step it was in, which the child keeps in a page it shares with the
 * parent (progress.c).  Time spent waiting for the user to type a
 * password does not count.
 */

#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>
#include <time.h>
#include <sys/types.h>
#include <sys/wait.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#define NBDKIT_API_VERSION 2
#include <nbdkit-plugin.h>

#include "golang.h"
#include "cleanup.h"

/* How long the parent waits for the child to exit once the pipe is
 * closed, before it kills the child (in milliseconds).  It polls
 * every millisecond: the child normally exits within a few, and
 * every millisecond here is added to nbdkit's start-up time.
 */
#define EXIT_GRACE 10000

#define CHECK_TIMEOUT 60             /* seconds */
#define CHECK_TIMEOUT_MAX 86400

static int
check_timeout (int *seconds)
{
  const char *env = getenv ("NBDKIT_GOLANG_CHECK_TIMEOUT");
  char *end;
  long v;

  *seconds = CHECK_TIMEOUT;
  if (env == NULL)
    return 0;
  errno = 0;
  v = strtol (env, &end, 10);
  if (env[0] < '0' || env[0] > '9' || *end != '\0' || errno != 0 ||
      v > CHECK_TIMEOUT_MAX) {
    nbdkit_error ("NBDKIT_GOLANG_CHECK_TIMEOUT: '%s' is not a number of "
                  "seconds from 0 (no limit) to %d", env, CHECK_TIMEOUT_MAX);
    return -1;
  }
  *seconds = v;
  return 0;
}

static int64_t
now_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The message the child writes.  Both ends are the same binary, so
 * native byte order and layout are fine.  After the header come the
 * passwords the library read (golang_passwords_encode).
 */
#define CHECK_MAGIC 0x6e676f63          /* "ngoc" */
struct check_header {
  uint32_t magic;
  int32_t status;                       /* 0 = OK, -1 = failed */
  int32_t thread_model;
};

static int
write_full (int fd, const void *buf, size_t len)
{
  const char *p = buf;

  while (len > 0) {
    ssize_t n = write (fd, p, len);
    if (n == -1) {
      if (errno == EINTR)
        continue;
      return -1;
    }
    p += n;
    len -= n;
  }
  return 0;
}

/* The child.  Errors are printed here with nbdkit_error (stderr is
 * inherited); the parent only learns that it failed.
 */
static void __attribute__ ((noreturn))
run_child (int fd, pid_t parent)
{
  struct check_header h = { .magic = CHECK_MAGIC, .status = -1 };
  int model = -1;
  CLEANUP_FREE char *passwords = NULL;
  size_t len;

#ifdef __linux__
  /* If nbdkit dies, so does the check process. */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
  if (getppid () != parent)
    _exit (EXIT_FAILURE);
#else
  (void) parent;
#endif

  /* With -s, fd 1 is the client's connection until after get_ready. */
  golang_stdout_divert ();
  if (golang_config_phase (NBDKITGO_PHASE_CHECK, &model) == 0) {
    h.status = 0;
    h.thread_model = model;
  }

  golang_progress ("reporting to nbdkit");
  if (golang_passwords_encode (&passwords, &len) == -1 ||
      write_full (fd, &h, sizeof h) == -1 ||
      write_full (fd, passwords, len) == -1)
    _exit (EXIT_FAILURE);
  golang_wipe (passwords, len);
  close (fd);

  /* Let the library release what get_ready acquired (a lock on a
   * file, say) before the serving process acquires it again.
   */
  if (h.status == 0 && lib.cleanup)
    lib.cleanup ();
  if (lib.dl && lib.unload)
    lib.unload ();
  golang_passwords_free ();
  _exit (h.status == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}

/* Parse what the child wrote.  Returns the number of passwords if it
 * was a complete message, -1 if not.
 */
static int
parse_message (const char *buf, size_t len, struct check_header *h)
{
  if (len < sizeof *h)
    return -1;
  memcpy (h, buf, sizeof *h);
  if (h->magic != CHECK_MAGIC)
    return -1;
  return golang_passwords_decode (buf + sizeof *h, len - sizeof *h);
}

int
golang_check (int *thread_model)
{
  CLEANUP_CLOSE int rfd = -1;
  CLEANUP_FREE char *buf = NULL;
  size_t len = 0, cap = 0;
  int fds[2], wstatus = 0, i;
  bool exited = false, killed = false;
  int nr_passwords;
  struct check_header h;
  pid_t pid, parent = getpid ();
  int timeout_s;
  int64_t deadline;
  bool timed_out = false;
  char step[GOLANG_PROGRESS_STEP_MAX];

  if (check_timeout (&timeout_s) == -1)
    return -1;
  if (golang_progress_start () == -1)
    return -1;
  if (pipe2 (fds, O_CLOEXEC) == -1) {
    nbdkit_error ("pipe2: %m");
    golang_progress_end (NULL, 0);
    return -1;
  }

  fflush (stdout);
  fflush (stderr);
  pid = fork ();
  if (pid == -1) {
    nbdkit_error ("fork: %m");
    close (fds[0]);
    close (fds[1]);
    golang_progress_end (NULL, 0);
    return -1;
  }
  if (pid == 0) {
    close (fds[0]);
    run_child (fds[1], parent);
  }

  close (fds[1]);
  rfd = fds[0];
  nbdkit_debug ("golang: check process %d started", (int) pid);

  /* Read until EOF, or until the child has exited and the pipe is
   * drained, or until the time limit.
   */
  deadline = now_ms () + (int64_t) timeout_s * 1000;
  for (;;) {
    struct pollfd pfd = { .fd = rfd, .events = POLLIN };
    ssize_t n;
    int r;

    if (golang_progress_waiting_for_user ())
      deadline = now_ms () + (int64_t) timeout_s * 1000;
    if (timeout_s > 0 && !exited && now_ms () >= deadline) {
      timed_out = true;
      break;
    }
    r = poll (&pfd, 1, exited ? 0 : 1000);
    if (r == -1) {
      if (errno == EINTR)
        continue;
      nbdkit_error ("poll: %m");
      break;
    }
    if (r == 0) {
      if (exited)
        break;
      r = waitpid (pid, &wstatus, WNOHANG);
      if (r == pid || (r == -1 && errno == ECHILD))
        exited = true;
      continue;
    }

    if (len == cap) {
      char *p;

      cap = cap ? cap * 2 : 4096;
      p = realloc (buf, cap);
      if (p == NULL) {
        nbdkit_error ("realloc: %m");
        break;
      }
      buf = p;
    }
    n = read (rfd, buf + len, cap - len);
    if (n == -1) {
      if (errno == EINTR || errno == EAGAIN)
        continue;
      nbdkit_error ("read: check process pipe: %m");
      break;
    }
    if (n == 0)
      break;
    len += n;
  }

  golang_progress_end (step, sizeof step);
  if (timed_out) {
    kill (pid, SIGKILL);
    while (waitpid (pid, &wstatus, 0) == -1 && errno == EINTR)
      ;
    nbdkit_error ("%s: the check process did not finish loading and "
                  "configuring the library within %d seconds: it was "
                  "stuck in %s, and was killed (set "
                  "NBDKIT_GOLANG_CHECK_TIMEOUT to a number of seconds, "
                  "or 0 for no limit, if the library needs longer)",
                  script, timeout_s, step);
    return -1;
  }

  /* The pipe is closed: the child should exit at once. */
  for (i = 0; !exited && i < EXIT_GRACE; ++i) {
    int r = waitpid (pid, &wstatus, WNOHANG);
    if (r == pid || (r == -1 && errno == ECHILD))
      exited = true;
    else
      usleep (1000);
  }
  if (!exited) {
    kill (pid, SIGKILL);
    while (waitpid (pid, &wstatus, 0) == -1 && errno == EINTR)
      ;
    killed = true;
  }

  nr_passwords = parse_message (buf, len, &h);
  /* The message may hold passwords: wipe it whatever it said. */
  if (buf)
    golang_wipe (buf, len);
  if (nr_passwords >= 0) {
    if (killed)
      nbdkit_debug ("golang: check process did not exit after reporting; "
                    "killed it");
    if (h.status == -1)
      return -1;                /* The child printed the error. */
    *thread_model = h.thread_model;
    nbdkit_debug ("golang: check process succeeded: thread model %s, "
                  "%d password(s) read",
                  golang_thread_model_name (h.thread_model),
                  nr_passwords);
    return 0;
  }

  if (killed)
    nbdkit_error ("%s: the check process closed its pipe without "
                  "reporting a result and did not exit; killed it",
                  script);
  else if (WIFSIGNALED (wstatus))
    nbdkit_error ("%s: the check process died with signal %d (%s) "
                  "while loading and configuring the library",
                  script, WTERMSIG (wstatus), strsignal (WTERMSIG (wstatus)));
  else if (WIFEXITED (wstatus))
    nbdkit_error ("%s: the check process exited with status %d without "
                  "reporting a result (did the library call exit?)",
                  script, WEXITSTATUS (wstatus));
  else
    nbdkit_error ("%s: the check process failed without reporting a result",
                  script);
  return -1;
}
