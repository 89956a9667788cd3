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

/* The library file.
 *
 * It is opened once, in .config, and every process (the check
 * process, the serving process, --dump-plugin) loads it through that
 * descriptor (/proc/self/fd/N), so the file that was checked is the
 * file that is served even if the path is replaced in between.
 *
 * Before any of its code runs, the file's ELF dynamic symbols and Go
 * build information are read: a Go library built with
 * -buildmode=plugin instead of c-shared does not start its runtime
 * when loaded from C, and the handshake would wait for it forever.
 */

#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <elf.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#define NBDKIT_API_VERSION 2
#include <nbdkit-plugin.h>

#include "golang.h"

/* The library's absolute path, from .config script= to .unload: every
 * message about the library names it.
 */
char *script;
/* The library, open from .config to .unload, or -1. */
static int library_fd = -1;
/* What golang_library_path returns. */
static char library_path[64];

/* What the file says about itself. */
struct elf_facts {
  bool parsed;                  /* found a dynamic symbol table */
  bool has_init;                /* defines nbdkitgo_init */
  bool go_plugin;               /* symbols only -buildmode=plugin has */
  char buildmode[32];           /* from Go's build information, or "" */
};

static bool
has_prefix (const char *s, const char *prefix)
{
  return strncmp (s, prefix, strlen (prefix)) == 0;
}

/* Find "-buildmode=MODE" in Go's build information section. */
static void
elf_buildmode (const char *p, size_t len, struct elf_facts *f)
{
  static const char key[] = "-buildmode=";
  const char *end = p + len, *q;
  size_t n;

  for (q = p; q + sizeof key - 1 < end; ++q) {
    if (memcmp (q, key, sizeof key - 1) != 0)
      continue;
    q += sizeof key - 1;
    for (n = 0; q + n < end && n < sizeof f->buildmode - 1 &&
           q[n] > ' ' && q[n] < 127; ++n)
      ;
    memcpy (f->buildmode, q, n);
    f->buildmode[n] = '\0';
    return;
  }
}

/* Read what matters from an ELF image of LEN bytes.  Anything that
 * is not a well-formed 64-bit ELF file is left to dlopen to report.
 */
static void
elf_read (const unsigned char *img, size_t len, struct elf_facts *f)
{
  const Elf64_Ehdr *eh = (const Elf64_Ehdr *) img;
  const Elf64_Shdr *sh;
  const char *shstr = NULL;
  size_t i, j;

  if (len < sizeof *eh || memcmp (eh->e_ident, ELFMAG, SELFMAG) != 0 ||
      eh->e_ident[EI_CLASS] != ELFCLASS64 ||
      eh->e_shentsize != sizeof *sh || eh->e_shoff > len ||
      (len - eh->e_shoff) / sizeof *sh < eh->e_shnum)
    return;
  sh = (const Elf64_Shdr *) (img + eh->e_shoff);

#define IN_FILE(s) ((s)->sh_offset <= len && (s)->sh_size <= len - (s)->sh_offset)
  if (eh->e_shstrndx < eh->e_shnum && IN_FILE (&sh[eh->e_shstrndx]))
    shstr = (const char *) img + sh[eh->e_shstrndx].sh_offset;

  for (i = 0; i < eh->e_shnum; ++i) {
    const Elf64_Shdr *s = &sh[i];

    if (!IN_FILE (s) || s->sh_type == SHT_NOBITS)
      continue;
    if (shstr && s->sh_name < sh[eh->e_shstrndx].sh_size &&
        strcmp (shstr + s->sh_name, ".go.buildinfo") == 0)
      elf_buildmode ((const char *) img + s->sh_offset, s->sh_size, f);

    if (s->sh_type == SHT_DYNSYM && s->sh_link < eh->e_shnum &&
        IN_FILE (&sh[s->sh_link])) {
      const Elf64_Sym *sym = (const Elf64_Sym *) (img + s->sh_offset);
      const char *str = (const char *) img + sh[s->sh_link].sh_offset;
      size_t strsize = sh[s->sh_link].sh_size;

      if (strsize == 0 || str[strsize - 1] != '\0')
        continue;
      f->parsed = true;
      for (j = 0; j < s->sh_size / sizeof *sym; ++j) {
        const char *name;

        if (sym[j].st_name >= strsize)
          continue;
        name = str + sym[j].st_name;
        if (sym[j].st_shndx != SHN_UNDEF &&
            strcmp (name, "nbdkitgo_init") == 0)
          f->has_init = true;
        /* Go's linker gives a plugin's packages these (the prefix
         * is "go." up to Go 1.20, "go:" since).
         */
        if (has_prefix (name, "go:link.pkghash.") ||
            has_prefix (name, "go.link.pkghash.") ||
            strcmp (name, "go:plugin.tabs") == 0 ||
            strcmp (name, "go.plugin.tabs") == 0)
          f->go_plugin = true;
      }
    }
  }
#undef IN_FILE
}

