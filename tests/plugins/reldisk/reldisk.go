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

// Command reldisk is the test plugin of the reliability tests: a RAM
// disk whose behaviour is chosen by configuration keys, so that one
// build serves every test.
//
// Keys:
//
//	size=SIZE          disk size (default 1M)
//	threadmodel=MODEL  parallel (default), serialize_requests,
//	                   serialize_all_requests, serialize_connections
//	sleep=MS           every data request sleeps MS milliseconds
//	pressure=MODE      none, alloc (garbage, goroutines, runtime.GC),
//	                   spin (burn the CPU 30 ms on every 64th request)
//	panic=OFF,...      pread/pwrite at exactly OFF panics
//	fail=OFF:ERRNO,... pread or zero at exactly OFF fails with ERRNO
//	                   (a name such as EPERM)
//	shutdown-at=OFF    pread at OFF calls nbdkit.Shutdown
//	disconnect-at=OFF  pread at OFF calls nbdkit.Disconnect and fails
//	                   with its error, if any
//	disconnect-force=true
//	                   that Disconnect is forced (default: graceful)
//	log=FILE           append one line per lifecycle event to FILE
//	echo=true          pread returns the export name at offset 0 and
//	                   the export description is "export=NAME"
//	exit=CODE          Config calls os.Exit(CODE)
//	notify=true        Config calls signal.Notify for SIGINT, SIGTERM
//	exports=bad        ListExports offers "good" and then names and
//	                   descriptions that are not valid UTF-8 or hold
//	                   control characters (refused: they are logged)
//	swap=LINK:TARGET   GetReady in the check process points the
//	                   symbolic link LINK at TARGET
//	password=VALUE     read with nbdkit.ReadPasswordBytes, wiped after
//	                   its length is logged
//
// Export names with a special meaning (any other name is a plain disk):
//
//	negsize            GetSize returns -4096
//	grow               each connection sees a disk 4096 bytes larger
//	                   than the one before
//	extents-MODE       Extents misbehaves: few (no extent), many (one
//	                   per 512 bytes up to the end of the disk),
//	                   unordered, backwards (an extent before offset),
//	                   beyond (an extent past the end of the disk);
//	                   extents-good behaves
//
// If the environment variable RELDISK_INIT_PANIC is set, init panics.
package main

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/nbdkit-golang/golib/nbdkit"
)

// stripe is the granularity of the disk's locks.
const stripe = 1 << 20

// errnos are the errno names that fail= accepts.
var errnos = map[string]syscall.Errno{
	"EPERM":     syscall.EPERM,
	"EIO":       syscall.EIO,
	"ENOMEM":    syscall.ENOMEM,
	"EINVAL":    syscall.EINVAL,
	"ENOSPC":    syscall.ENOSPC,
	"EOVERFLOW": syscall.EOVERFLOW,
	"ENOTSUP":   syscall.ENOTSUP,
	"ESHUTDOWN": syscall.ESHUTDOWN,
	"EROFS":     syscall.EROFS,
	// Not errnos at all: -5 and 1<<31 as a C int.
	"ENEG":  syscall.Errno(^uintptr(4)),
	"EHUGE": syscall.Errno(0x80000000),
}

// stats are counted across all connections of the serving process.
type stats struct {
	live, maxLive       int64 // open handles
	opens, closes       int64
	global, maxGlobal   int64 // data calls in flight, all connections
	maxConn             int64 // largest in-flight count of one connection
	cross               int64 // calls started while another connection had one in flight
	requests            int64
	writes              int64
	panics              int64
	badRequests         int64 // beyond the end of the disk
	confused            int64 // calls on a closed or foreign handle
	spins, gcs, workers int64
}

type disk struct {
	size        int64
	data        []byte
	locks       []sync.RWMutex
	threadModel nbdkit.ThreadModel
	// threadModelName is the name given by threadmodel=.
	threadModelName string
	sleep           time.Duration
	pressure        string
	panics          map[uint64]bool
	fails           map[uint64]syscall.Errno
	shutdownAt      int64
	disconnAt       int64
	disconnForce    bool
	echo            bool
	badExports      bool
	swapLink        string
	swapTarget      string

	logMu   sync.Mutex
	logFile *os.File
	logName string

	st      stats
	nextID  int64
	grown   int64
	garbage [64][]byte
	gmu     sync.Mutex
}

