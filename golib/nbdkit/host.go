// nbdkit-golang
// Copyright the nbdkit-golang authors
//
// Redistribution and use in source and binary forms, with or without
// modification, are permitted provided that the following conditions are
// met:
//
// * Redistributions of source code must retain the above copyright
// notice, this list of conditions and the following disclaimer.
//
// * Redistributions in binary form must reproduce the above copyright
// notice, this list of conditions and the following disclaimer in the
// documentation and/or other materials provided with the distribution.
//
// * Neither the name of the copyright holder nor the names of its
// contributors may be used to endorse or promote products derived from
// this software without specific prior written permission.
//
// THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS
// "AS IS" AND ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT
// LIMITED TO, THE IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR
// A PARTICULAR PURPOSE ARE DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT
// HOLDER OR CONTRIBUTORS BE LIABLE FOR ANY DIRECT, INDIRECT, INCIDENTAL,
// SPECIAL, EXEMPLARY, OR CONSEQUENTIAL DAMAGES (INCLUDING, BUT NOT
// LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR SERVICES; LOSS OF USE,
// DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER CAUSED AND ON ANY
// THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY, OR TORT
// (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE
// OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.

package nbdkit

// This file calls the loader's host functions (struct nbdkitgo_host).
// Go cannot call a C function pointer, so each one has a static
// inline trampoline here.  This file must have no //export: cgo allows
// only declarations in the preamble of a file that exports.

/*
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <sys/un.h>
#include "nbdkitgo-abi.h"

// The loader's host table, copied at the handshake into memory that
// golib owns and that is zeroed beyond the loader's size, so that a
// function an older loader lacks reads as NULL.  A second handshake
// in the same process refreshes the copy.
static struct nbdkitgo_host *nbdkitgo_golib_host;

static inline int
nbdkitgo_golib_set_host (const struct nbdkitgo_host *h)
{
  struct nbdkitgo_host *copy = nbdkitgo_golib_host;
  size_t n = h->size < sizeof *copy ? h->size : sizeof *copy;

  if (copy == NULL) {
    copy = malloc (sizeof *copy);
    if (copy == NULL)
      return -1;
  }
  memset (copy, 0, sizeof *copy);
  memcpy (copy, h, n);
  copy->size = n;
  nbdkitgo_golib_host = copy;
  return 0;
}

#define H nbdkitgo_golib_host

static inline void call_error (const char *m) { H->error (m); }
static inline void call_debug (const char *m) { H->debug (m); }
static inline int64_t call_parse_size (const char *s) { return H->parse_size (s); }
static inline int call_parse_bool (const char *s) { return H->parse_bool (s); }

static inline int
call_read_password (const char *v, char **p)
{
  return H->read_password (v, p);
}

// Overwrite a C string that held a secret, then free it.  Stores
// through a volatile pointer are never optimised away, unlike a
// memset just before free.
static inline void
wipe_free (char *p)
{
  volatile char *v = p;

  if (p == NULL)
    return;
  while (*v)
    *v++ = 0;
  free (p);
}
static inline char *call_realpath (const char *p) { return H->realpath (p); }
static inline char *call_absolute_path (const char *p) { return H->absolute_path (p); }
static inline int call_stdio_safe (void) { return H->stdio_safe (); }
static inline int call_nanosleep (unsigned s, unsigned ns) { return H->nanosleep (s, ns); }
static inline const char *call_export_name (void) { return H->export_name (); }
static inline int call_is_tls (void) { return H->is_tls (); }
static inline int
call_peer_name (struct sockaddr *a, socklen_t *l)
{
  return H->peer_name (a, l);
}
static inline int64_t call_peer_pid (void) { return H->peer_pid (); }
static inline int64_t call_peer_uid (void) { return H->peer_uid (); }
static inline int64_t call_peer_gid (void) { return H->peer_gid (); }
static inline void call_shutdown (void) { H->shutdown (); }

// disconnect is newer than nbdkit 1.32: -2 when it is missing.
static inline int
call_disconnect (int force)
{
  if (H->disconnect == NULL)
    return -2;
  return H->disconnect (force);
}

// Helpers of newer nbdkit versions: -2 (or *missing = 1) when the
// running nbdkit lacks them.
static inline int
call_parse_probability (const char *w, const char *s, double *r)
{
  if (H->parse_probability == NULL)
    return -2;
  return H->parse_probability (w, s, r);
}

static inline int
call_parse_delay (const char *w, const char *s, unsigned *sec, unsigned *nsec)
{
  if (H->parse_delay == NULL)
    return -2;
  return H->parse_delay (w, s, sec, nsec);
}

#define NBDKITGO_STRING_HELPER(name)                                    \
  static inline char *                                                  \
  call_##name (int *missing)                                            \
  {                                                                     \
    *missing = H->name == NULL;                                         \
    return *missing ? NULL : H->name ();                                \
  }
NBDKITGO_STRING_HELPER (peer_tls_dn)
NBDKITGO_STRING_HELPER (peer_tls_issuer_dn)
NBDKITGO_STRING_HELPER (peer_security_context)

static inline int
call_add_extent (void *e, uint64_t o, uint64_t l, uint32_t t)
{
  return H->add_extent (e, o, l, t);
}
static inline int
call_add_export (void *e, const char *n, const char *d)
{
  return H->add_export (e, n, d);
}
static inline int call_use_default_export (void *e) { return H->use_default_export (e); }

#undef H
*/
import "C"

