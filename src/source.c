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

/* Source mode: script= names Go source (a .go file or a directory)
 * instead of a built library.  Before nbdkit can fork, and so before
 * any Go runtime could start in nbdkit's process, the loader builds
 * it with "go build -buildmode=c-shared" in a child process, into a
 * per-user cache, and from then on serves the result exactly like a
 * library given with script=.
 *
 * The cache is keyed by a SHA-256 of every input that can change the
 * library: the toolchain, the build-relevant environment, the Go
 * environment file, and the files of the module (its Go, cgo and
 * module files, whatever the sources embed, local replace targets,
 * go.work and its modules) or, for source outside any module, the
 * source and the golib it is built against.  A key that is already
 * in the cache is loaded without running any program.  Builds of one
 * key are serialised with a lock file and renamed into place, so
 * concurrent starts all load one complete library.
 */

#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <stdarg.h>
#include <stdint.h>
#include <inttypes.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <dlfcn.h>
#include <glob.h>
#include <limits.h>
#include <signal.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#define NBDKIT_API_VERSION 2
#include <nbdkit-plugin.h>

#include "golang.h"
#include "cleanup.h"
#include "sha256.h"

/* -D golang.build=1: print what the build does on stderr (with -v
 * alone it is in the debug log).
 */
NBDKIT_DLL_PUBLIC int golang_debug_build = 0;

/* The oldest Go that can build golib. */
#define GO_MIN_MAJOR 1
#define GO_MIN_MINOR 19


/* What --dump-plugin and the debug log tell about the build. */
static char *source;            /* absolute path of the source */
static char *go_cmd;            /* the go command used */
static char *go_version;        /* its version, e.g. go1.26.1 */
static const char *cache_state; /* "hit", "built", ... */
/* A private temporary cache (no usable home directory), removed as
 * soon as the library is open.
 */
static char *tmp_cache;

extern char **environ;

static void __attribute__ ((format (printf, 1, 2)))
build_log (const char *fs, ...)
{
  va_list args;
  char *msg = NULL;

  va_start (args, fs);
  if (vasprintf (&msg, fs, args) == -1)
    msg = NULL;
  va_end (args);
  if (msg == NULL)
    return;
  if (golang_debug_build)
    fprintf (stderr, "nbdkit: golang: build: %s\n", msg);
  else
    nbdkit_debug ("golang: build: %s", msg);
  free (msg);
}

/* asprintf, returning the string or NULL. */
static char * __attribute__ ((format (printf, 1, 2)))
xasprintf (const char *fs, ...)
{
  va_list args;
  char *s;
  int r;

  va_start (args, fs);
  r = vasprintf (&s, fs, args);
  va_end (args);
  return r == -1 ? NULL : s;
}

static bool
has_suffix (const char *s, const char *suffix)
{
  size_t n = strlen (s), m = strlen (suffix);

  return n >= m && strcmp (s + n - m, suffix) == 0;
}

/* Remove a directory tree (our own build directories only). */
static void
remove_tree (const char *path)
{
  DIR *d = opendir (path);
  struct dirent *e;

  if (d) {
    while ((e = readdir (d)) != NULL) {
      CLEANUP_FREE char *p = NULL;
      struct stat st;

      if (strcmp (e->d_name, ".") == 0 || strcmp (e->d_name, "..") == 0)
        continue;
      if (asprintf (&p, "%s/%s", path, e->d_name) == -1)
        continue;
      if (lstat (p, &st) == 0 && S_ISDIR (st.st_mode))
        remove_tree (p);
      else
        unlink (p);
    }
    closedir (d);
  }
  rmdir (path);
}

static char *
read_file (const char *path, size_t *len_out)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  char *buf = NULL;
  size_t len = 0, cap = 0;

  if (fd == -1)
    return NULL;
  for (;;) {
    ssize_t n;

    if (cap - len < 65536) {
      char *p = realloc (buf, cap + 65536 + 1);
      if (p == NULL) {
        free (buf);
        close (fd);
        return NULL;
      }
      buf = p;
      cap += 65536;
    }
    n = read (fd, buf + len, cap - len);
    if (n == -1 && errno == EINTR)
      continue;
    if (n == -1) {
      int e = errno;
      free (buf);
      close (fd);
      errno = e;
      return NULL;
    }
    if (n == 0)
      break;
    len += n;
  }
  close (fd);
  buf[len] = '\0';
  if (len_out)
    *len_out = len;
  return buf;
}

static int
write_file (const char *path, const char *text)
{
  FILE *fp = fopen (path, "we");

  if (fp == NULL) {
    nbdkit_error ("%s: %m", path);
    return -1;
  }
  fputs (text, fp);
  if (fclose (fp) == EOF) {
    nbdkit_error ("%s: %m", path);
    return -1;
  }
  return 0;
}

/* Hashing the inputs.  Every item is tagged and length-prefixed, so
 * that no two different sets of inputs hash the same stream.
 */
static void
hash_item (struct sha256 *h, const char *tag, const void *data, size_t len)
{
  uint64_t n = len;

  sha256_update (h, tag, strlen (tag) + 1);
  sha256_update (h, &n, sizeof n);
  sha256_update (h, data, len);
}

static void
hash_str (struct sha256 *h, const char *tag, const char *s)
{
  hash_item (h, tag, s ? s : "", s ? strlen (s) : 0);
}

/* Hash a file's name and contents (a missing file hashes as such). */
static void
hash_file (struct sha256 *h, const char *tag, const char *path)
{
  size_t len;
  CLEANUP_FREE char *data = read_file (path, &len);

  hash_str (h, tag, path);
  if (data)
    hash_item (h, "contents", data, len);
  else
    hash_str (h, "missing", strerror (errno));
}

