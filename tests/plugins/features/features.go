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

// Command features is the test plugin of golib: it implements every
// optional interface, or a chosen few, and reports what the helpers
// return, so that the tests can check each callback and helper
// through nbdkit and real NBD clients.
//
// The export name picks the connection's behaviour (see modes);
// ListExports lists them and the default export is "full".  Reading
// the "report" export returns "key=value" lines (zero padded): the
// results of the helpers called in Config and Open, and counters of
// the callbacks made so far.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/nbdkit-golang/golib/nbdkit"
)

type plugin struct{}

var (
	size int64 = 1 << 20

	mu     sync.Mutex
	report = map[string]string{} // config-time helper results
	counts = map[string]int{}    // callbacks made, by name
	checks []string              // check_size and check_bool results, in order
	data   []byte                // shared by all writable connections
)

func count(name string) {
	mu.Lock()
	counts[name]++
	mu.Unlock()
}

func record(key string, value interface{}, err error) {
	mu.Lock()
	defer mu.Unlock()
	if err != nil {
		report[key] = "error: " + err.Error()
	} else {
		report[key] = fmt.Sprint(value)
	}
}

// modes maps export names to a description and a constructor.
var modes = map[string]struct {
	description string
	open        func(base *minimal) nbdkit.Connection
}{
	"minimal":   {"only GetSize and PRead", func(b *minimal) nbdkit.Connection { return b }},
	"writeonly": {"PWrite without Flush", func(b *minimal) nbdkit.Connection { return &writeOnly{b} }},
	"flush":     {"PWrite and Flush: FUA emulated", func(b *minimal) nbdkit.Connection { return &flushing{writeOnly{b}} }},
	"full":      {"every optional interface", func(b *minimal) nbdkit.Connection { return &full{flushing{writeOnly{b}}} }},
	"chosen": {"the methods has= and can_*= choose", func(b *minimal) nbdkit.Connection {
		return &chosen{full{flushing{writeOnly{b}}}}
	}},
	"errors":   {"requests fail with chosen errnos", func(b *minimal) nbdkit.Connection { return &failing{b} }},
	"report":   {"reads return the helpers' results", func(b *minimal) nbdkit.Connection { return &reporter{b, nil} }},
	"sleep":    {"PRead calls Sleep", func(b *minimal) nbdkit.Connection { return &sleeper{b} }},
	"shutdown": {"PRead calls Shutdown", func(b *minimal) nbdkit.Connection { return &shutter{b} }},
	"disconnect": {"PRead calls Disconnect", func(b *minimal) nbdkit.Connection {
		return &disconnecter{b}
	}},
}

// Plugin-level callbacks.

func (p *plugin) Load() error {
	nbdkit.Debugf("features: load in phase %s", nbdkit.CurrentPhase())
	return nil
}

func (p *plugin) Unload() { nbdkit.Debugf("features: unload") }

// Config parses each key with the helper of the same name.
func (p *plugin) Config(key, value string) error {
	var v interface{}
	var err error
	switch key {
	case "size":
		size, err = nbdkit.ParseSize(value)
		v = size
	case "bool":
		v, err = nbdkit.ParseBool(value)
	case "probability":
		v, err = nbdkit.ParseProbability("probability", value)
	case "delay":
		v, err = nbdkit.ParseDelay("delay", value)
	case "check_size", "check_bool":
		// The cases of golib's testdata/parse.txt, through nbdkit.
		result := "error"
		if key == "check_size" {
			if n, err := nbdkit.ParseSize(value); err == nil {
				result = fmt.Sprint(n)
			}
		} else if b, err := nbdkit.ParseBool(value); err == nil {
			result = fmt.Sprint(b)
		}
		mu.Lock()
		checks = append(checks, key[len("check_"):]+"\t"+value+"\t"+result)
		mu.Unlock()
		return nil
	case "password":
		v, err = nbdkit.ReadPassword(value)
	case "realpath":
		v, err = nbdkit.Realpath(value)
	case "abspath":
		v, err = nbdkit.AbsolutePath(value)
	case "has", "block_size", "can_write", "can_flush", "is_rotational",
		"can_trim", "can_zero", "can_fast_zero", "can_fua",
		"can_multi_conn", "can_extents", "can_cache":
		return choose(key, value)
	case "panic":
		if value == "config" {
			panic("features: panic in Config as asked")
		}
		return nil
	default:
		return fmt.Errorf("features: unknown parameter '%s'", key)
	}
	if err != nil {
		// Already reported by nbdkit: golib must not report it
		// again.
		return fmt.Errorf("features: %s: %w", key, err)
	}
	record(key, v, nil)
	return nil
}

