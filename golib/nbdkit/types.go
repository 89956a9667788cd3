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

import "io"

// Plugin is the one interface every plugin implements.  The value
// passed to Register may also implement any of the optional
// plugin-level interfaces: Loader, Unloader, Configurer,
// ConfigCompleter, ThreadModeler, GetReadier, AfterForker, Cleaner,
// PreConnecter, ExportLister, DefaultExporter, Dumper and Informer.
type Plugin interface {
	// Open is called for each new client connection.  readonly is
	// true if nbdkit was started with -r or the client asked for a
	// read-only connection.  The returned Connection serves the
	// connection's requests until it is closed.
	Open(readonly bool) (Connection, error)
}

// Connection is one client connection.  GetSize and PRead are
// required; every other request is an optional interface that the
// value returned by Plugin.Open may implement: Closer,
// ExportDescriber, BlockSizer, Writer, Flusher, Trimmer, Zeroer,
// Extenter, Cacher and the Can... interfaces.  What the connection
// implements is decided when Open returns, for that connection alone;
// where it lacks a method, nbdkit's own default for a C plugin
// without the callback applies (the loader applies it).  A connection
// can go without some of the methods its type has with Omitter.
//
// Unless the plugin chooses a ThreadModel that allows it, nbdkit never
// calls two methods of a plugin at the same time.  With
// ThreadModelParallel, methods of one Connection may run concurrently
// and the plugin must do its own locking.
type Connection interface {
	// GetSize returns the size of the disk in bytes.
	GetSize() (int64, error)

	// PRead fills buf with the data at offset.  buf aliases
	// nbdkit's own buffer (no copy is made); it must not be kept
	// or used after PRead returns.
	PRead(buf []byte, offset uint64, flags Flags) error
}

// Loader is implemented by plugins that want to run code when the
// library is loaded, before any configuration (nbdkit's .load).
type Loader interface{ Load() error }

// Unloader is implemented by plugins that want to run code when nbdkit
// exits (nbdkit's .unload).  The Go runtime itself is never unloaded.
type Unloader interface{ Unload() }

// Configurer receives each key=value parameter from the command line,
// in order (nbdkit's .config).  A plugin that does not implement it
// accepts no parameters.
type Configurer interface{ Config(key, value string) error }

// ConfigCompleter is called after the last parameter, to check that
// the configuration is complete (nbdkit's .config_complete).
type ConfigCompleter interface{ ConfigComplete() error }

// ThreadModeler chooses the thread model.  Without it a plugin gets
// ThreadModelSerializeAllRequests, which is safe for code written
// without locks.
type ThreadModeler interface{ ThreadModel() ThreadModel }

// GetReadier is called after configuration, before nbdkit serves
// (nbdkit's .get_ready).
type GetReadier interface{ GetReady() error }

// AfterForker is called in the serving process before the first
// connection (nbdkit's .after_fork).  Start background goroutines
// here, not in init or Load.
type AfterForker interface{ AfterFork() error }

// Cleaner is called when nbdkit stops serving, before Unload (nbdkit's
// .cleanup).
type Cleaner interface{ Cleanup() }

// PreConnecter is called when a client connects, before the NBD
// handshake (nbdkit's .preconnect).  Returning an error drops the
// client.
type PreConnecter interface{ PreConnect(readonly bool) error }

// ExportLister lists the exports a client may ask for (nbdkit's
// .list_exports).  Without it the list holds only the default export.
type ExportLister interface {
	ListExports(readonly, isTLS bool, e *Exports) error
}

// DefaultExporter names the export a client gets when it asks for ""
// (nbdkit's .default_export).  Without it the default export is "".
type DefaultExporter interface {
	DefaultExport(readonly, isTLS bool) (string, error)
}

// Dumper adds lines to the output of nbdkit --dump-plugin.  It must
// write lines of the form "key=value\n".
type Dumper interface{ DumpPlugin(w io.Writer) error }

// Informer describes the plugin, for nbdkit --dump-plugin and nbdkit's
// messages.
type Informer interface{ Info() Info }

// Info describes a plugin.  Empty fields are not reported.  nbdkit
// prints --help before any plugin library is loaded, so these are
// shown by nbdkit --dump-plugin (ConfigHelp as one
// golang_plugin_config_help line per line of help).
type Info struct {
	Longname    string // a longer name, e.g. "nbdkit RAM disk plugin"
	Version     string // the plugin's version
	Description string // one paragraph saying what the plugin does
	ConfigHelp  string // help for the plugin's key=value parameters
}

// Closer is implemented by connections that need to release resources
// when the client disconnects (nbdkit's .close).
type Closer interface{ Close() }

