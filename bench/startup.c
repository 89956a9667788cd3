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

/* startup: how long a server takes from exec to accepting connections
 * on its Unix socket, and how much memory it holds once idle.
 *
 *   startup SOCKET CLIENT-COMMAND -- nbdkit -f -U SOCKET ...
 *
 * Runs the server, polls connect(2) on SOCKET every 200 us and prints
 * the elapsed time when the first connection receives the server's
 * greeting (it then says NBD_OPT_ABORT politely).  Then it runs
 * CLIENT-COMMAND with sh -c (one real NBD connection, e.g. nbdinfo),
 * waits 200 ms, reads VmRSS of the server from /proc, stops the server
 * with SIGTERM and prints one line:
 *   startup_ms rss_kib
 */

#define _GNU_SOURCE 1

#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <errno.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

static double
now_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static long
rss_kib (pid_t pid)
{
  char path[64], line[256];
  FILE *fp;
  long r = -1;

  snprintf (path, sizeof path, "/proc/%d/status", (int) pid);
  fp = fopen (path, "r");
  if (fp == NULL)
    return -1;
  while (fgets (line, sizeof line, fp))
    if (sscanf (line, "VmRSS: %ld", &r) == 1)
      break;
  fclose (fp);
  return r;
}

int
main (int argc, char *argv[])
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  struct timespec tick = { .tv_sec = 0, .tv_nsec = 200000 };
  const char *sockpath, *client;
  double start, elapsed = -1, timeout_ms = 30000;
  pid_t pid;
  int status, fd;
  long rss;

  if (argc < 5 || strcmp (argv[3], "--") != 0) {
    fprintf (stderr, "usage: startup SOCKET CLIENT-COMMAND -- SERVER...\n");
    exit (EXIT_FAILURE);
  }
  sockpath = argv[1];
  client = argv[2];
  if (strlen (sockpath) >= sizeof addr.sun_path) {
    fprintf (stderr, "startup: socket path too long\n");
    exit (EXIT_FAILURE);
  }
  strcpy (addr.sun_path, sockpath);
  unlink (sockpath);

  if (getenv ("STARTUP_TIMEOUT"))
    timeout_ms = atof (getenv ("STARTUP_TIMEOUT")) * 1000;

  start = now_ms ();
  pid = fork ();
  if (pid == -1) {
    perror ("fork");
    exit (EXIT_FAILURE);
  }
  if (pid == 0) {
    execvp (argv[4], &argv[4]);
    perror (argv[4]);
    _exit (EXIT_FAILURE);
  }

  /* Give up after $STARTUP_TIMEOUT seconds (default 30: a server that
   * builds its plugin from source first needs more) or when the
   * server dies.
   */
  while (now_ms () - start < timeout_ms) {
    fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd == -1) {
      perror ("socket");
      break;
    }
    if (connect (fd, (struct sockaddr *) &addr, sizeof addr) == 0) {
      /* Wait for the first bytes of the handshake ("NBDMAGIC"): the
       * server is really serving, and closing after reading them
       * does not make it log a broken pipe.
       */
      struct pollfd pfd = { .fd = fd, .events = POLLIN };
      char greeting[18];
      /* Client flags (FIXED_NEWSTYLE | NO_ZEROES), then NBD_OPT_ABORT. */
      static const unsigned char bye[] = {
        0, 0, 0, 3,
        'I', 'H', 'A', 'V', 'E', 'O', 'P', 'T', 0, 0, 0, 2, 0, 0, 0, 0
      };

      if (poll (&pfd, 1, 10000) == 1 &&
          recv (fd, greeting, sizeof greeting, MSG_WAITALL) ==
          sizeof greeting &&
          memcmp (greeting, "NBDMAGIC", 8) == 0) {
        elapsed = now_ms () - start;
        if (write (fd, bye, sizeof bye) == sizeof bye)
          recv (fd, greeting, sizeof greeting, MSG_WAITALL);
      }
      close (fd);
      break;
    }
    close (fd);
    if (waitpid (pid, &status, WNOHANG) == pid) {
      fprintf (stderr, "startup: server exited before accepting\n");
      exit (EXIT_FAILURE);
    }
    nanosleep (&tick, NULL);
  }
  if (elapsed < 0) {
    fprintf (stderr, "startup: timed out\n");
    kill (pid, SIGKILL);
    waitpid (pid, &status, 0);
    exit (EXIT_FAILURE);
  }

  if (system (client) != 0)
    fprintf (stderr, "startup: client command failed: %s\n", client);
  tick.tv_nsec = 200000000;
  nanosleep (&tick, NULL);
  rss = rss_kib (pid);

  kill (pid, SIGTERM);
  waitpid (pid, &status, 0);
  printf ("%.2f %ld\n", elapsed, rss);
  return rss >= 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
