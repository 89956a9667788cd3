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

/* A fake loader for golib's side of the ABI: it dlopens a Go library
 * built with golib, gives it a host table of its own, and checks what
 * golib answers, without nbdkit.  Each mode runs in its own process
 * (one Go runtime per process):
 *
 *   golib-abi-host badabi LIB      ABI mismatch refused, then accepted
 *   golib-abi-host shortinfo LIB   nothing written past info->size
 *   golib-abi-host noregister LIB  init fails and says why
 *   golib-abi-host minimal LIB     no defaults in golib, errors, handles
 *   golib-abi-host oldhost LIB     host table without disconnect
 */

#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include <errno.h>
#include <dlfcn.h>

#include "nbdkitgo-abi.h"

static void *dl;
static const char *export_name = "";
static int nr_extents;
static uint64_t extent_offset, extent_length;
static uint32_t extent_type;
static int failures;

#define CHECK(cond)                                                     \
  do {                                                                  \
    if (!(cond)) {                                                      \
      fprintf (stderr, "golib-abi-host: %s:%d: check failed: %s\n",     \
               __FILE__, __LINE__, #cond);                              \
      failures++;                                                       \
    }                                                                   \
  } while (0)

static void host_error (const char *msg) { fprintf (stderr, "host error: %s\n", msg); }
static void host_debug (const char *msg) { fprintf (stderr, "host debug: %s\n", msg); }
static int64_t host_parse_size (const char *s) { return strtoll (s, NULL, 10); }
static const char *host_export_name (void) { return export_name; }

static int
host_add_extent (void *e, uint64_t offset, uint64_t length, uint32_t type)
{
  CHECK (e == &nr_extents);
  nr_extents++;
  extent_offset = offset;
  extent_length = length;
  extent_type = type;
  return 0;
}

static struct nbdkitgo_host host = {
  .size = sizeof host,
  .abi_version = NBDKITGO_ABI_VERSION,
  .phase = NBDKITGO_PHASE_SERVE,
  .loader_version = "test",
  .script = "test",
  .error = host_error,
  .debug = host_debug,
  .parse_size = host_parse_size,
  .export_name = host_export_name,
  .add_extent = host_add_extent,
};

static void *
sym (const char *name)
{
  void *p = dlsym (dl, name);

  if (p == NULL) {
    fprintf (stderr, "golib-abi-host: %s missing\n", name);
    exit (EXIT_FAILURE);
  }
  return p;
}
#define CALL(name) ((nbdkitgo_##name##_fn *) sym ("nbdkitgo_" #name))

static int
init (uint32_t abi, struct nbdkitgo_info *info, struct nbdkitgo_error *err)
{
  memset (err, 0, sizeof *err);
  return CALL (init) (abi, &host, info, err);
}

/* Reset err and return it. */
static struct nbdkitgo_error *
E (struct nbdkitgo_error *err)
{
  free (err->msg);
  memset (err, 0, sizeof *err);
  return err;
}

int
main (int argc, char *argv[])
{
  struct nbdkitgo_info info = { .size = sizeof info, .implemented = ~0ULL };
  struct nbdkitgo_error err = { 0 };
  const char *mode;
  uintptr_t h = 0;
  char buf[512];
  uint32_t mn = 1, pr = 1, mx = 1;
  char *s;

  if (argc != 3) {
    fprintf (stderr, "usage: golib-abi-host MODE LIBRARY\n");
    exit (EXIT_FAILURE);
  }
  mode = argv[1];
  dl = dlopen (argv[2], RTLD_NOW | RTLD_LOCAL);
  if (dl == NULL) {
    fprintf (stderr, "golib-abi-host: %s\n", dlerror ());
    exit (EXIT_FAILURE);
  }

  if (strcmp (mode, "badabi") == 0) {
    CHECK (init (NBDKITGO_ABI_VERSION + 1, &info, &err) == -1);
    CHECK (info.abi_version == NBDKITGO_ABI_VERSION);
    CHECK (err.msg != NULL);
    if (err.msg) {
      printf ("%s\n", err.msg);
      CHECK (strstr (err.msg, "ABI version 3") != NULL);
      CHECK (strstr (err.msg, "ABI version 2") != NULL);
    }
    CHECK (info.name == NULL);  /* refused: nothing else filled in */
    E (&err);
    CHECK (init (NBDKITGO_ABI_VERSION, &info, &err) == 0);
    CHECK (info.name != NULL);
  }
  else if (strcmp (mode, "shortinfo") == 0) {
    /* A loader whose struct ends after abi_version: golib must not
     * write implemented or any string.
     */
    memset (&info, 0xaa, sizeof info);
    info.size = offsetof (struct nbdkitgo_info, _pad);
    CHECK (init (NBDKITGO_ABI_VERSION, &info, &err) == 0);
    CHECK (info.abi_version == NBDKITGO_ABI_VERSION);
    CHECK (info.implemented == 0xaaaaaaaaaaaaaaaaULL);
    CHECK ((uintptr_t) info.name == (uintptr_t) 0xaaaaaaaaaaaaaaaaULL);
  }
  else if (strcmp (mode, "noregister") == 0) {
    CHECK (init (NBDKITGO_ABI_VERSION, &info, &err) == -1);
    CHECK (info.abi_version == NBDKITGO_ABI_VERSION);
    CHECK (err.msg && strstr (err.msg, "no plugin registered: call nbdkit.Register from an init function"));
    if (err.msg)
      printf ("%s\n", err.msg);
  }
  else if (strcmp (mode, "minimal") == 0) {
    /* A plugin with only Open, GetSize and PRead has exactly these
     * callbacks (and close, which releases the handle): golib
     * applies no defaults, the loader does.
     */
    uint64_t have = NBDKITGO_CB_BIT (OPEN) | NBDKITGO_CB_BIT (CLOSE) |
      NBDKITGO_CB_BIT (GET_SIZE) | NBDKITGO_CB_BIT (PREAD);
    uint64_t impl;

    CHECK (init (NBDKITGO_ABI_VERSION, &info, &err) == 0);
    CHECK (info.abi_version == NBDKITGO_ABI_VERSION);
    CHECK (info.runtime_version && strncmp (info.runtime_version, "go1.", 4) == 0);
    CHECK (info.name && strcmp (info.name, "minimal") == 0);
    CHECK (info.longname == NULL && info.config_help == NULL);
    CHECK (info.implemented == have);
    CHECK (CALL (config) ("size", "1", E (&err)) == -1);
    CHECK (err.msg && strstr (err.msg, "unknown parameter 'size'"));

    /* The connection's bits: the same, whatever the loader passed in. */
    impl = ~UINT64_C (0);
    CHECK (CALL (open) (1, &h, &impl, E (&err)) == 0);
    CHECK (h != 0);
    CHECK ((impl & NBDKITGO_CB_CONNECTION_MASK) ==
           (have & NBDKITGO_CB_CONNECTION_MASK));
    CHECK (CALL (get_size) (h, E (&err)) == 1 << 20);
    CHECK (CALL (pread) (h, buf, sizeof buf, 0, 0, E (&err)) == 0);
    CHECK (buf[0] == 'm' && buf[511] == 'm');
    /* Callbacks the loader never calls for this connection fail
     * soundly, with ENOTSUP and a message naming the method.
     */
    CHECK (CALL (can_write) (h, E (&err)) == -1);
    CHECK (err.errnum == ENOTSUP);
    CHECK (err.msg && strstr (err.msg, "has no CanWrite method"));
    CHECK (CALL (can_fua) (h, E (&err)) == -1);
    CHECK (err.errnum == ENOTSUP);
    CHECK (CALL (block_size) (h, &mn, &pr, &mx, E (&err)) == -1);
    CHECK (err.errnum == ENOTSUP);
    s = CALL (export_description) (h, E (&err));
    CHECK (s == NULL && err.errnum == ENOTSUP);
    CHECK (CALL (pwrite) (h, buf, 1, 0, 0, E (&err)) == -1);
    CHECK (err.errnum == ENOTSUP);
    CHECK (err.msg && strstr (err.msg, "has no PWrite method"));
    CHECK (CALL (zero) (h, 1, 0, 0, E (&err)) == -1);
    CHECK (err.errnum == ENOTSUP);
    CHECK (CALL (extents) (h, 4096, 512, 0, &nr_extents, E (&err)) == -1);
    CHECK (err.errnum == ENOTSUP && nr_extents == 0);
    CHECK (CALL (thread_model) (E (&err)) == -1);
    CHECK (err.errnum == ENOTSUP);
    CALL (close) (h);
    /* A closed (or any invalid) handle fails with EIO and a panic
     * message: it never crashes the process.
     */
    CHECK (CALL (get_size) (h, E (&err)) == -1);
    CHECK (err.errnum == EIO);
    CHECK (err.msg && strstr (err.msg, "panic in get_size callback"));
    CHECK (CALL (pread) (h, buf, sizeof buf, 0, 0, E (&err)) == -1);
    CHECK (err.errnum == EIO);
    CALL (close) (h);           /* logged, not fatal */
    CALL (cleanup) ();
    CALL (unload) ();
  }
  else if (strcmp (mode, "oldhost") == 0) {
    /* A host table that ends before disconnect: Disconnect fails
     * cleanly instead of calling garbage.
     */
    host.size = offsetof (struct nbdkitgo_host, disconnect);
    host.disconnect = (int (*) (int)) (uintptr_t) 1;
    export_name = "disconnect";
    CHECK (init (NBDKITGO_ABI_VERSION, &info, &err) == 0);
    CHECK (CALL (config) ("size", "4096", E (&err)) == 0);
    CHECK (CALL (get_ready) (E (&err)) == 0);
    CHECK (CALL (open) (0, &h, &info.implemented, E (&err)) == 0);
    CHECK (CALL (pread) (h, buf, sizeof buf, 0, 0, E (&err)) == -1);
    CHECK (err.msg && strstr (err.msg, "nbdkit lacks nbdkit_disconnect (added in nbdkit 1.34"));
    if (err.msg)
      printf ("%s\n", err.msg);
    CALL (close) (h);
  }
  else {
    fprintf (stderr, "golib-abi-host: unknown mode %s\n", mode);
    exit (EXIT_FAILURE);
  }

  E (&err);
  if (failures) {
    fprintf (stderr, "golib-abi-host: %s: %d failures\n", mode, failures);
    exit (EXIT_FAILURE);
  }
  printf ("golib-abi-host: %s: ok\n", mode);
  exit (EXIT_SUCCESS);
}