// ExportDescriber returns a description of the export that this
// connection serves, which clients can show (nbdkit's
// .export_description).
type ExportDescriber interface{ ExportDescription() (string, error) }

// BlockSizer reports the connection's block size constraints (nbdkit's
// .block_size): the minimum, preferred and maximum request sizes.  All
// zero means no constraints.
type BlockSizer interface {
	BlockSize() (minimum, preferred, maximum uint32, err error)
}

// Writer is implemented by writable connections (nbdkit's .pwrite).
// Implementing it is enough to be writable: see CanWriter.  buf
// aliases nbdkit's buffer and must not be kept after PWrite returns.
// flags may contain FlagFUA if CanFUA returns FUANative.
type Writer interface {
	PWrite(buf []byte, offset uint64, flags Flags) error
}

// Flusher is implemented by connections that can flush data to
// permanent storage (nbdkit's .flush).  A Flusher gets FUA writes
// emulated with a flush unless it implements CanFUAer.
type Flusher interface{ Flush(flags Flags) error }

// Trimmer is implemented by connections that can discard data
// (nbdkit's .trim).  flags may contain FlagFUA.
type Trimmer interface {
	Trim(count uint32, offset uint64, flags Flags) error
}

// Zeroer is implemented by connections that can write zeroes
// efficiently (nbdkit's .zero).  flags may contain FlagMayTrim,
// FlagFUA and FlagFastZero.  An error wrapping syscall.EOPNOTSUPP
// makes nbdkit fall back to writing zeroes with PWrite (or fail a fast
// zero request).
type Zeroer interface {
	Zero(count uint32, offset uint64, flags Flags) error
}

// Extenter is implemented by connections that can report which parts
// of the disk are holes or read as zeroes (nbdkit's .extents).  flags
// may contain FlagReqOne.
type Extenter interface {
	Extents(count uint32, offset uint64, flags Flags, e *Extents) error
}

// Cacher is implemented by connections that can prefetch data
// (nbdkit's .cache).
type Cacher interface {
	Cache(count uint32, offset uint64, flags Flags) error
}

// CanWriter decides whether the connection is writable.  Default:
// writable if and only if the connection implements Writer.
type CanWriter interface{ CanWrite() (bool, error) }

// CanFlusher decides whether the connection supports flush.  Default:
// true if and only if the connection implements Flusher.
type CanFlusher interface{ CanFlush() (bool, error) }

// Rotationaler says whether the disk is rotational, which
// clients may use to pick an I/O pattern.  Default: false.
type Rotationaler interface{ IsRotational() (bool, error) }

// CanTrimmer decides whether the connection supports trim.  Default:
// true if and only if the connection implements Trimmer.
type CanTrimmer interface{ CanTrim() (bool, error) }

// CanZeroer decides whether nbdkit calls Zero.  Default: true if and
// only if the connection implements Zeroer.  When false, nbdkit still
// offers zero requests to clients and emulates them with PWrite.
type CanZeroer interface{ CanZero() (bool, error) }

// CanFastZeroer decides whether Zero is called for fast-zero requests
// (FlagFastZero).  Default (as nbdkit): yes if the connection does not
// implement Zeroer or CanZero returns false (nbdkit then fails fast
// zero requests at once), no otherwise.  Clients are always told that
// fast zero is supported; a fast-zero request that the connection
// cannot do fails at once with ENOTSUP without calling Zero (the NBD
// protocol allows it, and nbdkit aborts on fast-zero requests to
// servers that do not advertise it).
type CanFastZeroer interface{ CanFastZero() (bool, error) }

// CanFUAer decides how FUA (force unit access) is handled.  Default:
// FUAEmulate if the connection implements Flusher, else FUANone.
type CanFUAer interface{ CanFUA() (FUAMode, error) }

// CanMultiConner says whether several connections see a consistent
// view of the disk, so clients may open more than one.  Default: false.
type CanMultiConner interface{ CanMultiConn() (bool, error) }

// CanExtenter decides whether the connection reports extents.
// Default: true if and only if the connection implements Extenter.
type CanExtenter interface{ CanExtents() (bool, error) }

// CanCacher decides how cache requests are handled.  Default:
// CacheNative if the connection implements Cacher, else CacheNone.
type CanCacher interface{ CanCache() (CacheMode, error) }

// Omitter is implemented by connections that choose, when they open,
// to go without some of the optional methods their type has: a
// plugin whose features depend on its configuration needs one type
// with every method, not one type per combination.  Omit is called
// once, right after Open, and the methods it returns count as
// missing for that connection: nbdkit's default applies as if the
// type did not have them.  For example a disk that is writable only
// when configured so:
//
//	func (d *disk) Omit() nbdkit.Methods {
//		if d.readonly {
//			return nbdkit.MethodPWrite | nbdkit.MethodTrim | nbdkit.MethodZero
//		}
//		return 0
//	}
type Omitter interface{ Omit() Methods }