var d = &disk{
	size:            1 << 20,
	threadModel:     nbdkit.ThreadModelParallel,
	threadModelName: "parallel",
	pressure:        "none",
	panics:          map[uint64]bool{},
	fails:           map[uint64]syscall.Errno{},
	shutdownAt:      -1,
	disconnAt:       -1,
}

func phaseName() string {
	switch nbdkit.CurrentPhase() {
	case nbdkit.PhaseCheck:
		return "check"
	case nbdkit.PhaseServe:
		return "serve"
	case nbdkit.PhaseDump:
		return "dump"
	}
	return "unknown"
}

// logf appends one line to the log file, if there is one.  Each line
// is written with one write(2) on an O_APPEND file, so lines from the
// check process and the serving process never interleave.
func (p *disk) logf(format string, args ...any) {
	p.logMu.Lock()
	defer p.logMu.Unlock()
	if p.logFile == nil {
		return
	}
	line := fmt.Sprintf("%s pid=%d %s\n", phaseName(), os.Getpid(),
		fmt.Sprintf(format, args...))
	p.logFile.Write([]byte(line))
}

func storeMax(p *int64, v int64) {
	for {
		old := atomic.LoadInt64(p)
		if v <= old || atomic.CompareAndSwapInt64(p, old, v) {
			return
		}
	}
}

func parseOffsets(value string, f func(off uint64, rest string) error) error {
	for _, item := range strings.Split(value, ",") {
		if item == "" {
			continue
		}
		offs, rest, _ := strings.Cut(item, ":")
		off, err := strconv.ParseUint(offs, 0, 64)
		if err != nil {
			return fmt.Errorf("bad offset %q: %w", offs, err)
		}
		if err := f(off, rest); err != nil {
			return err
		}
	}
	return nil
}

// Load implements nbdkit.Loader.
func (p *disk) Load() error { return nil }

// Config implements nbdkit.Configurer.
func (p *disk) Config(key, value string) error {
	switch key {
	case "size":
		n, err := nbdkit.ParseSize(value)
		if err != nil {
			return err
		}
		p.size = n
	case "threadmodel":
		switch value {
		case "parallel":
			p.threadModel = nbdkit.ThreadModelParallel
		case "serialize_requests":
			p.threadModel = nbdkit.ThreadModelSerializeRequests
		case "serialize_all_requests":
			p.threadModel = nbdkit.ThreadModelSerializeAllRequests
		case "serialize_connections":
			p.threadModel = nbdkit.ThreadModelSerializeConnections
		default:
			return fmt.Errorf("unknown thread model %q", value)
		}
		p.threadModelName = value
	case "sleep":
		ms, err := strconv.Atoi(value)
		if err != nil {
			return fmt.Errorf("sleep: %w", err)
		}
		p.sleep = time.Duration(ms) * time.Millisecond
	case "pressure":
		switch value {
		case "none", "alloc", "spin":
			p.pressure = value
		default:
			return fmt.Errorf("unknown pressure %q", value)
		}
	case "panic":
		return parseOffsets(value, func(off uint64, _ string) error {
			p.panics[off] = true
			return nil
		})
	case "fail":
		return parseOffsets(value, func(off uint64, name string) error {
			e, ok := errnos[name]
			if !ok {
				return fmt.Errorf("unknown errno %q", name)
			}
			p.fails[off] = e
			return nil
		})
	case "shutdown-at", "disconnect-at":
		n, err := strconv.ParseInt(value, 0, 64)
		if err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
		if key == "shutdown-at" {
			p.shutdownAt = n
		} else {
			p.disconnAt = n
		}
	case "disconnect-force":
		b, err := nbdkit.ParseBool(value)
		if err != nil {
			return err
		}
		p.disconnForce = b
	case "log":
		f, err := os.OpenFile(value, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			return err
		}
		p.logName = value
		p.logFile = f
	case "echo":
		b, err := nbdkit.ParseBool(value)
		if err != nil {
			return err
		}
		p.echo = b
	case "exit":
		code, err := strconv.Atoi(value)
		if err != nil {
			return err
		}
		os.Exit(code)
	case "notify":
		c := make(chan os.Signal, 1)
		signal.Notify(c, syscall.SIGINT, syscall.SIGTERM)
	case "exports":
		p.badExports = value == "bad"
	case "swap":
		link, target, _ := strings.Cut(value, ":")
		p.swapLink, p.swapTarget = link, target
	case "password":
		b, err := nbdkit.ReadPasswordBytes(value)
		if err != nil {
			return err
		}
		p.logf("password len=%d", len(b))
		for i := range b {
			b[i] = 0
		}
	default:
		return fmt.Errorf("unknown parameter %q", key)
	}
	p.logf("config %s=%q", key, value)
	return nil
}