/* Every file under path, whatever its name (an embedded directory). */
static void
hash_all_files (struct sha256 *h, const char *path)
{
  struct dirent **names = NULL;
  struct stat st;
  int i, n;

  if (stat (path, &st) == -1 || !S_ISDIR (st.st_mode)) {
    hash_file (h, "embed", path);
    return;
  }
  n = scandir (path, &names, NULL, alphasort);
  for (i = 0; i < n; ++i) {
    CLEANUP_FREE char *p = NULL;

    if (strcmp (names[i]->d_name, ".") != 0 &&
        strcmp (names[i]->d_name, "..") != 0 &&
        asprintf (&p, "%s/%s", path, names[i]->d_name) != -1)
      hash_all_files (h, p);
    free (names[i]);
  }
  free (names);
}

/* The line after line in a text, or NULL at the end. */
static const char *
next_line (const char *line)
{
  const char *nl = strchr (line, '\n');

  return nl && nl[1] ? nl + 1 : NULL;
}

/* A copy of s with glob's special characters escaped. */
static char *
glob_escape (const char *s)
{
  char *r = malloc (2 * strlen (s) + 1), *q = r;

  if (r == NULL)
    return NULL;
  for (; *s; ++s) {
    if (strchr ("*?[]\\", *s))
      *q++ = '\\';
    *q++ = *s;
  }
  *q = '\0';
  return r;
}

/* The files a Go source file embeds: the patterns of its //go:embed
 * lines, matched in dir.  A pattern that names a directory embeds
 * all of it.
 */
static void
hash_embeds (struct sha256 *h, const char *dir, const char *text)
{
  const char *line = text;
  CLEANUP_FREE char *edir = glob_escape (dir);

  if (edir == NULL)
    return;
  for (; line; line = next_line (line)) {
    const char *p = line + strspn (line, " \t");
    const char *end = p + strcspn (p, "\n");

    if (strncmp (p, "//go:embed", 10) != 0 || (p[10] != ' ' && p[10] != '\t'))
      continue;
    p += 10;
    for (;;) {
      CLEANUP_FREE char *pat = NULL;
      CLEANUP_FREE char *full = NULL;
      const char *start;
      size_t len;
      glob_t g;
      size_t i;

      p += strspn (p, " \t\r");
      if (p >= end)
        break;
      if (*p == '"' || *p == '`') {
        char q = *p++;
        start = p;
        while (p < end && *p != q)
          p += (*p == '\\' && q == '"' && p + 1 < end) ? 2 : 1;
        len = p - start;
        if (p < end)
          p++;
      }
      else {
        start = p;
        p += strcspn (p, " \t\r\n");
        len = p - start;
      }
      pat = strndup (start, len);
      if (pat == NULL)
        return;
      if (asprintf (&full, "%s/%s", edir,
                    strncmp (pat, "all:", 4) == 0 ? pat + 4 : pat) == -1)
        return;
      hash_str (h, "embed pattern", pat);
      if (glob (full, 0, NULL, &g) == 0) {
        for (i = 0; i < g.gl_pathc; ++i)
          hash_all_files (h, g.gl_pathv[i]);
        globfree (&g);
      }
    }
  }
}

/* The files of a Go build: Go, cgo and assembler sources, module
 * files, and the vendor manifest.
 */
static bool
is_build_file (const char *name)
{
  static const char *const exts[] = {
    ".go", ".c", ".cc", ".cpp", ".cxx", ".m", ".h", ".hh", ".hpp", ".hxx",
    ".f", ".F", ".for", ".f90", ".s", ".S", ".sx", ".swig", ".swigcxx",
    ".syso",
  };
  size_t i;

  if (strcmp (name, "go.mod") == 0 || strcmp (name, "go.sum") == 0 ||
      strcmp (name, "go.work") == 0 || strcmp (name, "go.work.sum") == 0 ||
      strcmp (name, "modules.txt") == 0)
    return true;
  for (i = 0; i < sizeof exts / sizeof exts[0]; ++i)
    if (has_suffix (name, exts[i]))
      return true;
  return false;
}

/* A build file: its name and contents, and what it embeds. */
static void
hash_source_file (struct sha256 *h, const char *path)
{
  size_t len;
  CLEANUP_FREE char *data = read_file (path, &len);
  CLEANUP_FREE char *dir = strdup (path);
  char *slash;

  hash_str (h, "file", path);
  if (data == NULL) {
    hash_str (h, "missing", strerror (errno));
    return;
  }
  hash_item (h, "contents", data, len);
  if (dir && has_suffix (path, ".go") && (slash = strrchr (dir, '/'))) {
    *slash = '\0';
    hash_embeds (h, *dir ? dir : "/", data);
  }
}

/* The build files of the module rooted at dir: every directory below
 * it except hidden ones (no import path can name them), symbolic
 * links to directories (the go command does not follow them either)
 * and nested modules.
 */
static void
hash_module_tree (struct sha256 *h, const char *dir, bool root)
{
  struct dirent **names = NULL;
  int i, n;

  if (!root) {
    CLEANUP_FREE char *gomod = NULL;
    if (asprintf (&gomod, "%s/go.mod", dir) != -1 &&
        access (gomod, F_OK) == 0)
      return;
  }
  n = scandir (dir, &names, NULL, alphasort);
  if (n == -1) {
    hash_str (h, "unreadable directory", dir);
    return;
  }
  for (i = 0; i < n; ++i) {
    const char *name = names[i]->d_name;
    CLEANUP_FREE char *p = NULL;
    struct stat st;

    if (name[0] != '.' && asprintf (&p, "%s/%s", dir, name) != -1 &&
        lstat (p, &st) == 0) {
      if (S_ISDIR (st.st_mode))
        hash_module_tree (h, p, false);
      else if (is_build_file (name) &&
               (S_ISREG (st.st_mode) ||
                (S_ISLNK (st.st_mode) && stat (p, &st) == 0 &&
                 S_ISREG (st.st_mode))))
        hash_source_file (h, p);
    }
    free (names[i]);
  }
  free (names);
}