func (p *plugin) ConfigComplete() error {
	record("phase_config_complete", nbdkit.CurrentPhase(), nil)
	return nil
}

func (p *plugin) ThreadModel() nbdkit.ThreadModel { return nbdkit.ThreadModelSerializeRequests }

func (p *plugin) GetReady() error {
	nbdkit.Debugf("features: get_ready in phase %s", nbdkit.CurrentPhase())
	data = make([]byte, size)
	return nil
}

func (p *plugin) AfterFork() error {
	record("phase_after_fork", nbdkit.CurrentPhase(), nil)
	nbdkit.Debugf("features: after_fork in phase %s", nbdkit.CurrentPhase())
	return nil
}

func (p *plugin) Cleanup() { nbdkit.Debugf("features: cleanup") }

func (p *plugin) PreConnect(readonly bool) error {
	count("preconnect")
	return nil
}

func (p *plugin) ListExports(readonly, isTLS bool, e *nbdkit.Exports) error {
	names := make([]string, 0, len(modes))
	for name := range modes {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := e.Add(name, modes[name].description); err != nil {
			return err
		}
	}
	return e.UseDefault()
}

func (p *plugin) DefaultExport(readonly, isTLS bool) (string, error) {
	return "full", nil
}

func (p *plugin) DumpPlugin(w io.Writer) error {
	_, err := fmt.Fprintf(w, "features_dump=yes\nfeatures_phase=%s\nfeatures_stdio_safe=%v\n",
		nbdkit.CurrentPhase(), nbdkit.StdioSafe())
	mu.Lock()
	defer mu.Unlock()
	for _, k := range []string{"bool", "size"} {
		if v, ok := report[k]; ok && err == nil {
			_, err = fmt.Fprintf(w, "features_%s=%s\n", k, v)
		}
	}
	for _, c := range checks {
		if err == nil {
			_, err = fmt.Fprintf(w, "features_check=%s\n", c)
		}
	}
	return err
}

func (p *plugin) Info() nbdkit.Info {
	return nbdkit.Info{
		Longname:    "golib features test plugin",
		Version:     "1.2.3",
		Description: "Exercises every callback and helper of golib.",
		ConfigHelp:  "size=<SIZE>  The size of the disk.\nKEY=VALUE    One key per helper.",
	}
}

func (p *plugin) Open(readonly bool) (nbdkit.Connection, error) {
	name, err := nbdkit.ExportName()
	if err != nil {
		return nil, err
	}
	nbdkit.Debugf("features: open export %q readonly=%v", name, readonly)
	m, ok := modes[name]
	if !ok {
		return nil, fmt.Errorf("features: no export %q: %w", name, syscall.ENOENT)
	}
	count("open")
	return m.open(&minimal{name: name}), nil
}

// minimal: only the required methods.
type minimal struct{ name string }

func (c *minimal) GetSize() (int64, error) { return size, nil }

func (c *minimal) PRead(buf []byte, offset uint64, flags nbdkit.Flags) error {
	copy(buf, data[offset:])
	return nil
}

func (c *minimal) Close() {
	count("close")
	nbdkit.Debugf("features: close %s", c.name)
}

// writeOnly: writable, without Flush, so FUA is not supported.
type writeOnly struct{ *minimal }

func (c *writeOnly) PWrite(buf []byte, offset uint64, flags nbdkit.Flags) error {
	if flags&nbdkit.FlagFUA != 0 {
		count("pwrite_fua")
	}
	count("pwrite")
	copy(data[offset:], buf)
	return nil
}

