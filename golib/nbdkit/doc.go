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

// Package nbdkit lets you write nbdkit plugins (NBD servers' storage
// back ends) in plain Go: no cgo, no //export, no boilerplate.
//
// A plugin is a main package built with -buildmode=c-shared.  It
// registers one Plugin value from an init function, and
// nbdkit-golang-plugin.so (the "loader") loads the library and
// forwards nbdkit's callbacks to it:
//
//	package main
//
//	import "github.com/nbdkit-golang/golib/nbdkit"
//
//	type disk struct{ data []byte }
//
//	func (d *disk) Open(readonly bool) (nbdkit.Connection, error) { return d, nil }
//	func (d *disk) GetSize() (int64, error)                       { return int64(len(d.data)), nil }
//
//	func (d *disk) PRead(buf []byte, off uint64, flags nbdkit.Flags) error {
//		copy(buf, d.data[off:])
//		return nil
//	}
//
//	func (d *disk) PWrite(buf []byte, off uint64, flags nbdkit.Flags) error {
//		copy(d.data[off:], buf)
//		return nil
//	}
//
//	func init() { nbdkit.Register("disk", &disk{data: make([]byte, 1<<20)}) }
//
//	func main() {} // required by -buildmode=c-shared, never called
//
// # Getting started
//
// golib is installed as Go source, where Debian's Go packages put
// theirs: /usr/share/gocode/src/github.com/nbdkit-golang/golib (Debian
// package golang-github-nbdkit-golang-golib-dev; "make install" of
// nbdkit-golang puts it in DATADIR/gocode/src/github.com/nbdkit-golang/golib,
// by default under /usr/local/share).  It is not published for "go get":
// a plugin's go.mod points at the installed source, and nothing is
// downloaded.  In an empty directory, write this go.mod (with that
// directory in the replace line):
//
//	module example.com/disk
//
//	go 1.19
//
//	require github.com/nbdkit-golang/golib v0.0.0
//
//	replace github.com/nbdkit-golang/golib => /usr/share/gocode/src/github.com/nbdkit-golang/golib
//
// Write the "go" line as shown: "go mod init" of a Go newer than 1.20
// writes a line such as "go 1.26.8" that Go 1.19 refuses ("invalid go
// version"); "go mod edit -go=1.19" fixes one.  Put the plugin above
// in disk.go, then build it and serve it:
//
//	go build -buildmode=c-shared -o disk.so
//	nbdkit golang ./disk.so
//
// nbdkit finds the golang plugin in its plugin directory when it was
// installed there (the Debian package nbdkit-plugin-golang); otherwise
// give its path: nbdkit /path/to/nbdkit-golang-plugin.so ./disk.so.
//
// # Optional features
//
// Plugin and Connection have only the required methods.  Every other
// nbdkit callback is a small interface, found by type assertion the
// way io.WriterTo is: a Connection that has a PWrite method is a
// Writer and is writable, one with Flush is a Flusher, and so on.
// Plugin-level interfaces (Configurer, ThreadModeler, ExportLister,
// ...) are looked for on the value passed to Register;
// connection-level ones (Writer, Zeroer, Extenter, CanFUAer, ...) on
// the value returned by Open.
//
// Each interface is named after its one method with -er, as in Go's
// own packages: Flush gives Flusher, CanWrite CanWriter, CanFUA
// CanFUAer.  The method names are nbdkit's callback names; PRead and
// PWrite drop their P (Writer), Extents its plural s (Extenter,
// CanExtenter), and IsRotational its Is (Rotationaler, as
// database/sql/driver's Validator has IsValid).
//
// Missing features get exactly the defaults nbdkit gives a plugin
// written in C: a connection is writable if and only if it implements
// Writer (unless it implements CanWriter), FUA is emulated with Flush
// if it implements Flusher (unless CanFUAer says otherwise), zero
// requests are emulated with PWrite unless it implements Zeroer,
// extents are reported as all data unless it implements Extenter,
// cache requests are refused unless it implements Cacher, and so on:
// each Can... interface documents its default.  golib does not apply
// them itself: when Open returns, it tells the loader which methods
// that connection has, and the loader applies nbdkit's rules, the same
// way for every library.  Fast-zero requests are always accepted by
// the handshake and fail at once with ENOTSUP on a connection that
// cannot do them fast (see CanFastZeroer).
//
// # Features chosen at run time
//
// Which methods a connection has is decided per connection, so a
// plugin whose features depend on its configuration needs one type
// with every method, not one type per combination: it implements
// Omitter, and the methods Omit returns count as missing for that
// connection.
//
//	type disk struct {
//		readonly, trim bool // from Config
//		// ...
//	}
//
//	func (d *disk) Omit() nbdkit.Methods {
//		var m nbdkit.Methods
//		if d.readonly {
//			m |= nbdkit.MethodPWrite | nbdkit.MethodZero
//		}
//		if !d.trim {
//			m |= nbdkit.MethodTrim
//		}
//		return m
//	}
//
// # Helpers of newer nbdkit versions
//
// The loader is built against nbdkit 1.32 and binds newer nbdkit
// functions when it loads, against the nbdkit that runs it.  Where the
// running nbdkit lacks one, the helper returns an error wrapping
// syscall.ENOTSUP that names the function and the version that added
// it: Disconnect (nbdkit 1.34), ParseProbability and
// PeerSecurityContext (1.36), ParseDelay, PeerTLSDN and
// PeerTLSIssuerDN (1.40).
//
// # Errors
//
// Callbacks return ordinary Go errors.  The message is logged by
// nbdkit, and the client gets the errno found anywhere in the error's
// chain (errors.As with a syscall.Errno): errors from package os carry
// one (*os.PathError), and fmt.Errorf("...: %w", syscall.ENOSPC) adds
// one.  An error without an errno, or with one that is not a positive
// errno value, gives the client EIO.
//
// A panic in a callback is recovered at the boundary: its message and
// stack are logged, the request fails with EIO, and the server keeps
// serving.
//
// # Threads
//
// The default thread model is ThreadModelSerializeAllRequests: nbdkit
// never calls two callbacks at once, so plugins need no locks.
// Implement ThreadModeler to allow more; with ThreadModelParallel the
// methods of one Connection can run concurrently.
//
// Choose ThreadModelParallel only for callbacks that wait (on a disk,
// the network, a lock or a timer): nbdkit then reads each connection's
// requests in up to 16 worker threads and runs them at once.  For
// callbacks that never wait, such as a RAM disk's, prefer
// ThreadModelSerializeRequests, as examples/ramdisk does: nbdkit then
// serves each connection from a single thread, in order, and
// connections still run in parallel.  Measured on 2 CPUs, that one
// choice cut the server's CPU time per request by 14-51% (a third on
// average) in every workload of bench/run, against the same plugin in
// the parallel model (bench/RESULTS.md).
//
// Buffers passed to PRead and PWrite are nbdkit's own memory, wrapped
// without a copy: do not keep them, or slices of them, after the call
// returns.
//
// The helpers (ExportName, PeerPID, Debugf, ...) must be called from
// the goroutine that runs the callback, not from goroutines the plugin
// starts: nbdkit keeps per-connection state in the calling thread.
//
// Every nbdkit thread that calls into the plugin (16 worker threads
// per connection by default) holds one of the Go runtime's Ps while
// it is back in nbdkit.  So that a thread entering Go never waits for
// one, golib raises GOMAXPROCS as such threads appear, to at least
// the runtime's default plus the number alive (with room to spare, so
// that a new connection costs only a few changes).  It is lowered only
// when a new thread arrives and the count has fallen to a quarter of
// what GOMAXPROCS allows for.  runtime.GOMAXPROCS(0) in a serving
// plugin is therefore not the number of CPUs (use runtime.NumCPU to
// size worker pools).
// A GOMAXPROCS environment variable turns this off.
//
// # Processes
//
// When nbdkit serves, the configuration callbacks (Load, Config,
// ConfigComplete, ThreadModel, GetReady) run twice: once in a
// short-lived check process, so that mistakes are reported on the
// user's terminal before nbdkit detaches, and again in the process
// that serves.  CurrentPhase says which one is running.  Start
// goroutines, open network connections and so on in AfterFork, which
// runs only in the serving process.  Both runs see the directory
// nbdkit was started in, so relative paths in parameters mean the
// same file in both, even after nbdkit has forked and changed to /.
//
// SIGINT, SIGQUIT, SIGTERM and SIGHUP belong to nbdkit, which shuts
// down on them.  A plugin that calls signal.Notify for one of them
// while it is being configured is refused with an error, since
// nbdkit could no longer be stopped; one that does so later, while
// serving, has nbdkit's handler put back at the next open or close of
// a connection.  A panic in a goroutine the plugin starts itself is
// not recovered by golib and ends the server, as it would any Go
// program: recover in that goroutine.  Such fatal errors (and
// concurrent map writes, stack overflows, running out of memory) are
// reported in nbdkit's log, syslog included.
//
// Passwords: ReadPasswordBytes returns bytes the plugin can overwrite
// when done; a string from ReadPassword stays in memory until the
// garbage collector reuses it.
//
// # Disks over io.ReaderAt
//
// ReaderAtDisk serves any io.ReaderAt in one call, and takes from it
// what it implements: io.WriterAt makes the disk writable, Syncer
// (Sync, as *os.File has) adds flush and FUA, HolePuncher adds trim.
// A Disk is a Plugin, to pass to Register as it is, and a Connection,
// to return from a plugin's own Open after its own configuration.
//
// # Testing
//
// Outside nbdkit, as in go test, ParseSize, ParseBool, Realpath,
// AbsolutePath and ReadPassword work as nbdkit's own functions do,
// Sleep is time.Sleep, and Debugf and Errorf print nothing.  Package
// github.com/nbdkit-golang/golib/nbdkit/nbdkittest drives a plugin
// through nbdkit's lifecycle in the test process: configuration,
// connections and requests.  The helpers that need a client
// (ExportName, PeerName, IsTLS, ...) fail outside nbdkit, and so do
// ParseProbability and ParseDelay, which newer nbdkit versions add.
//
// # Memory disks
//
// Package github.com/nbdkit-golang/golib/sparse is a sparse, lock-free
// byte array for plugins that keep their disk in memory; the ramdisk
// example is built on it.
package nbdkit
