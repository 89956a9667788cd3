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
 * that loads the library, replays the configuration, asks for the
 * thread model, calls get_ready, writes the results to a pipe and
 * exits.  The parent never runs library code.
 *
 * The parent must never hang waiting for a child that has gone
 * wrong: it stops reading when the pipe is closed or when the child
 * has exited (a grandchild may still hold the pipe open), and after
 * that waits only a bounded time before killing the child.  A child
 * that has not reported within NBDKIT_GOLANG_CHECK_TIMEOUT seconds
 * (default 60; 0 for no limit) is killed too, and the error names the
 * phase it was in, which the child keeps in a page it shares with
 * the parent.  Time spent waiting for the user to type a password
 * does not count.
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
#include <stdarg.h>
#include <time.h>
#include <sys/mman.h>
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

/* Shared between the check process and nbdkit while it runs. */
struct check_progress {
  volatile int waiting_for_user;        /* reading a password */
  char phase[120];                      /* what the child is doing */
};
static struct check_progress *progress;

/* In the check process: record what it is about to do. */
void
golang_phase (const char *fmt, ...)
{
  va_list ap;

  if (progress == NULL)
    return;
  va_start (ap, fmt);
  vsnprintf (progress->phase, sizeof progress->phase, fmt, ap);
  va_end (ap);
}

/* In the check process: the user is (or no longer is) being asked. */
void
golang_phase_waiting (bool waiting)
{
  if (progress)
    progress->waiting_for_user = waiting;
}

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

static void
golang_check_unmap (void)
{
  if (progress)
    munmap (progress, sizeof *progress);
  progress = NULL;
}

/* The message the child writes.  Both ends are the same binary, so
 * native byte order and layout are fine.  After the header come
 * nr_passwords records: int32_t r, uint32_t len, len bytes.
 */
#define CHECK_MAGIC 0x6e676f63          /* "ngoc" */
struct check_header {
  uint32_t magic;
  int32_t status;                       /* 0 = OK, -1 = failed */
  int32_t thread_model;
  uint32_t nr_passwords;
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
  struct nbdkitgo_error err = { 0 };
  struct check_header h = { .magic = CHECK_MAGIC, .status = -1 };
  int model = -1;
  size_t i;

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
  golang_signals_save ();
  golang_phase ("loading the library (dlopen, the Go runtime, package "
                "init functions and nbdkitgo_init)");
  if (golang_load (NBDKITGO_PHASE_CHECK) == 0 &&
      golang_replay_config (true) == 0 &&
      golang_call_thread_model (&model) == 0) {
    int r = 0;

    if (lib.get_ready) {
      golang_phase ("get_ready");
      r = lib.get_ready (&err);
      TRACE ("get_ready () = %d", r);
      if (r == -1)
        golang_report ("get_ready", &err);
    }
    golang_phase ("reporting to nbdkit");
    if (r == 0 && golang_signals_check () == 0) {
      h.status = 0;
      h.thread_model = model;
    }
  }

  h.nr_passwords = golang_nr_passwords;
  if (write_full (fd, &h, sizeof h) == -1)
    _exit (EXIT_FAILURE);
  for (i = 0; i < golang_nr_passwords; ++i) {
    const struct golang_password *p = &golang_passwords[i];
    int32_t r = p->r;
    uint32_t len = p->password ? strlen (p->password) : 0;

    if (write_full (fd, &r, sizeof r) == -1 ||
        write_full (fd, &len, sizeof len) == -1 ||
        write_full (fd, p->password, len) == -1)
      _exit (EXIT_FAILURE);
  }
  close (fd);

  /* Let the library release what get_ready acquired (a lock on a
   * file, say) before the serving process acquires it again.
   */
  if (h.status == 0 && lib.cleanup)
    lib.cleanup ();
  if (lib.dl && lib.unload)
    lib.unload ();
  golang_free_passwords ();
  _exit (h.status == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}

/* Parse what the child wrote.  Returns 1 if it was a complete
 * message, 0 if not.
 */
static int
parse_message (const char *buf, size_t len, struct check_header *h)
{
  size_t pos = sizeof *h;
  uint32_t i;

  if (len < sizeof *h)
    return 0;
  memcpy (h, buf, sizeof *h);
  if (h->magic != CHECK_MAGIC)
    return 0;

  golang_free_passwords ();
  for (i = 0; i < h->nr_passwords; ++i) {
    int32_t r;
    uint32_t plen;
    CLEANUP_FREE char *password = NULL;

    if (len - pos < sizeof r + sizeof plen)
      return 0;
    memcpy (&r, buf + pos, sizeof r);
    memcpy (&plen, buf + pos + sizeof r, sizeof plen);
    pos += sizeof r + sizeof plen;
    if (len - pos < plen)
      return 0;
    if (r == 0) {
      password = strndup (buf + pos, plen);
      if (password == NULL) {
        nbdkit_error ("strndup: %m");
        return 0;
      }
    }
    pos += plen;
    if (golang_add_password (r == 0 ? 0 : -1, password) == -1)
      return 0;
    if (password)
      golang_wipe (password, plen);
  }
  return pos == len;
}

int
golang_check (int *thread_model)
{
  CLEANUP_CLOSE int rfd = -1;
  CLEANUP_FREE char *buf = NULL;
  size_t len = 0, cap = 0;
  int fds[2], wstatus = 0, i;
  bool exited = false, killed = false, ok;
  struct check_header h;
  pid_t pid, parent = getpid ();
  int timeout_s;
  int64_t deadline;
  bool timed_out = false;
  char phase[sizeof progress->phase];

  if (check_timeout (&timeout_s) == -1)
    return -1;
  progress = mmap (NULL, sizeof *progress, PROT_READ | PROT_WRITE,
                   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (progress == MAP_FAILED) {
    nbdkit_error ("mmap: %m");
    progress = NULL;
    return -1;
  }
  strcpy (progress->phase, "starting");
  if (pipe2 (fds, O_CLOEXEC) == -1) {
    nbdkit_error ("pipe2: %m");
    golang_check_unmap ();
    return -1;
  }

  fflush (stdout);
  fflush (stderr);
  pid = fork ();
  if (pid == -1) {
    nbdkit_error ("fork: %m");
    close (fds[0]);
    close (fds[1]);
    golang_check_unmap ();
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

    if (progress->waiting_for_user)
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

  memcpy (phase, progress->phase, sizeof phase);
  phase[sizeof phase - 1] = '\0';
  golang_check_unmap ();
  if (timed_out) {
    kill (pid, SIGKILL);
    while (waitpid (pid, &wstatus, 0) == -1 && errno == EINTR)
      ;
    golang_free_passwords ();
    nbdkit_error ("%s: the check process did not finish loading and "
                  "configuring the library within %d seconds: it was "
                  "stuck in %s, and was killed (set "
                  "NBDKIT_GOLANG_CHECK_TIMEOUT to a number of seconds, "
                  "or 0 for no limit, if the library needs longer)",
                  script, timeout_s, phase);
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

  ok = parse_message (buf, len, &h);
  /* The message may hold passwords: wipe it whatever it said. */
  if (buf)
    golang_wipe (buf, len);
  if (ok) {
    if (killed)
      nbdkit_debug ("golang: check process did not exit after reporting; "
                    "killed it");
    if (h.status == -1)
      return -1;                /* The child printed the error. */
    *thread_model = h.thread_model;
    nbdkit_debug ("golang: check process succeeded: thread model %s, "
                  "%u password(s) read",
                  golang_thread_model_name (h.thread_model),
                  (unsigned) h.nr_passwords);
    return 0;
  }

  golang_free_passwords ();
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