// flushing: FUA is emulated with Flush.
type flushing struct{ writeOnly }

func (c *flushing) Flush(flags nbdkit.Flags) error {
	count("flush")
	return nil
}

// full implements everything.
type full struct{ flushing }

var allocated sync.Map // 4K block number -> true, for Extents

func (c *full) PWrite(buf []byte, offset uint64, flags nbdkit.Flags) error {
	for b := offset / 4096; b <= (offset+uint64(len(buf))-1)/4096; b++ {
		allocated.Store(b, true)
	}
	return c.flushing.PWrite(buf, offset, flags)
}

func (c *full) ExportDescription() (string, error) { return "features: " + c.name, nil }
func (c *full) BlockSize() (uint32, uint32, uint32, error) {
	return 512, 4096, 1 << 20, nil
}
func (c *full) IsRotational() (bool, error)     { return true, nil }
func (c *full) CanMultiConn() (bool, error)     { return true, nil }
func (c *full) CanFUA() (nbdkit.FUAMode, error) { return nbdkit.FUANative, nil }
func (c *full) CanFastZero() (bool, error)      { return true, nil }

func (c *full) Trim(count32 uint32, offset uint64, flags nbdkit.Flags) error {
	count("trim")
	return c.Zero(count32, offset, 0)
}

// Zero refuses fast zeroes in the second half of the disk.
func (c *full) Zero(n uint32, offset uint64, flags nbdkit.Flags) error {
	if flags&nbdkit.FlagFastZero != 0 && offset >= uint64(size/2) {
		count("zero_fast_refused")
		return fmt.Errorf("features: no fast zero here: %w", syscall.EOPNOTSUPP)
	}
	count("zero")
	for i := offset; i < offset+uint64(n); i++ {
		data[i] = 0
	}
	return nil
}

// Extents reports 4K blocks never written as holes.
func (c *full) Extents(n uint32, offset uint64, flags nbdkit.Flags, e *nbdkit.Extents) error {
	count("extents")
	end := offset + uint64(n)
	for pos := offset; pos < end; {
		next := (pos/4096 + 1) * 4096
		if next > end {
			next = end
		}
		t := nbdkit.ExtentHole | nbdkit.ExtentZero
		if _, ok := allocated.Load(pos / 4096); ok {
			t = 0
		}
		if err := e.Add(pos, next-pos, t); err != nil {
			return err
		}
		pos = next
	}
	return nil
}

func (c *full) Cache(n uint32, offset uint64, flags nbdkit.Flags) error {
	count("cache")
	return nil
}

// chosen has every optional method; the configuration chooses which
// ones a connection keeps (has=, and can_*= and block_size=, which
// also set the answers), through Omit: one type for every
// combination, as a plugin whose features depend on its
// configuration would do.  tests/test-defaults.sh runs the same
// choices through tests/cabi (the C ABI) and expects the same.
type chosen struct{ full }

var choice struct {
	has    nbdkit.Methods
	values map[string]int
	bs     [3]uint32
}

// methodNames are the names of the ABI's connection callbacks.
var methodNames = map[string]nbdkit.Methods{
	"close":              0, // always kept
	"export_description": nbdkit.MethodExportDescription,
	"block_size":         nbdkit.MethodBlockSize,
	"pwrite":             nbdkit.MethodPWrite,
	"flush":              nbdkit.MethodFlush,
	"trim":               nbdkit.MethodTrim,
	"zero":               nbdkit.MethodZero,
	"extents":            nbdkit.MethodExtents,
	"cache":              nbdkit.MethodCache,
	"can_write":          nbdkit.MethodCanWrite,
	"can_flush":          nbdkit.MethodCanFlush,
	"is_rotational":      nbdkit.MethodIsRotational,
	"can_trim":           nbdkit.MethodCanTrim,
	"can_zero":           nbdkit.MethodCanZero,
	"can_fast_zero":      nbdkit.MethodCanFastZero,
	"can_fua":            nbdkit.MethodCanFUA,
	"can_multi_conn":     nbdkit.MethodCanMultiConn,
	"can_extents":        nbdkit.MethodCanExtents,
	"can_cache":          nbdkit.MethodCanCache,
}