/* Split the next token of a go.mod or go.work line (quoted strings
 * allowed), or NULL at the end of the line or at a comment.
 */
static char *
next_token (const char **pp)
{
  const char *p = *pp, *start;
  char *tok;

  p += strspn (p, " \t\r");
  if (*p == '\0' || *p == '\n' || (p[0] == '/' && p[1] == '/'))
    return NULL;
  if (*p == '"' || *p == '`') {
    char q = *p++;
    start = p;
    while (*p && *p != '\n' && *p != q)
      p++;
    tok = strndup (start, p - start);
    if (*p == q)
      p++;
  }
  else {
    start = p;
    p += strcspn (p, " \t\r\n");
    tok = strndup (start, p - start);
  }
  *pp = p;
  return tok;
}

static bool
is_local_path (const char *p)
{
  return p[0] == '/' || strncmp (p, "./", 2) == 0 ||
    strncmp (p, "../", 3) == 0 || strcmp (p, ".") == 0 ||
    strcmp (p, "..") == 0;
}

/* Follow the directives of a go.mod or go.work in dir that point at
 * other directories (use, and replace with a local path) and hash
 * those modules too.
 */
static void
hash_local_modules (struct sha256 *h, const char *dir, const char *text)
{
  const char *line = text;
  char block[16] = "";

  for (; line; line = next_line (line)) {
    const char *p = line;
    CLEANUP_FREE char *first = next_token (&p);
    char *target = NULL, *tok;
    const char *verb;

    if (first == NULL)
      continue;
    if (strcmp (first, ")") == 0) {
      block[0] = '\0';
      continue;
    }
    if (block[0])
      verb = block;
    else if (strcmp (first, "use") == 0 || strcmp (first, "replace") == 0) {
      CLEANUP_FREE char *second = next_token (&p);

      verb = first;
      if (second && strcmp (second, "(") == 0) {
        snprintf (block, sizeof block, "%s", first);
        continue;
      }
      if (second == NULL)
        continue;
      if (strcmp (verb, "use") == 0)
        target = strdup (second);
      else if (strcmp (second, "=>") == 0)
        target = next_token (&p);
    }
    else
      continue;

    if (target == NULL && strcmp (verb, "use") == 0 && block[0])
      target = strdup (first);
    /* replace MODULE [VERSION] => TARGET [VERSION] */
    while (target == NULL && (tok = next_token (&p)) != NULL) {
      bool arrow = strcmp (tok, "=>") == 0;
      free (tok);
      if (arrow)
        target = next_token (&p);
    }
    if (target && is_local_path (target)) {
      CLEANUP_FREE char *path = NULL;

      if (target[0] == '/' ? (path = strdup (target)) != NULL
          : asprintf (&path, "%s/%s", dir, target) != -1) {
        hash_str (h, verb, path);
        hash_module_tree (h, path, true);
      }
    }
    free (target);
  }
}

/* Look for name in dir and every directory above it, as the go
 * command does.  Returns the directory, or NULL.
 */
static char *
find_upwards (const char *dir, const char *name)
{
  char *d = strdup (dir);

  while (d) {
    CLEANUP_FREE char *p = NULL;
    char *slash;

    if (asprintf (&p, "%s/%s", strcmp (d, "/") == 0 ? "" : d, name) == -1)
      break;
    if (access (p, F_OK) == 0)
      return d;
    slash = strrchr (d, '/');
    if (slash == NULL || strcmp (d, "/") == 0)
      break;
    if (slash == d)
      slash[1] = '\0';
    else
      *slash = '\0';
  }
  free (d);
  return NULL;
}

/* Run argv in dir with envp, its stdout and stderr collected in *out.
 * Returns the wait status, or -1 if it could not be run.
 */