// ConfigComplete implements nbdkit.ConfigCompleter.
func (p *disk) ConfigComplete() error {
	if p.size < 0 {
		return errors.New("size must not be negative")
	}
	p.logf("config_complete threadmodel=%s sleep=%v pressure=%s",
		p.threadModelName, p.sleep, p.pressure)
	return nil
}

// ThreadModel implements nbdkit.ThreadModeler.
func (p *disk) ThreadModel() nbdkit.ThreadModel { return p.threadModel }

// GetReady implements nbdkit.GetReadier.  The disk is allocated here
// and not in ConfigComplete so that the check process stays small.
func (p *disk) GetReady() error {
	// Room for the "grow" export to grow for 4096 connections.
	alloc := p.size + 4096*4096
	p.data = make([]byte, alloc)
	p.locks = make([]sync.RWMutex, alloc/stripe+1)
	p.logf("get_ready")
	if p.swapLink != "" && nbdkit.CurrentPhase() == nbdkit.PhaseCheck {
		tmp := p.swapLink + ".new"
		if err := os.Symlink(p.swapTarget, tmp); err != nil {
			return err
		}
		if err := os.Rename(tmp, p.swapLink); err != nil {
			return err
		}
		p.logf("swapped %s to %s", p.swapLink, p.swapTarget)
	}
	return nil
}

// ListExports implements nbdkit.ExportLister.
func (p *disk) ListExports(readonly, isTLS bool, e *nbdkit.Exports) error {
	if !p.badExports {
		return e.UseDefault()
	}
	if err := e.Add("good", "a good export"); err != nil {
		return err
	}
	for _, x := range [][2]string{
		{"bad\xff", ""}, {"esc\x1b[31m", ""}, {"cr\r", ""},
		{"gooddesc", "bad\xfe"}, {"gooddesc", "bell\a"},
	} {
		if err := e.Add(x[0], x[1]); err != nil {
			p.logf("refused %q %q: %v", x[0], x[1], err)
		}
	}
	return nil
}

// trouble does what the special export names of Open ask for.
func trouble(name string) {
	switch name {
	case "notify":
		signal.Notify(make(chan os.Signal, 1), syscall.SIGINT, syscall.SIGTERM)
	case "ignore":
		signal.Ignore(syscall.SIGINT, syscall.SIGTERM)
	case "print":
		fmt.Println("reldisk: this line went to standard output")
	case "crash-goroutine":
		done := make(chan bool)
		go func() {
			defer close(done)
			panic("reldisk: panic in a goroutine of the plugin")
		}()
		<-done
	case "crash-map":
		m := map[int]int{}
		var wg sync.WaitGroup
		for g := 0; g < 2; g++ {
			wg.Add(1)
			go func(g int) {
				defer wg.Done()
				for i := 0; ; i++ {
					m[i%1000+g] = i
				}
			}(g)
		}
		wg.Wait()
	case "crash-goexit":
		runtime.Goexit()
	case "crash-stack":
		recurse(0)
	}
}

// recurse overflows the stack.
func recurse(n int) int {
	var pad [64]byte
	pad[n%64] = byte(n)
	return recurse(n+1) + int(pad[0])
}