func choose(key, value string) error {
	switch key {
	case "has":
		for _, name := range strings.Split(value, ",") {
			m, ok := methodNames[name]
			if !ok {
				return fmt.Errorf("features: has: not a connection method: %s", name)
			}
			choice.has |= m
		}
	case "block_size":
		var bs [3]uint32
		for i, f := range strings.SplitN(value, ":", 3) {
			v, err := strconv.ParseUint(f, 0, 32)
			if err != nil {
				return fmt.Errorf("features: block_size=MIN:PREF:MAX: %w", err)
			}
			bs[i] = uint32(v)
		}
		choice.bs = bs
		choice.has |= nbdkit.MethodBlockSize
	default:
		v, err := strconv.Atoi(value)
		if err != nil {
			return fmt.Errorf("features: %s: %w", key, err)
		}
		if choice.values == nil {
			choice.values = map[string]int{}
		}
		choice.values[key] = v
		choice.has |= methodNames[key]
	}
	return nil
}

// Omit drops every method the configuration did not choose.
func (c *chosen) Omit() nbdkit.Methods { return ^choice.has }

func (c *chosen) BlockSize() (uint32, uint32, uint32, error) {
	return choice.bs[0], choice.bs[1], choice.bs[2], nil
}
func (c *chosen) CanWrite() (bool, error)     { return choice.values["can_write"] != 0, nil }
func (c *chosen) CanFlush() (bool, error)     { return choice.values["can_flush"] != 0, nil }
func (c *chosen) IsRotational() (bool, error) { return choice.values["is_rotational"] != 0, nil }
func (c *chosen) CanTrim() (bool, error)      { return choice.values["can_trim"] != 0, nil }
func (c *chosen) CanZero() (bool, error)      { return choice.values["can_zero"] != 0, nil }
func (c *chosen) CanFastZero() (bool, error)  { return choice.values["can_fast_zero"] != 0, nil }
func (c *chosen) CanMultiConn() (bool, error) { return choice.values["can_multi_conn"] != 0, nil }
func (c *chosen) CanExtents() (bool, error)   { return choice.values["can_extents"] != 0, nil }
func (c *chosen) CanFUA() (nbdkit.FUAMode, error) {
	return nbdkit.FUAMode(choice.values["can_fua"]), nil
}
func (c *chosen) CanCache() (nbdkit.CacheMode, error) {
	return nbdkit.CacheMode(choice.values["can_cache"]), nil
}

// Zero zeroes without refusing fast zeroes (full's Zero refuses them
// in the second half of the disk).
func (c *chosen) Zero(n uint32, offset uint64, flags nbdkit.Flags) error {
	count("zero")
	for i := offset; i < offset+uint64(n); i++ {
		data[i] = 0
	}
	return nil
}

// failing: PRead at block k (of 512 bytes) fails with errnos[k].
type failing struct{ *minimal }

var errnos = []func() error{
	func() error { return nil },
	func() error { return syscall.EPERM },
	func() error { return errors.New("features: a plain error") },
	func() error { return fmt.Errorf("features: out of memory: %w", syscall.ENOMEM) },
	func() error { return fmt.Errorf("features: %w", syscall.ESHUTDOWN) },
	func() error { return fmt.Errorf("features: bad request: %w", syscall.EINVAL) },
	func() error { return fmt.Errorf("features: disk full: %w", syscall.ENOSPC) },
	func() error { return &os.PathError{Op: "open", Path: "/features", Err: syscall.EROFS} },
	func() error { panic("features: panic in PRead as asked") },
	func() error {
		_, err := nbdkit.ParseSize("features-not-a-size")
		return err
	},
	func() error {
		var m map[string]int
		m["x"]++ // a runtime error panic
		return nil
	},
}

func (c *failing) PRead(buf []byte, offset uint64, flags nbdkit.Flags) error {
	if k := offset / 512; k < uint64(len(errnos)) {
		if err := errnos[k](); err != nil {
			return err
		}
	}
	return c.minimal.PRead(buf, offset, flags)
}

