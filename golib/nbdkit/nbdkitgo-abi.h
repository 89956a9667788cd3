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

/* The ABI between nbdkit-golang-plugin.so (the "loader") and a plugin
 * library (usually a Go -buildmode=c-shared library built with golib,
 * but any language that can export C functions will do).
 *
 * The loader dlopens the library with RTLD_NOW|RTLD_LOCAL, calls
 * nbdkitgo_init (the handshake, required) and then looks up one export
 * per nbdkit callback.  Which callbacks the library has is said in two
 * steps, and a callback the library does not have gets exactly the
 * default that nbdkit gives a C plugin that lacks it (the loader
 * applies nbdkit's rules; the library never does):
 *
 * - info->implemented, set in nbdkitgo_init: the callbacks the library
 *   has.  The loader sets every bit before the call; a library that
 *   exports only what it implements can leave it alone.  A bit whose
 *   export is missing counts as clear.
 *
 * - *implemented, the out-parameter of open: the callbacks of that
 *   connection.  The loader sets it to info->implemented before the
 *   call; the library may set or clear the bits of connection
 *   callbacks (NBDKITGO_CB_CONNECTION_MASK: close and the callbacks
 *   listed after it) whose exports it has.  A clear bit means exactly
 *   what a missing export means.  get_size and pread are required and
 *   cannot be cleared.  (golib exports every callback, sets the bits of
 *   the plugin-level callbacks the Go plugin has in nbdkitgo_init, and
 *   each connection's in open, from the methods of the value Open
 *   returned.)
 *
 * Rules:
 *
 * - Every export begins with "nbdkitgo_".  Never export a bare libc or
 *   POSIX name, nor one beginning with "nbdkit_".
 *
 * - A connection handle is an opaque uintptr_t chosen by the library
 *   (golib: a runtime/cgo.Handle).  0 is never a valid handle.
 *
 * - Buffers are passed as pointer and length and are valid only for
 *   the duration of the call.  pwrite's buffer must not be written to.
 *
 * - Every fallible callback takes "struct nbdkitgo_error *err" last,
 *   zero-initialised by the loader.  On failure the library returns -1
 *   (NULL for functions returning a pointer) and may set err->errnum
 *   (0 means EIO) and err->msg, a string allocated with malloc(3) which
 *   the loader frees.  A NULL msg means the error was already reported
 *   (for example by a host function such as parse_size).  The loader,
 *   on the nbdkit thread that made the call, calls nbdkit_error and
 *   nbdkit_set_error.
 *
 * - Strings the library returns as function results (default_export,
 *   export_description, dump_plugin) are allocated with malloc(3) and
 *   freed by the loader.  Strings in struct nbdkitgo_info belong to
 *   the library and must stay valid for the life of the process (the
 *   library is never unloaded).
 *
 * - Structs grow only at the end.  Each begins with its size; a reader
 *   must not touch fields beyond the size the writer gave.
 *   NBDKITGO_ABI_VERSION changes only for incompatible changes.
 *
 * Version 2 (this header) differs from version 1 in: open's
 * implemented out-parameter (per-connection callbacks), and the
 * removal of host->set_error and info->magic_config_key.
 */

#ifndef NBDKITGO_ABI_H
#define NBDKITGO_ABI_H

#include <stdint.h>
#include <stddef.h>
#include <sys/socket.h>