// AfterFork implements nbdkit.AfterForker.
func (p *disk) AfterFork() error {
	p.logf("after_fork")
	return nil
}

// Cleanup implements nbdkit.Cleaner.  It reports every counter.
func (p *disk) Cleanup() {
	s := &p.st
	p.logf("cleanup live=%d maxlive=%d opens=%d closes=%d maxglobal=%d maxconn=%d cross=%d requests=%d writes=%d panics=%d bad=%d confused=%d spins=%d gcs=%d workers=%d",
		atomic.LoadInt64(&s.live), atomic.LoadInt64(&s.maxLive),
		atomic.LoadInt64(&s.opens), atomic.LoadInt64(&s.closes),
		atomic.LoadInt64(&s.maxGlobal), atomic.LoadInt64(&s.maxConn),
		atomic.LoadInt64(&s.cross), atomic.LoadInt64(&s.requests),
		atomic.LoadInt64(&s.writes), atomic.LoadInt64(&s.panics),
		atomic.LoadInt64(&s.badRequests), atomic.LoadInt64(&s.confused),
		atomic.LoadInt64(&s.spins), atomic.LoadInt64(&s.gcs),
		atomic.LoadInt64(&s.workers))
}

// Unload implements nbdkit.Unloader.
func (p *disk) Unload() { p.logf("unload") }

// conn is one connection's state.
type conn struct {
	d        *disk
	id       int64
	magic    uint64
	name     string
	size     int64
	mode     string
	closed   int32
	inflight int64
}

const connMagic = 0x72656c6469736b21

// Open implements nbdkit.Plugin.
func (p *disk) Open(readonly bool) (nbdkit.Connection, error) {
	name, err := nbdkit.ExportName()
	if err != nil {
		return nil, err
	}
	c := &conn{d: p, id: atomic.AddInt64(&p.nextID, 1), magic: connMagic,
		name: name, size: p.size}
	switch {
	case name == "negsize":
		c.mode = name
	case name == "grow":
		c.mode = name
		c.size = p.size + 4096*atomic.AddInt64(&p.grown, 1)
	case strings.HasPrefix(name, "extents-"):
		c.mode = name
	}
	trouble(name)
	storeMax(&p.st.maxLive, atomic.AddInt64(&p.st.live, 1))
	atomic.AddInt64(&p.st.opens, 1)
	p.logf("open id=%d readonly=%v export=%q size=%d", c.id, readonly, name, c.size)
	return c, nil
}

// Close implements nbdkit.Closer.
func (c *conn) Close() {
	if !atomic.CompareAndSwapInt32(&c.closed, 0, 1) || c.magic != connMagic {
		atomic.AddInt64(&c.d.st.confused, 1)
	}
	atomic.AddInt64(&c.d.st.live, -1)
	atomic.AddInt64(&c.d.st.closes, 1)
	c.d.logf("close id=%d export=%q", c.id, c.name)
}

// GetSize implements nbdkit.Connection.
func (c *conn) GetSize() (int64, error) {
	if c.mode == "negsize" {
		return -4096, nil
	}
	return c.size, nil
}

// ExportDescription implements nbdkit.ExportDescriber.
func (c *conn) ExportDescription() (string, error) {
	if c.name == "baddesc" {
		return "bad\xff\xfe", nil
	}
	return "export=" + c.name, nil
}

// CanMultiConn implements nbdkit.CanMultiConner.
func (c *conn) CanMultiConn() (bool, error) { return true, nil }

