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

/* cramdisk: a RAM disk implementing the nbdkitgo ABI in plain C (no Go).
 *
 * bench/run serves it through nbdkit-golang-plugin.so beside the Go
 * example, which separates the cost of the loader (the same for both)
 * from the cost of the Go runtime; callbench calls it directly as the
 * "no transition at all" baseline.  Same design as the Go example and
 * the python RAM disk: one flat buffer, PARALLEL, no locks.
 */

#define _GNU_SOURCE 1

#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <errno.h>

#define NBDKITGO_DECLARE_EXPORTS 1
#include "nbdkitgo-abi.h"

static const struct nbdkitgo_host *host;
static int64_t size = 1024 * 1024 * 1024;
static char *disk;

static int
fail (struct nbdkitgo_error *err, int errnum, const char *msg)
{
  err->errnum = errnum;
  err->msg = strdup (msg);
  return -1;
}

int
nbdkitgo_init (uint32_t abi_version, const struct nbdkitgo_host *h,
               struct nbdkitgo_info *info, struct nbdkitgo_error *err)
{
  info->abi_version = NBDKITGO_ABI_VERSION;
  if (abi_version != NBDKITGO_ABI_VERSION)
    return fail (err, EINVAL, "cramdisk: ABI version mismatch");
  host = h;
  info->name = "cramdisk";
  info->runtime_version = "C";
  return 0;
}

int
nbdkitgo_config (const char *key, const char *value,
                 struct nbdkitgo_error *err)
{
  if (strcmp (key, "size") == 0) {
    size = host->parse_size (value);
    if (size == -1)
      return -1;
    return 0;
  }
  return fail (err, EINVAL, "cramdisk: unknown parameter");
}

int
nbdkitgo_thread_model (struct nbdkitgo_error *err)
{
  (void) err;
  return NBDKITGO_THREAD_MODEL_PARALLEL;
}

int
nbdkitgo_get_ready (struct nbdkitgo_error *err)
{
  /* calloc of 1G maps zero pages lazily, like make([]byte, 1<<30). */
  disk = calloc (1, size);
  if (disk == NULL)
    return fail (err, ENOMEM, "cramdisk: calloc failed");
  return 0;
}

int
nbdkitgo_open (int readonly, uintptr_t *handle, uint64_t *implemented,
               struct nbdkitgo_error *err)
{
  (void) readonly; (void) implemented; (void) err;
  *handle = 1;
  return 0;
}

int64_t
nbdkitgo_get_size (uintptr_t h, struct nbdkitgo_error *err)
{
  (void) h; (void) err;
  return size;
}

int
nbdkitgo_can_multi_conn (uintptr_t h, struct nbdkitgo_error *err)
{
  (void) h; (void) err;
  return 1;
}

int
nbdkitgo_pread (uintptr_t h, void *buf, uint32_t count, uint64_t offset,
                uint32_t flags, struct nbdkitgo_error *err)
{
  (void) h; (void) flags; (void) err;
  memcpy (buf, disk + offset, count);
  return 0;
}

int
nbdkitgo_pwrite (uintptr_t h, void *buf, uint32_t count, uint64_t offset,
                 uint32_t flags, struct nbdkitgo_error *err)
{
  (void) h; (void) flags; (void) err;
  memcpy (disk + offset, buf, count);
  return 0;
}

int
nbdkitgo_flush (uintptr_t h, uint32_t flags, struct nbdkitgo_error *err)
{
  (void) h; (void) flags; (void) err;
  return 0;
}