/* Check the open library file. */
static int
library_check (int fd, const struct stat *st)
{
  struct elf_facts f = { 0 };
  void *img;

  if (st->st_size == 0)
    return 0;                   /* dlopen says "file too short" */
  img = mmap (NULL, st->st_size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (img == MAP_FAILED) {
    nbdkit_debug ("golang: %s: mmap: %m; not inspecting the file", script);
    return 0;
  }
  elf_read (img, st->st_size, &f);
  munmap (img, st->st_size);

  /* A C shared object that links a Go c-archive is a fine library:
   * refuse only what cannot be one.
   */
  if (f.go_plugin ||
      strcmp (f.buildmode, "plugin") == 0 ||
      strcmp (f.buildmode, "exe") == 0 ||
      strcmp (f.buildmode, "pie") == 0) {
    nbdkit_error ("%s: built with go build -buildmode=%s; "
                  "nbdkit-golang loads only libraries built with "
                  "go build -buildmode=c-shared: rebuild it that way",
                  script, f.buildmode[0] ? f.buildmode : "plugin");
    return -1;
  }
  if (f.parsed && !f.has_init) {
    nbdkit_error ("%s: not an nbdkit-golang library: "
                  "it has no nbdkitgo_init export", script);
    return -1;
  }
  return 0;
}

/* .config script=VALUE: record the absolute path (nbdkit changes
 * directory when it forks), build the library if VALUE is Go source
 * (source.c), open the file for good and check it.
 */
int
golang_library_open (const char *value)
{
  struct stat st;
  int fd;

  script = nbdkit_absolute_path (value);
  if (script == NULL)
    return -1;
  /* Go source is built here, before nbdkit can fork; from then on
   * script is the library built from it.
   */
  if (golang_source_config (&script) == -1)
    return -1;
  fd = open (script, O_RDONLY | O_CLOEXEC);
  /* The library is open for good: a temporary build can go. */
  golang_source_opened ();
  if (fd == -1 || fstat (fd, &st) == -1) {
    nbdkit_error ("script=%s: %s: %m", value, script);
    if (fd >= 0)
      close (fd);
    return -1;
  }
  if (!S_ISREG (st.st_mode)) {
    nbdkit_error ("script=%s: %s: not a regular file "
                  "(expected a library built with "
                  "go build -buildmode=c-shared, a .go file or a "
                  "directory of Go source)", value, script);
    close (fd);
    return -1;
  }
  if (library_check (fd, &st) == -1) {
    close (fd);
    return -1;
  }
  library_fd = fd;
  return 0;
}

/* The name to dlopen: the open descriptor, through /proc.  Without
 * /proc, the path itself, if it still names the same file.
 */
const char *
golang_library_path (void)
{
  struct stat fst, pst;

  if (fstat (library_fd, &fst) == -1) {
    nbdkit_error ("%s: fstat: %m", script);
    return NULL;
  }
  snprintf (library_path, sizeof library_path, "/proc/self/fd/%d",
            library_fd);
  if (stat (library_path, &pst) == 0 &&
      pst.st_dev == fst.st_dev && pst.st_ino == fst.st_ino)
    return library_path;
  if (stat (script, &pst) == 0 &&
      pst.st_dev == fst.st_dev && pst.st_ino == fst.st_ino)
    return script;
  nbdkit_error ("%s: the file was replaced since nbdkit checked it; "
                "refusing to load a library that was not checked", script);
  return NULL;
}

void
golang_library_close (void)
{
  if (library_fd >= 0)
    close (library_fd);
  library_fd = -1;
  free (script);
  script = NULL;
  golang_source_free ();
}