// enter accounts for one data call and applies the configured sleep
// and pressure; the caller defers the function it returns.
func (c *conn) enter(offset uint64, count int) func() {
	s := &c.d.st
	if atomic.LoadInt32(&c.closed) != 0 || c.magic != connMagic {
		atomic.AddInt64(&s.confused, 1)
	}
	g := atomic.AddInt64(&s.global, 1)
	l := atomic.AddInt64(&c.inflight, 1)
	storeMax(&s.maxGlobal, g)
	storeMax(&s.maxConn, l)
	if g > l {
		atomic.AddInt64(&s.cross, 1)
	}
	n := atomic.AddInt64(&s.requests, 1)
	if offset+uint64(count) > uint64(c.size) {
		atomic.AddInt64(&s.badRequests, 1)
	}
	if c.d.sleep > 0 {
		time.Sleep(c.d.sleep)
	}
	switch c.d.pressure {
	case "alloc":
		c.d.makeGarbage(n)
	case "spin":
		if n%64 == 0 {
			// A callback's goroutine stays on the nbdkit thread that
			// called it, so this is that thread's id.
			tid := syscall.Gettid()
			spin(30 * time.Millisecond)
			atomic.AddInt64(&s.spins, 1)
			c.d.logf("spin tid=%d", tid)
		}
	}
	return func() {
		atomic.AddInt64(&c.inflight, -1)
		atomic.AddInt64(&s.global, -1)
	}
}

// spin keeps the CPU busy without a function call that could be a
// cooperative preemption point, so only asynchronous preemption
// (SIGURG, sent to the nbdkit thread running this callback) can
// interrupt it.
func spin(dur time.Duration) {
	end := time.Now().Add(dur)
	x := uint64(1)
	for {
		for i := 0; i < 1000000; i++ {
			x = x*6364136223846793005 + 1442695040888963407
		}
		if time.Now().After(end) {
			break
		}
	}
	if x == 42 {
		fmt.Fprintln(os.Stderr, "unlikely")
	}
}

// makeGarbage allocates and keeps some memory alive across requests,
// runs goroutines that touch it, and forces a collection now and then.
func (p *disk) makeGarbage(n int64) {
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		atomic.AddInt64(&p.st.workers, 1)
		go func(i int) {
			defer wg.Done()
			b := make([]byte, 64<<10+int(n%7)*4096)
			for j := range b {
				b[j] = byte(j + i)
			}
			p.gmu.Lock()
			p.garbage[(n*4+int64(i))%int64(len(p.garbage))] = b
			p.gmu.Unlock()
		}(i)
	}
	wg.Wait()
	if n%64 == 0 {
		runtime.GC()
		atomic.AddInt64(&p.st.gcs, 1)
	}
}

// lockRange locks the stripes that [offset, offset+count) touches.
func (p *disk) lockRange(offset uint64, count int, write bool) func() {
	if count == 0 {
		return func() {}
	}
	first := offset / stripe
	last := (offset + uint64(count) - 1) / stripe
	for i := first; i <= last; i++ {
		if write {
			p.locks[i].Lock()
		} else {
			p.locks[i].RLock()
		}
	}
	return func() {
		for i := first; i <= last; i++ {
			if write {
				p.locks[i].Unlock()
			} else {
				p.locks[i].RUnlock()
			}
		}
	}
}

// copyParallel copies src to dst in four goroutines when pressure=alloc,
// so that goroutines other than the callback's touch nbdkit's buffer.
func (p *disk) copyParallel(dst, src []byte) {
	if p.pressure != "alloc" || len(dst) < 4096 {
		copy(dst, src)
		return
	}
	var wg sync.WaitGroup
	part := (len(dst) + 3) / 4
	for i := 0; i < len(dst); i += part {
		end := i + part
		if end > len(dst) {
			end = len(dst)
		}
		wg.Add(1)
		go func(i, end int) {
			defer wg.Done()
			copy(dst[i:end], src[i:end])
		}(i, end)
	}
	wg.Wait()
}

func (c *conn) checkPanic(offset uint64) {
	if c.d.panics[offset] {
		atomic.AddInt64(&c.d.st.panics, 1)
		panic(fmt.Sprintf("reldisk: injected panic at offset %d", offset))
	}
}