// PWrite fails with ENOSPC past the first 4K.
func (c *failing) PWrite(buf []byte, offset uint64, flags nbdkit.Flags) error {
	if offset+uint64(len(buf)) > 4096 {
		return fmt.Errorf("features: past 4K: %w", syscall.ENOSPC)
	}
	copy(data[offset:], buf)
	return nil
}

// reporter: reads return "key=value" lines.
type reporter struct {
	*minimal
	text []byte
}

func (c *reporter) PRead(buf []byte, offset uint64, flags nbdkit.Flags) error {
	if c.text == nil {
		c.text = []byte(c.makeReport())
	}
	for i := range buf {
		buf[i] = 0
	}
	if offset < uint64(len(c.text)) {
		copy(buf, c.text[offset:])
	}
	return nil
}

// makeReport runs the connection helpers (on the callback's goroutine,
// as they must be) and adds the config-time results and counters.
func (c *reporter) makeReport() string {
	name, err := nbdkit.ExportName()
	record("export_name", name, err)
	tls, err := nbdkit.IsTLS()
	record("is_tls", tls, err)
	pid, err := nbdkit.PeerPID()
	record("peer_pid", pid, err)
	uid, err := nbdkit.PeerUID()
	record("peer_uid", uid, err)
	gid, err := nbdkit.PeerGID()
	record("peer_gid", gid, err)
	addr, err := nbdkit.PeerName()
	if err == nil {
		record("peer_network", addr.Network(), nil)
	} else {
		record("peer_network", nil, err)
	}
	dn, err := nbdkit.PeerTLSDN()
	record("peer_tls_dn", dn, err)
	dn, err = nbdkit.PeerTLSIssuerDN()
	record("peer_tls_issuer_dn", dn, err)
	sc, err := nbdkit.PeerSecurityContext()
	record("peer_security_context", sc, err)
	record("stdio_safe", nbdkit.StdioSafe(), nil)
	record("phase", nbdkit.CurrentPhase(), nil)
	// A callback runs on the nbdkit thread that called it.
	slack, err := timerSlack()
	record("timer_slack_callback", slack, err)

	mu.Lock()
	defer mu.Unlock()
	var lines []string
	for k, v := range report {
		lines = append(lines, k+"="+v)
	}
	for k, v := range counts {
		lines = append(lines, fmt.Sprintf("count_%s=%d", k, v))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n") + "\n"
}

// sleeper: PRead sleeps 1ms with Sleep.
type sleeper struct{ *minimal }

func (c *sleeper) PRead(buf []byte, offset uint64, flags nbdkit.Flags) error {
	if err := nbdkit.Sleep(time.Millisecond); err != nil {
		return err
	}
	count("sleep")
	return c.minimal.PRead(buf, offset, flags)
}

// shutter: PRead asks nbdkit to shut down.
type shutter struct{ *minimal }

func (c *shutter) PRead(buf []byte, offset uint64, flags nbdkit.Flags) error {
	nbdkit.Debugf("features: calling Shutdown")
	nbdkit.Shutdown()
	return c.minimal.PRead(buf, offset, flags)
}

// disconnecter: PRead calls Disconnect and returns its error.
type disconnecter struct{ *minimal }

func (c *disconnecter) PRead(buf []byte, offset uint64, flags nbdkit.Flags) error {
	if err := nbdkit.Disconnect(false); err != nil {
		return err
	}
	return c.minimal.PRead(buf, offset, flags)
}

// timerSlack is the calling thread's timer slack in nanoseconds.  A
// thread may read its own without privilege; reading another's needs
// CAP_SYS_NICE.  (Linux has the file for thread IDs only as
// /proc/TID, not under /proc/thread-self.)
func timerSlack() (string, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/timerslack_ns", syscall.Gettid()))
	return strings.TrimSpace(string(b)), err
}

func init() {
	// Package init runs on the thread that starts the Go runtime,
	// while the loader loads the library.
	slack, err := timerSlack()
	record("timer_slack_init", slack, err)
	nbdkit.Register("features", &plugin{})
}

func main() {}