#ifdef __cplusplus
extern "C" {
#endif

#define NBDKITGO_ABI_VERSION 2

/* Flags, thread models, FUA/cache modes and extent types have the same
 * values as in <nbdkit-common.h>; they are repeated here so that a
 * library never needs nbdkit's headers.
 */
#define NBDKITGO_THREAD_MODEL_SERIALIZE_CONNECTIONS  0
#define NBDKITGO_THREAD_MODEL_SERIALIZE_ALL_REQUESTS 1
#define NBDKITGO_THREAD_MODEL_SERIALIZE_REQUESTS     2
#define NBDKITGO_THREAD_MODEL_PARALLEL               3

#define NBDKITGO_FLAG_MAY_TRIM  (1<<0)
#define NBDKITGO_FLAG_FUA       (1<<1)
#define NBDKITGO_FLAG_REQ_ONE   (1<<2)
#define NBDKITGO_FLAG_FAST_ZERO (1<<3)

#define NBDKITGO_FUA_NONE       0
#define NBDKITGO_FUA_EMULATE    1
#define NBDKITGO_FUA_NATIVE     2

#define NBDKITGO_CACHE_NONE     0
#define NBDKITGO_CACHE_EMULATE  1
#define NBDKITGO_CACHE_NATIVE   2

#define NBDKITGO_EXTENT_HOLE    (1<<0)
#define NBDKITGO_EXTENT_ZERO    (1<<1)

/* Which process the library is running in (host->phase).  The
 * configuration phase (load, config..., config_complete, thread_model,
 * get_ready) runs twice when nbdkit serves: once in a short-lived
 * check process before nbdkit forks, so that errors reach the user's
 * terminal, and again in the serving process.
 */
#define NBDKITGO_PHASE_CHECK 1  /* check process: will exit after get_ready */
#define NBDKITGO_PHASE_SERVE 2  /* the process that serves clients */
#define NBDKITGO_PHASE_DUMP  3  /* nbdkit --dump-plugin */

/* Error out-parameter of every fallible callback. */
struct nbdkitgo_error {
  int errnum;                   /* errno to send to the client; 0 = EIO */
  char *msg;                    /* malloc'd, freed by the loader; or NULL */
};

/* The largest errnum the loader passes on (Linux's MAX_ERRNO).  Any
 * errnum outside 1 to NBDKITGO_ERRNO_MAX (0, negative, larger) reaches
 * the client as EIO: nbdkit asserts that an errno is positive.
 */
#define NBDKITGO_ERRNO_MAX 4095

/* Services the loader offers the library: everything a C plugin can
 * call.  Each forwards to the nbdkit function of the same name (minus
 * the "nbdkit_" prefix) and has its semantics; in particular functions
 * that fail call nbdkit_error themselves.  Call them only from the
 * thread of the callback in progress (thread-local state such as the
 * export name belongs to that thread).  Functions that only newer
 * nbdkit versions have are at the end: they are NULL when the running
 * nbdkit lacks them (the comment says which nbdkit added each).
 */
struct nbdkitgo_host {
  uint64_t size;                /* sizeof (struct nbdkitgo_host) of the loader */
  uint32_t abi_version;         /* NBDKITGO_ABI_VERSION of the loader */
  uint32_t phase;               /* NBDKITGO_PHASE_* */
  const char *loader_version;   /* PACKAGE_VERSION of the loader */
  const char *script;           /* absolute path of the library */

  /* Messages.  Messages are plain strings, never formats.  (Errors of
   * callbacks travel in struct nbdkitgo_error, which sets the errno.)
   */
  void (*error) (const char *msg);
  void (*debug) (const char *msg);

  /* Parsing.  Return -1 after calling nbdkit_error on failure. */
  int64_t (*parse_size) (const char *str);
  int (*parse_bool) (const char *str);
  int (*parse_int) (const char *what, const char *str, int *r);
  int (*parse_unsigned) (const char *what, const char *str, unsigned *r);
  int (*parse_int8_t) (const char *what, const char *str, int8_t *r);
  int (*parse_uint8_t) (const char *what, const char *str, uint8_t *r);
  int (*parse_int16_t) (const char *what, const char *str, int16_t *r);
  int (*parse_uint16_t) (const char *what, const char *str, uint16_t *r);
  int (*parse_int32_t) (const char *what, const char *str, int32_t *r);
  int (*parse_uint32_t) (const char *what, const char *str, uint32_t *r);
  int (*parse_int64_t) (const char *what, const char *str, int64_t *r);
  int (*parse_uint64_t) (const char *what, const char *str, uint64_t *r);

  /* *password is malloc'd; the caller frees it.  The loader reads each
   * password once: the serving process receives the result that the
   * check process read.
   */
  int (*read_password) (const char *value, char **password);

  /* Paths.  The result is malloc'd; the caller frees it. */
  char *(*realpath) (const char *path);
  char *(*absolute_path) (const char *path);

  int (*stdio_safe) (void);
  int (*nanosleep) (unsigned sec, unsigned nsec);

  /* The current connection. */
  const char *(*export_name) (void);
  int (*is_tls) (void);
  int (*peer_name) (struct sockaddr *addr, socklen_t *addrlen);
  int64_t (*peer_pid) (void);
  int64_t (*peer_uid) (void);
  int64_t (*peer_gid) (void);

  /* Server control. */
  void (*shutdown) (void);

  /* Builders: the opaque pointer is the one passed to the callback. */
  int (*add_extent) (void *extents, uint64_t offset, uint64_t length,
                     uint32_t type);
  int (*add_export) (void *exports, const char *name,
                     const char *description);
  int (*use_default_export) (void *exports);

  /* Newer nbdkit only: NULL when the running nbdkit lacks them.
   * Strings returned are malloc'd; the caller frees them.
   */
  int (*disconnect) (int force);                          /* nbdkit 1.34 */
  int (*parse_probability) (const char *what, const char *str,
                            double *r);                   /* nbdkit 1.36 */
  char *(*peer_security_context) (void);                  /* nbdkit 1.36 */
  int (*parse_delay) (const char *what, const char *str,
                      unsigned *sec, unsigned *nsec);     /* nbdkit 1.40 */
  char *(*peer_tls_dn) (void);                            /* nbdkit 1.40 */
  char *(*peer_tls_issuer_dn) (void);                     /* nbdkit 1.40 */
  void (*debug_hexdump) (const void *buf, size_t len,
                         const char *prefix, uint64_t start); /* nbdkit 1.46 */
  void (*debug_hexdiff) (const void *buf1, const void *buf2, size_t len,
                         const char *prefix, uint64_t start); /* nbdkit 1.48 */

  /* New fields go here, at the end. */
};

/* Filled by the library in nbdkitgo_init.  The loader zeroes it and
 * sets size and implemented (all bits) before the call.
 */
struct nbdkitgo_info {
  uint64_t size;                /* sizeof (struct nbdkitgo_info) of the loader */
  uint32_t abi_version;         /* the library's NBDKITGO_ABI_VERSION */
  uint32_t _pad;
  uint64_t implemented;         /* bit (1 << NBDKITGO_CB_x) per callback */
  const char *runtime_version;  /* e.g. runtime.Version () = "go1.26.8" */
  const char *name;             /* plugin name, e.g. "ramdisk"; may be NULL */
  const char *longname;         /* may be NULL */
  const char *version;          /* may be NULL */
  const char *description;      /* may be NULL */
  const char *config_help;      /* may be NULL */
};

/* The callbacks.  NBDKITGO_CALLBACKS(X) calls
 *   X(name, CB_CONSTANT, return type, (parameters))
 * once per callback export "nbdkitgo_<name>".  The handshake,
 * nbdkitgo_init, is not in the list.
 */
#define NBDKITGO_CALLBACKS(X)                                           \
  X (load, LOAD, int, (struct nbdkitgo_error *err))                     \
  X (unload, UNLOAD, void, (void))                                      \
  X (config, CONFIG, int,                                               \
     (const char *key, const char *value, struct nbdkitgo_error *err))  \
  X (config_complete, CONFIG_COMPLETE, int, (struct nbdkitgo_error *err)) \
  X (thread_model, THREAD_MODEL, int, (struct nbdkitgo_error *err))     \
  X (get_ready, GET_READY, int, (struct nbdkitgo_error *err))           \
  X (after_fork, AFTER_FORK, int, (struct nbdkitgo_error *err))         \
  X (cleanup, CLEANUP, void, (void))                                    \
  X (dump_plugin, DUMP_PLUGIN, char *, (struct nbdkitgo_error *err))    \
  X (preconnect, PRECONNECT, int,                                       \
     (int readonly, struct nbdkitgo_error *err))                        \
  X (list_exports, LIST_EXPORTS, int,                                   \
     (int readonly, int is_tls, void *exports,                          \
      struct nbdkitgo_error *err))                                      \
  X (default_export, DEFAULT_EXPORT, char *,                            \
     (int readonly, int is_tls, struct nbdkitgo_error *err))            \
  X (open, OPEN, int,                                                   \
     (int readonly, uintptr_t *handle, uint64_t *implemented,           \
      struct nbdkitgo_error *err))                                      \
  X (close, CLOSE, void, (uintptr_t h))                                 \
  X (export_description, EXPORT_DESCRIPTION, char *,                    \
     (uintptr_t h, struct nbdkitgo_error *err))                         \
  X (get_size, GET_SIZE, int64_t, (uintptr_t h, struct nbdkitgo_error *err)) \
  X (block_size, BLOCK_SIZE, int,                                       \
     (uintptr_t h, uint32_t *minimum, uint32_t *preferred,              \
      uint32_t *maximum, struct nbdkitgo_error *err))                   \
  X (can_write, CAN_WRITE, int, (uintptr_t h, struct nbdkitgo_error *err)) \
  X (can_flush, CAN_FLUSH, int, (uintptr_t h, struct nbdkitgo_error *err)) \
  X (is_rotational, IS_ROTATIONAL, int,                                 \
     (uintptr_t h, struct nbdkitgo_error *err))                         \
  X (can_trim, CAN_TRIM, int, (uintptr_t h, struct nbdkitgo_error *err)) \
  X (can_zero, CAN_ZERO, int, (uintptr_t h, struct nbdkitgo_error *err)) \
  X (can_fast_zero, CAN_FAST_ZERO, int,                                 \
     (uintptr_t h, struct nbdkitgo_error *err))                         \
  X (can_fua, CAN_FUA, int, (uintptr_t h, struct nbdkitgo_error *err))  \
  X (can_multi_conn, CAN_MULTI_CONN, int,                               \
     (uintptr_t h, struct nbdkitgo_error *err))                         \
  X (can_extents, CAN_EXTENTS, int,                                     \
     (uintptr_t h, struct nbdkitgo_error *err))                         \
  X (can_cache, CAN_CACHE, int, (uintptr_t h, struct nbdkitgo_error *err)) \
  X (pread, PREAD, int,                                                 \
     (uintptr_t h, void *buf, uint32_t count, uint64_t offset,          \
      uint32_t flags, struct nbdkitgo_error *err))                      \
  X (pwrite, PWRITE, int,                                               \
     (uintptr_t h, void *buf, uint32_t count, uint64_t offset,          \
      uint32_t flags, struct nbdkitgo_error *err))                      \
  X (flush, FLUSH, int,                                                 \
     (uintptr_t h, uint32_t flags, struct nbdkitgo_error *err))         \
  X (trim, TRIM, int,                                                   \
     (uintptr_t h, uint32_t count, uint64_t offset, uint32_t flags,     \
      struct nbdkitgo_error *err))                                      \
  X (zero, ZERO, int,                                                   \
     (uintptr_t h, uint32_t count, uint64_t offset, uint32_t flags,     \
      struct nbdkitgo_error *err))                                      \
  X (extents, EXTENTS, int,                                             \
     (uintptr_t h, uint32_t count, uint64_t offset, uint32_t flags,     \
      void *extents, struct nbdkitgo_error *err))                       \
  X (cache, CACHE, int,                                                 \
     (uintptr_t h, uint32_t count, uint64_t offset, uint32_t flags,     \
      struct nbdkitgo_error *err))

/* Bit numbers for info->implemented and open's implemented. */
enum nbdkitgo_callback {
#define NBDKITGO_ENUM(name, NAME, ret, args) NBDKITGO_CB_##NAME,
  NBDKITGO_CALLBACKS (NBDKITGO_ENUM)
#undef NBDKITGO_ENUM
  NBDKITGO_CB_COUNT
};

/* The bit of callback NAME, e.g. NBDKITGO_CB_BIT (PWRITE). */
#define NBDKITGO_CB_BIT(NAME) (UINT64_C (1) << NBDKITGO_CB_##NAME)

/* The connection callbacks, which open may set or clear per
 * connection: close and every callback after it in the list.
 */
#define NBDKITGO_CB_CONNECTION_MASK \
  ((NBDKITGO_CB_BIT (COUNT) - 1) & ~(NBDKITGO_CB_BIT (CLOSE) - 1))

/* Function types: nbdkitgo_<name>_fn for each callback, and the
 * handshake.
 *
 * nbdkitgo_init is called once per process before any other export;
 * it returns 0 on success or -1 (with err filled in).  The library
 * must always set info->abi_version, even when it refuses the
 * loader's version, so that the loader can name both versions.
 */
typedef int nbdkitgo_init_fn (uint32_t abi_version,
                              const struct nbdkitgo_host *host,
                              struct nbdkitgo_info *info,
                              struct nbdkitgo_error *err);
#define NBDKITGO_TYPEDEF(name, NAME, ret, args) \
  typedef ret nbdkitgo_##name##_fn args;
NBDKITGO_CALLBACKS (NBDKITGO_TYPEDEF)
#undef NBDKITGO_TYPEDEF

/* Optional export, not an nbdkit callback: nbdkitgo_threads (live) is
 * called each time an nbdkit thread calls into the library for the
 * first time, on that thread, before its first callback; live is the
 * number of such threads still alive, this one included (threads that
 * have exited are no longer counted).  A Go library uses it to keep
 * GOMAXPROCS at least as high as the number of threads calling in
 * (golib does; see nbdkit-golang-abi(3)).  Older loaders never call
 * it, so a library must not depend on it.
 */
typedef void nbdkitgo_threads_fn (uint32_t live);

/* A library that defines NBDKITGO_DECLARE_EXPORTS before including
 * this header gets prototypes for every export, so that the compiler
 * checks each definition's signature against the ABI.  (golib checks
 * its cgo exports the same way, in abi_check.c.)  The loader never
 * defines it: it looks the exports up with dlsym.
 */
#ifdef NBDKITGO_DECLARE_EXPORTS
extern nbdkitgo_init_fn nbdkitgo_init;
extern nbdkitgo_threads_fn nbdkitgo_threads;
#define NBDKITGO_DECLARE(name, NAME, ret, args) \
  extern nbdkitgo_##name##_fn nbdkitgo_##name;
NBDKITGO_CALLBACKS (NBDKITGO_DECLARE)
#undef NBDKITGO_DECLARE
#endif

#ifdef __cplusplus
}
#endif

#endif /* NBDKITGO_ABI_H */