// PRead implements nbdkit.Connection.
func (c *conn) PRead(buf []byte, offset uint64, flags nbdkit.Flags) error {
	defer c.enter(offset, len(buf))()
	c.checkPanic(offset)
	if e, ok := c.d.fails[offset]; ok {
		return fmt.Errorf("reldisk: injected %v at offset %d: %w", e, offset, e)
	}
	if int64(offset) == c.d.shutdownAt {
		c.d.logf("shutdown id=%d", c.id)
		nbdkit.Shutdown()
	}
	if int64(offset) == c.d.disconnAt {
		err := nbdkit.Disconnect(c.d.disconnForce)
		c.d.logf("disconnect id=%d force=%v err=%v", c.id, c.d.disconnForce, err)
		if err != nil {
			return err
		}
	}
	if c.d.echo && offset == 0 {
		for i := range buf {
			buf[i] = 0
		}
		copy(buf, c.name)
		return nil
	}
	if offset+uint64(len(buf)) > uint64(len(c.d.data)) {
		return syscall.EINVAL
	}
	defer c.d.lockRange(offset, len(buf), false)()
	c.d.copyParallel(buf, c.d.data[offset:])
	return nil
}

// PWrite implements nbdkit.Writer.
func (c *conn) PWrite(buf []byte, offset uint64, flags nbdkit.Flags) error {
	defer c.enter(offset, len(buf))()
	atomic.AddInt64(&c.d.st.writes, 1)
	c.checkPanic(offset)
	if offset+uint64(len(buf)) > uint64(len(c.d.data)) {
		return syscall.ENOSPC
	}
	defer c.d.lockRange(offset, len(buf), true)()
	c.d.copyParallel(c.d.data[offset:offset+uint64(len(buf))], buf)
	return nil
}

// Flush implements nbdkit.Flusher.
func (c *conn) Flush(flags nbdkit.Flags) error {
	defer c.enter(0, 0)()
	return nil
}

// Zero implements nbdkit.Zeroer.  A zero at an offset of fail= fails
// with that errno too.
func (c *conn) Zero(count uint32, offset uint64, flags nbdkit.Flags) error {
	defer c.enter(offset, int(count))()
	atomic.AddInt64(&c.d.st.writes, 1)
	if e, ok := c.d.fails[offset]; ok {
		return fmt.Errorf("reldisk: injected %v at offset %d: %w", e, offset, e)
	}
	if offset+uint64(count) > uint64(len(c.d.data)) {
		return syscall.ENOSPC
	}
	defer c.d.lockRange(offset, int(count), true)()
	buf := c.d.data[offset : offset+uint64(count)]
	for i := range buf {
		buf[i] = 0
	}
	return nil
}

// CanFastZero implements nbdkit.CanFastZeroer.
func (c *conn) CanFastZero() (bool, error) { return true, nil }

// Extents implements nbdkit.Extenter.  Only the extents-* exports
// misbehave.
func (c *conn) Extents(count uint32, offset uint64, flags nbdkit.Flags, e *nbdkit.Extents) error {
	defer c.enter(offset, int(count))()
	end := offset + uint64(count)
	switch c.mode {
	case "extents-few":
		return nil
	case "extents-many":
		t := nbdkit.ExtentType(0)
		for o := offset; o < uint64(c.size)+8192; o += 512 {
			if err := e.Add(o, 512, t); err != nil {
				c.d.logf("extents-many: Add(%d): %v", o, err)
				return err
			}
			t ^= nbdkit.ExtentHole | nbdkit.ExtentZero
		}
		return nil
	case "extents-unordered":
		if err := e.Add(offset+4096, 4096, 0); err != nil {
			return err
		}
		return e.Add(offset, 4096, nbdkit.ExtentZero)
	case "extents-backwards":
		if offset > 0 {
			if err := e.Add(0, offset, nbdkit.ExtentHole); err != nil {
				return err
			}
		}
		return e.Add(offset, uint64(count), 0)
	case "extents-beyond":
		if err := e.Add(offset, uint64(count), 0); err != nil {
			return err
		}
		return e.Add(end+uint64(c.size), 1<<20, nbdkit.ExtentHole)
	}
	return e.Add(offset, uint64(count), 0)
}

func init() {
	if os.Getenv("RELDISK_INIT_PANIC") != "" {
		panic("reldisk: init panics because RELDISK_INIT_PANIC is set")
	}
	nbdkit.Register("reldisk", d)
}

func main() {}