static int
run (char **argv, char **envp, const char *dir, char **out)
{
  int fds[2], status;
  pid_t pid;
  char *buf = NULL;
  size_t len = 0, cap = 0;

  *out = NULL;
  if (pipe2 (fds, O_CLOEXEC) == -1) {
    nbdkit_error ("pipe2: %m");
    return -1;
  }
  fflush (stdout);
  fflush (stderr);
  pid = fork ();
  if (pid == -1) {
    nbdkit_error ("fork: %m");
    close (fds[0]);
    close (fds[1]);
    return -1;
  }
  if (pid == 0) {
    sigset_t all;
    int fd, i;

    /* Nothing of nbdkit's state reaches the go command: not its
     * signal mask, not its sockets (socket activation), not its
     * stdout (the NBD connection with -s).
     */
    sigemptyset (&all);
    sigprocmask (SIG_SETMASK, &all, NULL);
    for (i = 1; i < NSIG; ++i)
      signal (i, SIG_DFL);
    fd = open ("/dev/null", O_RDONLY);
    if (fd == -1 || dup2 (fd, 0) == -1 ||
        dup2 (fds[1], 1) == -1 || dup2 (fds[1], 2) == -1)
      _exit (126);
    for (i = 3; i < 1024; ++i)
      close (i);
    if (chdir (dir) == -1) {
      fprintf (stderr, "%s: %m\n", dir);
      _exit (126);
    }
    execve (argv[0], argv, envp);
    fprintf (stderr, "%s: %m\n", argv[0]);
    _exit (127);
  }
  close (fds[1]);
  for (;;) {
    ssize_t n;

    if (cap - len < 4096) {
      char *p = realloc (buf, cap + 65536 + 1);
      if (p == NULL)
        break;
      buf = p;
      cap += 65536;
    }
    n = read (fds[0], buf + len, cap - len);
    if (n == -1 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    len += n;
  }
  close (fds[0]);
  if (buf)
    buf[len] = '\0';
  while (waitpid (pid, &status, 0) == -1)
    if (errno != EINTR) {
      nbdkit_error ("waitpid: %m");
      free (buf);
      return -1;
    }
  *out = buf ? buf : strdup ("");
  return status;
}

/* The go command, in the documented order: $NBDKIT_GOLANG_GO, the Go
 * that configure found, go on PATH.
 */
static int
find_go (void)
{
  const char *env = getenv ("NBDKIT_GOLANG_GO");
  const char *path = getenv ("PATH");
  const char *configured = GOLANG_CONFIGURED;

  if (env && *env) {
    if (strchr (env, '/') == NULL) {
      nbdkit_error ("NBDKIT_GOLANG_GO=%s: give the path of the go command, "
                    "e.g. NBDKIT_GOLANG_GO=/usr/local/go/bin/go", env);
      return -1;
    }
    if (access (env, X_OK) == -1) {
      nbdkit_error ("NBDKIT_GOLANG_GO=%s: cannot run it: %m", env);
      return -1;
    }
    go_cmd = strdup (env);
    return go_cmd ? 0 : -1;
  }
  if (configured[0] == '/' && access (configured, X_OK) == 0) {
    go_cmd = strdup (configured);
    return go_cmd ? 0 : -1;
  }
  while (path && *path) {
    size_t n = strcspn (path, ":");
    CLEANUP_FREE char *p = NULL;

    if (n > 0 && asprintf (&p, "%.*s/go", (int) n, path) != -1 &&
        access (p, X_OK) == 0) {
      go_cmd = p;
      p = NULL;
      return 0;
    }
    path += n + (path[n] == ':');
  }
  nbdkit_error ("%s: no Go toolchain to build it with: looked for "
                "$NBDKIT_GOLANG_GO (not set), %s%s and go on $PATH "
                "(not found); install Go %d.%d or later, or set "
                "NBDKIT_GOLANG_GO=/path/to/go",
                source,
                configured[0] == '/' ? configured : "the Go that configure "
                "found (none)",
                configured[0] == '/' ? " (configured; not found)" : "",
                GO_MIN_MAJOR, GO_MIN_MINOR);
  return -1;
}

/* Identify the toolchain for the key and check its version.  The
 * usual install (GOROOT/bin/go beside GOROOT/VERSION) is identified
 * without running anything; otherwise "go env" is asked.
 */
static int
identify_go (struct sha256 *h)
{
  char real[PATH_MAX];
  struct stat st;
  CLEANUP_FREE char *goroot = NULL;
  CLEANUP_FREE char *version_file = NULL;
  CLEANUP_FREE char *text = NULL;
  char *slash;
  int major = 0, minor = 0;

  if (realpath (go_cmd, real) == NULL || stat (real, &st) == -1) {
    nbdkit_error ("%s: %m", go_cmd);
    return -1;
  }
  hash_str (h, "go", go_cmd);
  hash_str (h, "go realpath", real);
  hash_item (h, "go stat", &st.st_size, sizeof st.st_size);
  hash_item (h, "go mtime", &st.st_mtim, sizeof st.st_mtim);

  goroot = strdup (real);
  if (goroot == NULL)
    return -1;
  if ((slash = strrchr (goroot, '/')) != NULL) {
    *slash = '\0';
    if (has_suffix (goroot, "/bin") && (slash = strrchr (goroot, '/')))
      *slash = '\0';
    else
      goroot[0] = '\0';
  }
  if (goroot[0] && getenv ("GOROOT") == NULL &&
      asprintf (&version_file, "%s/VERSION", goroot) != -1)
    text = read_file (version_file, NULL);
  if (text == NULL || strncmp (text, "go", 2) != 0) {
    char *argv[] = { go_cmd, (char *) "env", (char *) "GOVERSION",
                     (char *) "GOROOT", NULL };
    int status;

    free (text);
    text = NULL;
    status = run (argv, environ, "/", &text);
    if (status == -1)
      return -1;
    if (!WIFEXITED (status) || WEXITSTATUS (status) != 0 ||
        strncmp (text, "go", 2) != 0) {
      nbdkit_error ("%s: %s env GOVERSION failed (is it a Go toolchain? "
                    "Go %d.%d or later is needed): %s", source, go_cmd,
                    GO_MIN_MAJOR, GO_MIN_MINOR, text ? text : "");
      return -1;
    }
    free (goroot);
    goroot = strdup (text + strcspn (text, "\n") + (strchr (text, '\n') != NULL));
    if (goroot)
      goroot[strcspn (goroot, "\n")] = '\0';
  }
  hash_str (h, "go version", text);
  go_version = strndup (text, strcspn (text, "\n \t"));
  if (go_version == NULL)
    return -1;
  if (sscanf (go_version, "go%d.%d", &major, &minor) != 2 ||
      major < GO_MIN_MAJOR ||
      (major == GO_MIN_MAJOR && minor < GO_MIN_MINOR)) {
    nbdkit_error ("%s: %s is %s, but nbdkit-golang needs Go %d.%d or later "
                  "to build it; install a newer Go and point at it with "
                  "NBDKIT_GOLANG_GO=/path/to/go",
                  source, go_cmd, go_version, GO_MIN_MAJOR, GO_MIN_MINOR);
    return -1;
  }
  if (goroot && goroot[0]) {
    CLEANUP_FREE char *goenv = NULL;
    if (asprintf (&goenv, "%s/go.env", goroot) != -1)
      hash_file (h, "goroot go.env", goenv);
  }
  return 0;
}

/* GO* variables that cannot change what is built: the Go runtime's
 * own (a plugin may be run with GOGC or GOMAXPROCS set) and where the
 * go command keeps its caches.
 */
static bool
is_runtime_var (const char *e, size_t len)
{
  static const char *const names[] = {
    "GOGC", "GOMAXPROCS", "GOMEMLIMIT", "GOTRACEBACK", "GOCACHE",
    "GOTMPDIR", "GOTELEMETRY", "GOTELEMETRYDIR",
  };
  size_t i;

  for (i = 0; i < sizeof names / sizeof names[0]; ++i)
    if (strlen (names[i]) == len && strncmp (e, names[i], len) == 0)
      return true;
  return false;
}

/* The environment that the go command reads: its own variables,
 * cgo's and the C toolchain's, and the file "go env -w" writes.
 */
static void
hash_environment (struct sha256 *h)
{
  static const char *const names[] = {
    "CC", "CXX", "FC", "AR", "PKG_CONFIG", "CPATH", "C_INCLUDE_PATH",
    "CPLUS_INCLUDE_PATH", "LIBRARY_PATH", "GCC_EXEC_PREFIX", "COMPILER_PATH",
  };
  const char *goenv = getenv ("GOENV");
  CLEANUP_FREE char *envfile = NULL;
  size_t i, n = 0;
  char **vars;

  for (i = 0; environ[i]; ++i)
    n++;
  vars = calloc (n + 1, sizeof *vars);
  if (vars) {
    size_t m = 0, j;

    for (i = 0; environ[i]; ++i) {
      const char *e = environ[i];
      size_t len = strcspn (e, "=");
      bool want = (strncmp (e, "GO", 2) == 0 && !is_runtime_var (e, len)) ||
        strncmp (e, "CGO_", 4) == 0;

      for (j = 0; !want && j < sizeof names / sizeof names[0]; ++j)
        want = strlen (names[j]) == len && strncmp (e, names[j], len) == 0;
      if (want)
        vars[m++] = environ[i];
    }
    /* Sorted, so that the order of the environment does not matter. */
    for (i = 1; i < m; ++i)
      for (j = i; j > 0 && strcmp (vars[j-1], vars[j]) > 0; --j) {
        char *t = vars[j];
        vars[j] = vars[j-1];
        vars[j-1] = t;
      }
    for (i = 0; i < m; ++i)
      hash_str (h, "env", vars[i]);
    free (vars);
  }

  if (goenv && *goenv)
    envfile = strcmp (goenv, "off") == 0 ? NULL : strdup (goenv);
  else if (getenv ("XDG_CONFIG_HOME") && getenv ("XDG_CONFIG_HOME")[0] == '/')
    envfile = xasprintf ("%s/go/env", getenv ("XDG_CONFIG_HOME"));
  else if (getenv ("HOME") && getenv ("HOME")[0] == '/')
    envfile = xasprintf ("%s/.config/go/env", getenv ("HOME"));
  if (envfile)
    hash_file (h, "go env file", envfile);
}

/* The golib that source outside any module is built against:
 * $NBDKIT_GOLANG_GOLIB, else the tree's own when this loader runs
 * from its build directory, else the installed source.
 */
static char *
find_golib (void)
{
  Dl_info info;
  char here[PATH_MAX], tree[PATH_MAX];
  const char *dir = GOLIB_SRCDIR;
  const char *env = getenv ("NBDKIT_GOLANG_GOLIB");

  if (env && *env)
    return realpath (env, NULL) ? : strdup (env);
  if (dladdr ((void *) find_golib, &info) && info.dli_fname &&
      realpath (info.dli_fname, here) &&
      realpath (GOLANG_BUILD_LIBDIR, tree)) {
    char *slash = strrchr (here, '/');

    if (slash) {
      *slash = '\0';
      if (strcmp (here, tree) == 0)
        dir = GOLIB_BUILDTREE;
    }
  }
  return strdup (dir);
}

/* The cache directory: $XDG_CACHE_HOME/nbdkit-golang, or
 * $HOME/.cache/nbdkit-golang, private to this user; with no usable
 * home, a new private temporary directory.
 */
static char *
cache_dir (void)
{
  const char *xdg = getenv ("XDG_CACHE_HOME");
  const char *home = getenv ("HOME");
  CLEANUP_FREE char *base = NULL;
  char *dir = NULL;
  struct stat st;
  const char *tmp;

  if (xdg && xdg[0] == '/')
    base = strdup (xdg);
  else if (home && home[0] == '/' && stat (home, &st) == 0 &&
           S_ISDIR (st.st_mode))
    base = xasprintf ("%s/.cache", home);
  if (base) {
    if ((mkdir (base, 0700) == 0 || errno == EEXIST) &&
        asprintf (&dir, "%s/nbdkit-golang", base) != -1 &&
        (mkdir (dir, 0700) == 0 || errno == EEXIST)) {
      if (lstat (dir, &st) == -1) {
        nbdkit_error ("%s: %m", dir);
        free (dir);
        return NULL;
      }
      if (!S_ISDIR (st.st_mode)) {
        nbdkit_error ("the cache directory %s is not a directory; "
                      "remove it, or set XDG_CACHE_HOME to a directory "
                      "of your own", dir);
        free (dir);
        return NULL;
      }
      if (st.st_uid != geteuid ()) {
        nbdkit_error ("the cache directory %s belongs to uid %u, not to "
                      "you (uid %u): refusing to load libraries from it; "
                      "set XDG_CACHE_HOME to a directory of your own",
                      dir, (unsigned) st.st_uid, (unsigned) geteuid ());
        free (dir);
        return NULL;
      }
      if (st.st_mode & 022) {
        nbdkit_error ("the cache directory %s is writable by others "
                      "(mode %04o): refusing to load libraries from it; "
                      "chmod 700 it", dir, (unsigned) (st.st_mode & 07777));
        free (dir);
        return NULL;
      }
      return dir;
    }
    build_log ("no usable cache directory under %s: %m", base);
    free (dir);
    dir = NULL;
  }
  else
    build_log ("no usable home directory (neither XDG_CACHE_HOME nor "
               "HOME names one)");

  tmp = getenv ("TMPDIR");
  if (tmp == NULL || tmp[0] != '/')
    tmp = "/tmp";
  if (asprintf (&dir, "%s/nbdkit-golang-XXXXXX", tmp) == -1 ||
      mkdtemp (dir) == NULL) {
    nbdkit_error ("%s: cannot create a temporary directory to build in: %m",
                  source);
    free (dir);
    return NULL;
  }
  tmp_cache = strdup (dir);
  build_log ("building in a temporary directory, %s", dir);
  return dir;
}

/* A Go string literal for go.mod. */
static char *
go_quote (const char *s)
{
  char *r = malloc (2 * strlen (s) + 3), *q = r;

  if (r == NULL)
    return NULL;
  *q++ = '"';
  for (; *s; ++s) {
    if (*s == '"' || *s == '\\')
      *q++ = '\\';
    *q++ = *s;
  }
  *q++ = '"';
  *q = '\0';
  return r;
}

/* Print the go command's output on stderr, with the paths of source
 * files that it printed relative to pkgdir made absolute.
 */
static void
print_build_output (const char *out, const char *pkgdir)
{
  const char *line = out;

  while (line && *line) {
    size_t n = strcspn (line, "\n");
    size_t name = strcspn (line, ": \t\n");

    if (strncmp (line, "./", 2) == 0)
      fprintf (stderr, "%s/%.*s\n", pkgdir, (int) n - 2, line + 2);
    else if (line[0] != '/' && line[name] == ':' && name > 3 &&
             strncmp (line + name - 3, ".go", 3) == 0)
      fprintf (stderr, "%s/%.*s\n", pkgdir, (int) n, line);
    else
      fprintf (stderr, "%.*s\n", (int) n, line);
    line += n;
    if (*line == '\n')
      line++;
  }
}

/* The go command's environment: nbdkit's, with some variables set.
 * Only the strings in set[] are ours to free.
 */
struct env {
  char **vars;
  size_t n;
  char *set[8];
  size_t nr_set;
};

static int
env_init (struct env *e)
{
  size_t n = 0;

  while (environ[n])
    n++;
  e->nr_set = 0;
  e->n = n;
  e->vars = calloc (n + 1 + sizeof e->set / sizeof e->set[0],
                    sizeof *e->vars);
  if (e->vars == NULL) {
    nbdkit_error ("calloc: %m");
    return -1;
  }
  memcpy (e->vars, environ, n * sizeof *e->vars);
  return 0;
}

/* Set NAME=value, replacing any NAME= inherited. */
static int
env_set (struct env *e, const char *name, const char *value)
{
  size_t len = strlen (name), i;
  char *s;

  if (e->nr_set == sizeof e->set / sizeof e->set[0] ||
      asprintf (&s, "%s=%s", name, value) == -1) {
    nbdkit_error ("env_set: %s: %m", name);
    return -1;
  }
  e->set[e->nr_set++] = s;
  for (i = 0; i < e->n; ++i)
    if (strncmp (e->vars[i], name, len) == 0 && e->vars[i][len] == '=') {
      e->vars[i] = s;
      return 0;
    }
  e->vars[e->n++] = s;
  e->vars[e->n] = NULL;
  return 0;
}

static void
env_free (struct env *e)
{
  size_t i;

  for (i = 0; i < e->nr_set; ++i)
    free (e->set[i]);
  free (e->vars);
  e->vars = NULL;
  e->nr_set = 0;
}

struct build {
  bool is_dir;          /* source is a directory (else one file) */
  const char *pkgdir;   /* the package's directory: the go command runs here */
  const char *target;   /* "." or the file's name */
  char *golib;          /* outside a module: golib's directory, else NULL */
  char *gomod;          /* outside a module: the go.mod supplied */
};

/* Build into dir/<key>.so under a lock.  Returns 0 with *lib set. */
static int
build_locked (struct build *b, const char *dir, const char *key, char **lib)
{
  CLEANUP_FREE char *lockpath = NULL;
  CLEANUP_FREE char *tmp = NULL;
  CLEANUP_FREE char *out = NULL;
  CLEANUP_FREE char *output = NULL;
  CLEANUP_FREE char *overlay = NULL;
  CLEANUP_FREE char *gomod_path = NULL;
  CLEANUP_FREE char *overlay_path = NULL;
  CLEANUP_CLOSE int lock = -1;
  char *argv[16];
  struct env env = { 0 };
  size_t argc = 0, i;
  struct stat st;
  int status, r = -1;

  if (asprintf (&lockpath, "%s/%s.lock", dir, key) == -1 ||
      asprintf (lib, "%s/%s.so", dir, key) == -1) {
    nbdkit_error ("asprintf: %m");
    return -1;
  }
  lock = open (lockpath, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (lock == -1) {
    nbdkit_error ("%s: %m", lockpath);
    return -1;
  }
  if (flock (lock, LOCK_EX | LOCK_NB) == -1) {
    build_log ("waiting for another nbdkit building the same source");
    while (flock (lock, LOCK_EX) == -1)
      if (errno != EINTR) {
        nbdkit_error ("flock: %s: %m", lockpath);
        return -1;
      }
  }
  if (stat (*lib, &st) == 0) {
    build_log ("cache hit (built meanwhile by another nbdkit): %s; "
               "go build not run", *lib);
    cache_state = "hit";
    return 0;
  }

  if (asprintf (&tmp, "%s/build-XXXXXX", dir) == -1 || mkdtemp (tmp) == NULL) {
    nbdkit_error ("%s: cannot create a build directory: %m", dir);
    return -1;
  }
  if (asprintf (&out, "%s/lib.so", tmp) == -1)
    goto out;

  argv[argc++] = go_cmd;
  argv[argc++] = (char *) "build";
  argv[argc++] = (char *) "-buildmode=c-shared";
  argv[argc++] = (char *) "-buildvcs=false";
  if (b->gomod) {
    CLEANUP_FREE char *q1 = NULL;
    CLEANUP_FREE char *q2 = NULL;
    CLEANUP_FREE char *virtual_gomod = NULL;

    /* The supplied go.mod appears in the source directory only to the
     * go command (-overlay): nothing is written there.
     */
    if (asprintf (&gomod_path, "%s/go.mod", tmp) == -1 ||
        asprintf (&overlay_path, "%s/overlay.json", tmp) == -1 ||
        asprintf (&virtual_gomod, "%s/go.mod", b->pkgdir) == -1 ||
        (q1 = go_quote (virtual_gomod)) == NULL ||
        (q2 = go_quote (gomod_path)) == NULL ||
        asprintf (&overlay, "{\"Replace\":{%s:%s}}\n", q1, q2) == -1)
      goto out;
    if (write_file (gomod_path, b->gomod) == -1 ||
        write_file (overlay_path, overlay) == -1)
      goto out;
    argv[argc++] = (char *) "-mod=readonly";
    argv[argc++] = (char *) "-overlay";
    argv[argc++] = overlay_path;
  }
  argv[argc++] = (char *) "-o";
  argv[argc++] = out;
  argv[argc++] = (char *) b->target;
  argv[argc] = NULL;

  if (env_init (&env) == -1)
    goto out;
  if (b->gomod &&
      (env_set (&env, "GOWORK", "off") == -1 ||
       env_set (&env, "GO111MODULE", "on") == -1 ||
       env_set (&env, "GOPROXY", "off") == -1))
    goto out;
  if (tmp_cache) {
    /* No home: the go command's own caches are temporary too. */
    CLEANUP_FREE char *gocache = NULL;
    CLEANUP_FREE char *gopath = NULL;
    CLEANUP_FREE char *config = NULL;
    const char *home = getenv ("HOME");
    struct stat hst;

    if (asprintf (&gocache, "%s/go-build", tmp_cache) == -1 ||
        asprintf (&gopath, "%s/go", tmp_cache) == -1 ||
        asprintf (&config, "%s/config", tmp_cache) == -1 ||
        (getenv ("GOCACHE") == NULL &&
         env_set (&env, "GOCACHE", gocache) == -1) ||
        (getenv ("GOPATH") == NULL &&
         env_set (&env, "GOPATH", gopath) == -1))
      goto out;
    /* The go command also writes its telemetry counters under the
     * user's configuration directory, creating $HOME if it can: with
     * no home directory (HOME=/nonexistent as root) keep those in the
     * temporary directory too.
     */
    if (getenv ("XDG_CONFIG_HOME") == NULL &&
        (home == NULL || stat (home, &hst) == -1 || !S_ISDIR (hst.st_mode)) &&
        env_set (&env, "XDG_CONFIG_HOME", config) == -1)
      goto out;
  }

  {
    CLEANUP_FREE char *cmd = NULL;
    size_t len = 0;

    for (i = 0; i < argc; ++i)
      len += strlen (argv[i]) + 1;
    cmd = calloc (len + 1, 1);
    for (i = 0; cmd && i < argc; ++i) {
      strcat (cmd, argv[i]);
      if (i + 1 < argc)
        strcat (cmd, " ");
    }
    build_log ("cache miss: running in %s: %s%s", b->pkgdir,
               b->gomod ? "GOWORK=off GO111MODULE=on GOPROXY=off " : "",
               cmd ? cmd : argv[0]);
  }

  status = run (argv, env.vars, b->pkgdir, &output);
  if (status == -1)
    goto out;
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0) {
    print_build_output (output, b->pkgdir);
    if (WIFEXITED (status))
      nbdkit_error ("%s: go build failed (exit status %d): see the "
                    "messages above", source, WEXITSTATUS (status));
    else
      nbdkit_error ("%s: go build was killed by signal %d",
                    source, WTERMSIG (status));
    if (b->gomod &&
        (strstr (output, "no required module provides package") ||
         strstr (output, "cannot find module providing package") ||
         strstr (output, "is not in std") ||
         strstr (output, "is not in GOROOT")))
      nbdkit_error ("%s is not in a Go module, so it can import only the "
                    "standard library and golib; to use other packages, "
                    "make it a module (go mod init; go get PACKAGE, and a "
                    "replace line for golib if it is not published) and "
                    "nbdkit golang will build it in that module", source);
    goto out;
  }
  if (output && *output)
    build_log ("go build said: %s", output);
  /* Private whatever the umask: a library others can write is refused
   * when it is next used.
   */
  if (chmod (out, 0755) == -1) {
    nbdkit_error ("chmod: %s: %m", out);
    goto out;
  }
  if (rename (out, *lib) == -1) {
    nbdkit_error ("rename %s to %s: %m", out, *lib);
    goto out;
  }
  cache_state = tmp_cache ? "built (temporary)" : "built";
  r = 0;

 out:
  env_free (&env);
  remove_tree (tmp);
  /* Anyone still waiting for the lock finds the library (or builds
   * again, and fails the same way); a start after this one needs no
   * lock.
   */
  unlink (lockpath);
  if (r == -1) {
    free (*lib);
    *lib = NULL;
  }
  return r;
}

/* Whether dir holds a .go file. */
static bool
has_go_files (const char *dir)
{
  DIR *d = opendir (dir);
  struct dirent *e;
  bool r = false;

  if (d == NULL)
    return false;
  while (!r && (e = readdir (d)) != NULL)
    r = has_suffix (e->d_name, ".go");
  closedir (d);
  return r;
}

/* If *script (absolute) is Go source, build it (or find it built) and
 * replace *script with the library.  Anything else is left alone.
 */
int
golang_source_config (char **script)
{
  struct stat st;
  struct sha256 h;
  struct build b = { 0 };
  CLEANUP_FREE char *pkgdir = NULL;
  CLEANUP_FREE char *moddir = NULL;
  CLEANUP_FREE char *dir = NULL;
  CLEANUP_FREE char *target = NULL;
  char key[65];
  char *lib = NULL;
  int r = -1;

  /* Anything else is golang_config's to load or to report. */
  if (stat (*script, &st) == -1)
    return 0;
  if (S_ISDIR (st.st_mode) && has_go_files (*script))
    b.is_dir = true;
  else if (!S_ISREG (st.st_mode) || !has_suffix (*script, ".go"))
    return 0;

  /* Canonical, so that every way of naming it finds one cache entry
   * and the compiler's messages name the files plainly.
   */
  source = realpath (*script, NULL);
  if (source == NULL) {
    nbdkit_error ("realpath: %s: %m", *script);
    return -1;
  }
  free (*script);
  *script = NULL;

  if (b.is_dir) {
    pkgdir = strdup (source);
    target = strdup (".");
  }
  else {
    char *slash = strrchr (source, '/');

    pkgdir = strndup (source, slash == source ? 1 : slash - source);
    target = strdup (slash + 1);
  }
  if (pkgdir == NULL || target == NULL) {
    nbdkit_error ("strdup: %m");
    goto out;
  }
  b.pkgdir = pkgdir;
  b.target = target;

  if (find_go () == -1)
    goto out;
  sha256_init (&h);
  hash_str (&h, "nbdkit-golang source cache", PACKAGE_VERSION);
  hash_str (&h, "source", source);
  if (identify_go (&h) == -1)
    goto out;
  hash_environment (&h);

  moddir = find_upwards (pkgdir, "go.mod");
  if (moddir) {
    /* Built in its module, as go build would. */
    const char *gowork = getenv ("GOWORK");
    CLEANUP_FREE char *workdir = NULL;
    CLEANUP_FREE char *workfile = NULL;
    CLEANUP_FREE char *gomod = NULL;
    CLEANUP_FREE char *text = NULL;

    build_log ("%s is in the module %s/go.mod", source, moddir);
    hash_str (&h, "module", moddir);
    hash_module_tree (&h, moddir, true);
    if (asprintf (&gomod, "%s/go.mod", moddir) != -1 &&
        (text = read_file (gomod, NULL)) != NULL)
      hash_local_modules (&h, moddir, text);

    if (gowork && *gowork)
      workfile = strcmp (gowork, "off") == 0 ? NULL : strdup (gowork);
    else if ((workdir = find_upwards (pkgdir, "go.work")) != NULL)
      workfile = xasprintf ("%s/go.work", workdir);
    if (workfile) {
      CLEANUP_FREE char *wtext = read_file (workfile, NULL);
      CLEANUP_FREE char *wdir = strdup (workfile);
      char *slash = wdir ? strrchr (wdir, '/') : NULL;

      if (slash)
        *slash = '\0';
      hash_file (&h, "go.work", workfile);
      if (wtext && wdir)
        hash_local_modules (&h, wdir, wtext);
    }
  }
  else {
    /* Outside any module: a module of our own, with golib. */
    CLEANUP_FREE char *quoted = NULL;

    b.golib = find_golib ();
    if (b.golib == NULL)
      goto out;
    if (stat (b.golib, &st) == -1) {
      nbdkit_error ("%s is not in a Go module, so it is built against the "
                    "installed golib, but %s: %m (install golib's source, "
                    "or make the source a module that requires %s)",
                    source, b.golib, GOLIB_MODULE);
      goto out;
    }
    quoted = go_quote (b.golib);
    if (quoted == NULL ||
        asprintf (&b.gomod,
                  "module nbdkit-golang-plugin\n\n"
                  "go %d.%d\n\n"
                  "require %s v0.0.0\n\n"
                  "replace %s => %s\n",
                  GO_MIN_MAJOR, GO_MIN_MINOR,
                  GOLIB_MODULE, GOLIB_MODULE, quoted) == -1) {
      nbdkit_error ("asprintf: %m");
      goto out;
    }
    build_log ("%s is not in a module: building it with golib from %s",
               source, b.golib);
    hash_str (&h, "supplied go.mod", b.gomod);
    hash_module_tree (&h, b.golib, true);
    if (b.is_dir)
      hash_module_tree (&h, pkgdir, true);
    else
      hash_source_file (&h, source);
  }
  sha256_hex (&h, key);

  dir = cache_dir ();
  if (dir == NULL)
    goto out;
  if (asprintf (&lib, "%s/%s.so", dir, key) == -1) {
    nbdkit_error ("asprintf: %m");
    goto out;
  }
  if (lstat (lib, &st) == 0) {
    if (!S_ISREG (st.st_mode) || st.st_uid != geteuid () ||
        (st.st_mode & 022)) {
      nbdkit_error ("%s: not a private regular file of yours: refusing "
                    "to load it; remove it", lib);
      goto out;
    }
    /* Mark it used (for anyone cleaning the cache by age). */
    utimensat (AT_FDCWD, lib, NULL, 0);
    build_log ("cache hit: %s for %s (%s); go build not run",
               lib, source, go_version);
    cache_state = "hit";
  }
  else {
    free (lib);
    lib = NULL;
    if (build_locked (&b, dir, key, &lib) == -1)
      goto out;
    build_log ("built %s into %s with %s (%s)",
               source, lib, go_cmd, go_version);
  }
  *script = lib;
  lib = NULL;
  r = 0;

 out:
  free (lib);
  free (b.golib);
  free (b.gomod);
  if (r == -1)
    golang_source_opened ();    /* a temporary cache goes now */
  return r;
}

/* What --dump-plugin shows about the build: false if script= was
 * not source.
 */
bool
golang_source_info (struct golang_source_info *info)
{
  if (source == NULL)
    return false;
  info->source = source;
  info->go = go_cmd;
  info->go_version = go_version;
  info->cache = cache_state ? cache_state : "";
  return true;
}

/* The library is open (or failed to open) for good: every process
 * loads it through that descriptor, so a temporary cache can go now.
 * (Also when the build failed.)
 */
void
golang_source_opened (void)
{
  if (tmp_cache) {
    remove_tree (tmp_cache);
    free (tmp_cache);
    tmp_cache = NULL;
  }
}

void
golang_source_free (void)
{
  free (source);
  free (go_cmd);
  free (go_version);
  source = go_cmd = go_version = NULL;
}