// Methods is a set of a Connection's optional methods, for Omitter.
// GetSize, PRead and Close cannot be omitted.
type Methods uint32

// The optional methods of a Connection.
const (
	MethodExportDescription Methods = 1 << iota // ExportDescriber
	MethodBlockSize                             // BlockSizer
	MethodPWrite                                // Writer
	MethodFlush                                 // Flusher
	MethodTrim                                  // Trimmer
	MethodZero                                  // Zeroer
	MethodExtents                               // Extenter
	MethodCache                                 // Cacher
	MethodCanWrite                              // CanWriter
	MethodCanFlush                              // CanFlusher
	MethodIsRotational                          // Rotationaler
	MethodCanTrim                               // CanTrimmer
	MethodCanZero                               // CanZeroer
	MethodCanFastZero                           // CanFastZeroer
	MethodCanFUA                                // CanFUAer
	MethodCanMultiConn                          // CanMultiConner
	MethodCanExtents                            // CanExtenter
	MethodCanCache                              // CanCacher
)

// Flags are the flags of a data request.
type Flags uint32

// Request flags (the same values as nbdkit's NBDKIT_FLAG_*).
const (
	FlagMayTrim  Flags = 1 << 0 // Zero: the range may be trimmed
	FlagFUA      Flags = 1 << 1 // the data must be on permanent storage before the request returns
	FlagReqOne   Flags = 1 << 2 // Extents: the client needs only the first extent
	FlagFastZero Flags = 1 << 3 // Zero: fail with EOPNOTSUPP rather than zero slowly
)

// ThreadModel says which callbacks nbdkit may run concurrently.
type ThreadModel int

// Thread models, from the most to the least restrictive (the same
// values as nbdkit's NBDKIT_THREAD_MODEL_*).
const (
	// ThreadModelSerializeConnections: one connection at a time.
	ThreadModelSerializeConnections ThreadModel = 0
	// ThreadModelSerializeAllRequests: several connections, one
	// request at a time across all of them.  The default.
	ThreadModelSerializeAllRequests ThreadModel = 1
	// ThreadModelSerializeRequests: one request at a time per
	// connection.
	ThreadModelSerializeRequests ThreadModel = 2
	// ThreadModelParallel: any number of requests at once.
	ThreadModelParallel ThreadModel = 3
)

// FUAMode is how a connection handles FUA requests.
type FUAMode int

// FUA modes (the same values as nbdkit's NBDKIT_FUA_*).
const (
	FUANone    FUAMode = 0 // FUA is not supported
	FUAEmulate FUAMode = 1 // nbdkit calls Flush after the request
	FUANative  FUAMode = 2 // requests get FlagFUA and honour it
)

// CacheMode is how a connection handles cache requests.
type CacheMode int

// Cache modes (the same values as nbdkit's NBDKIT_CACHE_*).
const (
	CacheNone    CacheMode = 0 // cache requests are refused
	CacheEmulate CacheMode = 1 // nbdkit emulates them by reading and discarding data
	CacheNative  CacheMode = 2 // nbdkit calls Cache
)

// ExtentType describes an extent: 0 is allocated data, or a
// combination of ExtentHole and ExtentZero.
type ExtentType uint32

// Extent types (the same values as nbdkit's NBDKIT_EXTENT_*).
const (
	ExtentHole ExtentType = 1 << 0 // not allocated
	ExtentZero ExtentType = 1 << 1 // reads as zeroes
)

// Phase says which nbdkit process the plugin is running in.  The
// configuration callbacks (Load, Config, ConfigComplete, ThreadModel,
// GetReady) run twice when nbdkit serves: first in a short-lived check
// process, so that errors reach the user's terminal, then again in the
// process that serves clients.
type Phase int

// Phases (the same values as the ABI's NBDKITGO_PHASE_*).
// CurrentPhase returns 0 when the library is not running under
// nbdkit-golang-plugin.so (for example in go test).
const (
	PhaseCheck Phase = 1 // the check process; it exits after GetReady
	PhaseServe Phase = 2 // the process that serves clients
	PhaseDump  Phase = 3 // nbdkit --dump-plugin
)

// String returns the name of the phase.
func (p Phase) String() string {
	switch p {
	case PhaseCheck:
		return "check"
	case PhaseServe:
		return "serve"
	case PhaseDump:
		return "dump"
	}
	return "unknown"
}