import (
	"errors"
	"fmt"
	"math"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

// hostSet and hostPhase say, without a call into C, whether setHost
// has run and the phase the loader gave (fixed for the process).
var (
	hostSet   atomic.Bool
	hostPhase atomic.Uint32
)

// setHost copies the loader's host table (at the handshake).
func setHost(h *C.struct_nbdkitgo_host) error {
	if C.nbdkitgo_golib_set_host(h) != 0 {
		return errors.New("out of memory copying the host table")
	}
	hostPhase.Store(uint32(h.phase))
	hostSet.Store(true)
	return nil
}

func haveHost() bool { return hostSet.Load() }

// failed makes the error of a host function that has reported its own
// failure with nbdkit_error.
func failed(what string, errno error) error {
	e := &reportedError{what: what}
	if en, ok := errno.(syscall.Errno); ok {
		e.errno = en
	}
	return e
}

// CurrentPhase returns the nbdkit process the plugin is running in:
// PhaseCheck, PhaseServe or PhaseDump; 0 outside nbdkit.
func CurrentPhase() Phase {
	if !haveHost() {
		return 0
	}
	return Phase(hostPhase.Load())
}

// Debugf logs a debug message, shown when nbdkit runs with -v.  It
// formats like fmt.Sprintf.  Outside nbdkit it does nothing.
func Debugf(format string, args ...any) {
	if !haveHost() {
		return
	}
	cs := C.CString(fmt.Sprintf(format, args...))
	defer C.free(unsafe.Pointer(cs))
	C.call_debug(cs)
}

// Errorf logs an error message with nbdkit_error.  It formats like
// fmt.Sprintf.  A callback that fails should normally just return an
// error, which golib reports; Errorf is for messages about problems
// that do not fail the callback.  Outside nbdkit it does nothing.
func Errorf(format string, args ...any) {
	if !haveHost() {
		return
	}
	cs := C.CString(fmt.Sprintf(format, args...))
	defer C.free(unsafe.Pointer(cs))
	C.call_error(cs)
}

// ParseSize parses a size with nbdkit's syntax, such as "1M" or
// "512k" (nbdkit_parse_size).  Outside nbdkit (in go test) it parses
// the same way, in Go.
func ParseSize(s string) (int64, error) {
	if !haveHost() {
		return parseSizeGo(s)
	}
	cs := C.CString(s)
	defer C.free(unsafe.Pointer(cs))
	r, errno := C.call_parse_size(cs)
	if r == -1 {
		return 0, failed("parse_size", errno)
	}
	return int64(r), nil
}

// ParseBool parses a boolean such as "true", "on", "yes" or "1"
// (nbdkit_parse_bool).  Outside nbdkit it parses the same way, in Go.
func ParseBool(s string) (bool, error) {
	if !haveHost() {
		return parseBoolGo(s)
	}
	cs := C.CString(s)
	defer C.free(unsafe.Pointer(cs))
	r, errno := C.call_parse_bool(cs)
	if r == -1 {
		return false, failed("parse_bool", errno)
	}
	return r != 0, nil
}

// ReadPassword reads a password the way nbdkit's password=
// parameters work (nbdkit_read_password): the value itself, "-" to
// prompt, "+FILE" to read FILE, or "-FD" to read a file descriptor.
// Outside nbdkit the value itself and "+FILE" work the same; "-" and
// "-FD" fail.  A Go string cannot be overwritten, so the password
// stays in memory until the garbage collector reuses it;
// ReadPasswordBytes returns one that can be wiped.
func ReadPassword(value string) (string, error) {
	b, err := ReadPasswordBytes(value)
	if err != nil {
		return "", err
	}
	s := string(b)
	wipe(b)
	return s, nil
}

// ReadPasswordBytes is ReadPassword returning the password as bytes,
// which the caller should overwrite (for example with a loop storing
// zeroes) as soon as it no longer needs them.  The copies made on the
// way, in C memory, are wiped before they are freed, and so is the C
// copy of value (which is the password itself when given inline).
func ReadPasswordBytes(value string) ([]byte, error) {
	if !haveHost() {
		s, err := readPasswordGo(value)
		if err != nil {
			return nil, err
		}
		return []byte(s), nil
	}
	cs := C.CString(value)
	defer C.wipe_free(cs)
	var p *C.char
	if n, errno := C.call_read_password(cs, &p); n == -1 {
		return nil, failed("read_password", errno)
	}
	defer C.wipe_free(p)
	return C.GoBytes(unsafe.Pointer(p), C.int(C.strlen(p))), nil
}

// wipe overwrites b with zeroes.
func wipe(b []byte) {
	for i := range b {
		b[i] = 0
	}
}

// pathCall calls realpath or absolute_path (outside nbdkit, g).
func pathCall(what string, path string, f func(*C.char) (*C.char, error), g func(string) (string, error)) (string, error) {
	if !haveHost() {
		return g(path)
	}
	cs := C.CString(path)
	defer C.free(unsafe.Pointer(cs))
	r, errno := f(cs)
	if r == nil {
		return "", failed(what, errno)
	}
	defer C.free(unsafe.Pointer(r))
	return C.GoString(r), nil
}

// Realpath returns the canonical absolute path of p, which must exist
// (nbdkit_realpath).  Use it in Config for file names: nbdkit changes
// directory to / when it forks into the background.  Outside nbdkit
// it works the same, in Go.
func Realpath(p string) (string, error) {
	return pathCall("realpath", p, func(cs *C.char) (*C.char, error) {
		r, err := C.call_realpath(cs)
		return r, err
	}, realpathGo)
}

// AbsolutePath makes p absolute relative to nbdkit's working directory
// (nbdkit_absolute_path); p need not exist.  Like nbdkit it joins
// the directory and p without cleaning "..".  Outside nbdkit it works
// the same, in Go.
func AbsolutePath(p string) (string, error) {
	return pathCall("absolute_path", p, func(cs *C.char) (*C.char, error) {
		r, err := C.call_absolute_path(cs)
		return r, err
	}, absolutePathGo)
}

// StdioSafe says whether the plugin may use stdin and stdout (false
// with -s, where they are the NBD connection).  Outside nbdkit it is
// true.
func StdioSafe() bool {
	if !haveHost() {
		return true
	}
	return C.call_stdio_safe() != 0
}

// Sleep pauses the current callback for at least d, like time.Sleep,
// but returns early with an error (errno ESHUTDOWN) if nbdkit is
// shutting down or the client disconnects (nbdkit_nanosleep).  A
// duration of zero or less returns at once.  Durations are capped at
// 2^32-1 seconds.  Outside nbdkit it is time.Sleep.
func Sleep(d time.Duration) error {
	if !haveHost() {
		time.Sleep(d)
		return nil
	}
	if d < 0 {
		d = 0
	}
	sec, nsec := d/time.Second, d%time.Second
	if sec > math.MaxUint32 {
		sec, nsec = math.MaxUint32, 0
	}
	if n, errno := C.call_nanosleep(C.unsigned(sec), C.unsigned(nsec)); n == -1 {
		return failed("nanosleep", errno)
	}
	return nil
}

// ExportName returns the export name the client asked for, in Open and
// later callbacks of the connection (nbdkit_export_name).
func ExportName() (string, error) {
	if !haveHost() {
		return "", errNoHost
	}
	r, errno := C.call_export_name()
	if r == nil {
		return "", failed("export_name", errno)
	}
	return C.GoString(r), nil
}

// IsTLS says whether the client connected with TLS (nbdkit_is_tls).
func IsTLS() (bool, error) {
	if !haveHost() {
		return false, errNoHost
	}
	r, errno := C.call_is_tls()
	if r == -1 {
		return false, failed("is_tls", errno)
	}
	return r != 0, nil
}

// VsockAddr is the address of an AF_VSOCK peer, returned by PeerName.
type VsockAddr struct {
	CID  uint32
	Port uint32
}

// Network returns "vsock".
func (a *VsockAddr) Network() string { return "vsock" }

// String returns "CID:PORT".
func (a *VsockAddr) String() string {
	return strconv.FormatUint(uint64(a.CID), 10) + ":" + strconv.FormatUint(uint64(a.Port), 10)
}

// PeerName returns the client's address (nbdkit_peer_name): a
// *net.TCPAddr, a *net.UnixAddr or a *VsockAddr.
func PeerName() (net.Addr, error) {
	if !haveHost() {
		return nil, errNoHost
	}
	var ss C.struct_sockaddr_storage
	l := C.socklen_t(C.sizeof_struct_sockaddr_storage)
	n, errno := C.call_peer_name((*C.struct_sockaddr)(unsafe.Pointer(&ss)), &l)
	if n == -1 {
		return nil, failed("peer_name", errno)
	}
	return decodeSockaddr(C.GoBytes(unsafe.Pointer(&ss), C.int(l)))
}

// decodeSockaddr decodes a Linux struct sockaddr.
func decodeSockaddr(b []byte) (net.Addr, error) {
	if len(b) < 2 {
		return nil, fmt.Errorf("peer_name: address too short (%d bytes)", len(b))
	}
	family := *(*uint16)(unsafe.Pointer(&b[0]))
	be16 := func(p []byte) int { return int(p[0])<<8 | int(p[1]) }
	ne32 := func(p []byte) uint32 { return *(*uint32)(unsafe.Pointer(&p[0])) }
	switch {
	case family == syscall.AF_INET && len(b) >= 8:
		return &net.TCPAddr{IP: net.IP(append([]byte(nil), b[4:8]...)), Port: be16(b[2:])}, nil
	case family == syscall.AF_INET6 && len(b) >= 24:
		return &net.TCPAddr{IP: net.IP(append([]byte(nil), b[8:24]...)), Port: be16(b[2:])}, nil
	case family == syscall.AF_UNIX:
		path := b[2:]
		for len(path) > 0 && path[len(path)-1] == 0 && (len(path) == 1 || path[0] != 0) {
			path = path[:len(path)-1]
		}
		return &net.UnixAddr{Name: string(path), Net: "unix"}, nil
	case family == 40 /* AF_VSOCK */ && len(b) >= 12:
		return &VsockAddr{Port: ne32(b[4:]), CID: ne32(b[8:])}, nil
	}
	return nil, fmt.Errorf("peer_name: unsupported address family %d", family)
}

// PeerPID returns the process ID of a client connected over a Unix
// socket (nbdkit_peer_pid).
func PeerPID() (int64, error) {
	return peerID("peer_pid", func() (C.int64_t, error) { r, err := C.call_peer_pid(); return r, err })
}

// PeerUID returns the user ID of a client connected over a Unix socket
// (nbdkit_peer_uid).
func PeerUID() (int64, error) {
	return peerID("peer_uid", func() (C.int64_t, error) { r, err := C.call_peer_uid(); return r, err })
}

// PeerGID returns the group ID of a client connected over a Unix
// socket (nbdkit_peer_gid).
func PeerGID() (int64, error) {
	return peerID("peer_gid", func() (C.int64_t, error) { r, err := C.call_peer_gid(); return r, err })
}

func peerID(what string, f func() (C.int64_t, error)) (int64, error) {
	if !haveHost() {
		return 0, errNoHost
	}
	r, errno := f()
	if r == -1 {
		return 0, failed(what, errno)
	}
	return int64(r), nil
}

// Shutdown asks nbdkit to shut down the server, as if it had received
// SIGTERM (nbdkit_shutdown).
func Shutdown() {
	if haveHost() {
		C.call_shutdown()
	}
}

// Disconnect drops the current client's connection; force skips the
// clean shutdown of the NBD protocol (nbdkit_disconnect).  It needs
// nbdkit 1.34 or later: with an older nbdkit it returns an error
// wrapping syscall.ENOTSUP and does nothing.
func Disconnect(force bool) error {
	if !haveHost() {
		return errNoHost
	}
	f := C.int(0)
	if force {
		f = 1
	}
	switch n, errno := C.call_disconnect(f); n {
	case -2:
		return lacks("nbdkit_disconnect", "1.34")
	case -1:
		return failed("disconnect", errno)
	}
	return nil
}

// lacks is the error of a helper that the running nbdkit does not
// have (the loader found no such function in it).
func lacks(function, added string) error {
	return fmt.Errorf("nbdkit lacks %s (added in nbdkit %s; this nbdkit is older): %w", function, added, syscall.ENOTSUP)
}

// ParseProbability parses a probability such as "0.1", "1e-1", "10%",
// "1:10" or "1/10" (nbdkit_parse_probability); what names the value in
// error messages.  The result is finite and >= 0, but may exceed 1
// ("200%").  It needs nbdkit 1.36 or later: with an older nbdkit it
// returns an error wrapping syscall.ENOTSUP.
func ParseProbability(what, s string) (float64, error) {
	if !haveHost() {
		return 0, errNoHost
	}
	w, cs := C.CString(what), C.CString(s)
	defer C.free(unsafe.Pointer(w))
	defer C.free(unsafe.Pointer(cs))
	var r C.double
	switch n, errno := C.call_parse_probability(w, cs, &r); n {
	case -2:
		return 0, lacks("nbdkit_parse_probability", "1.36")
	case -1:
		return 0, failed("parse_probability", errno)
	}
	return float64(r), nil
}

// ParseDelay parses a delay such as "1", "1.5s", "120ms", "20us" or
// "1ns" (nbdkit_parse_delay); what names the value in error messages.
// It needs nbdkit 1.40 or later: with an older nbdkit it returns an
// error wrapping syscall.ENOTSUP.
func ParseDelay(what, s string) (time.Duration, error) {
	if !haveHost() {
		return 0, errNoHost
	}
	w, cs := C.CString(what), C.CString(s)
	defer C.free(unsafe.Pointer(w))
	defer C.free(unsafe.Pointer(cs))
	var sec, nsec C.unsigned
	switch n, errno := C.call_parse_delay(w, cs, &sec, &nsec); n {
	case -2:
		return 0, lacks("nbdkit_parse_delay", "1.40")
	case -1:
		return 0, failed("parse_delay", errno)
	}
	return time.Duration(sec)*time.Second + time.Duration(nsec), nil
}

// peerString calls a helper that returns a malloc'd string.
func peerString(function, added string, call func(missing *C.int) (*C.char, error)) (string, error) {
	if !haveHost() {
		return "", errNoHost
	}
	var missing C.int
	r, errno := call(&missing)
	if missing != 0 {
		return "", lacks(function, added)
	}
	if r == nil {
		return "", failed(strings.TrimPrefix(function, "nbdkit_"), errno)
	}
	defer C.free(unsafe.Pointer(r))
	return C.GoString(r), nil
}

// PeerTLSDN returns the Distinguished Name of the client's X.509
// certificate, such as "CN=client.example.com,O=BigCo,C=US"
// (nbdkit_peer_tls_dn), or "" if there is none (no TLS, no client
// certificate, or nbdkit run without --tls-verify-peer).  It needs
// nbdkit 1.40 or later: with an older nbdkit it returns an error
// wrapping syscall.ENOTSUP.
func PeerTLSDN() (string, error) {
	return peerString("nbdkit_peer_tls_dn", "1.40", func(m *C.int) (*C.char, error) {
		r, err := C.call_peer_tls_dn(m)
		return r, err
	})
}

// PeerTLSIssuerDN returns the Distinguished Name of the issuer (the
// certificate authority) of the client's X.509 certificate
// (nbdkit_peer_tls_issuer_dn), or "" if there is none, as PeerTLSDN.
// It needs nbdkit 1.40 or later.
func PeerTLSIssuerDN() (string, error) {
	return peerString("nbdkit_peer_tls_issuer_dn", "1.40", func(m *C.int) (*C.char, error) {
		r, err := C.call_peer_tls_issuer_dn(m)
		return r, err
	})
}

// PeerSecurityContext returns the security context (the SELinux
// label) of a client connected over a Unix socket
// (nbdkit_peer_security_context).  It needs nbdkit 1.36 or later: with
// an older nbdkit it returns an error wrapping syscall.ENOTSUP.
func PeerSecurityContext() (string, error) {
	return peerString("nbdkit_peer_security_context", "1.36", func(m *C.int) (*C.char, error) {
		r, err := C.call_peer_security_context(m)
		return r, err
	})
}

// hostExtents sends extents to nbdkit_add_extent.
type hostExtents struct{ p unsafe.Pointer }

func (h hostExtents) addExtent(offset, length uint64, t ExtentType) error {
	n, errno := C.call_add_extent(h.p, C.uint64_t(offset), C.uint64_t(length), C.uint32_t(t))
	if n == -1 {
		return failed("add_extent", errno)
	}
	return nil
}

// hostExports sends exports to nbdkit_add_export.
type hostExports struct{ p unsafe.Pointer }

func (h hostExports) addExport(name, description string) error {
	cn := C.CString(name)
	defer C.free(unsafe.Pointer(cn))
	var cd *C.char
	if description != "" {
		cd = C.CString(description)
		defer C.free(unsafe.Pointer(cd))
	}
	if n, errno := C.call_add_export(h.p, cn, cd); n == -1 {
		return failed("add_export", errno)
	}
	return nil
}

func (h hostExports) useDefaultExport() error {
	if n, errno := C.call_use_default_export(h.p); n == -1 {
		return failed("use_default_export", errno)
	}
	return nil
}
