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

/* Fail the Go build if the signature of a cgo export drifts from the
 * ABI header: with NBDKITGO_DECLARE_EXPORTS the header declares every
 * export with its nbdkitgo_<name>_fn type, and _cgo_export.h declares
 * them again as cgo wrote them.  Any difference is a "conflicting
 * types" error, and the assertions below name the export.
 */

#define NBDKITGO_DECLARE_EXPORTS
#include "nbdkitgo-abi.h"
#include "_cgo_export.h"

_Static_assert (__builtin_types_compatible_p (__typeof__ (nbdkitgo_init),
                                              nbdkitgo_init_fn),
                "nbdkitgo_init signature drifted from nbdkitgo-abi.h");

_Static_assert (__builtin_types_compatible_p (__typeof__ (nbdkitgo_threads),
                                              nbdkitgo_threads_fn),
                "nbdkitgo_threads signature drifted from nbdkitgo-abi.h");

#define NBDKITGO_CHECK(name, NAME, ret, args)                           \
  _Static_assert (__builtin_types_compatible_p (__typeof__ (nbdkitgo_##name), \
                                                nbdkitgo_##name##_fn),  \
                  "nbdkitgo_" #name " signature drifted from nbdkitgo-abi.h");
NBDKITGO_CALLBACKS (NBDKITGO_CHECK)
#undef NBDKITGO_CHECK
