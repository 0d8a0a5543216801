//go:build linux

package userns

import (
	"os"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"

	"github.com/nonroot-go/nonroot/caps"
	"github.com/nonroot-go/nonroot/idmap"
)

// Capability numbers this package needs by name.
const (
	capSetgid  = 6
	capSetuid  = 7
	capSetpcap = 8
	capSetfcap = 31
)

// effectiveCaps returns the calling thread's effective set. Capabilities
// are per thread, but a Go program changes them for all threads or not
// at all (libcap's psx), so the calling thread speaks for the process.
func effectiveCaps() (caps.Set, error) {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return 0, os.NewSyscallError("capget", err)
	}
	return caps.Set(data[0].Effective) | caps.Set(data[1].Effective)<<32, nil
}

// lastCap is /proc/sys/kernel/cap_last_cap: the highest capability this
// kernel knows. Capabilities above it cannot be raised or dropped.
var lastCap = sync.OnceValue(func() int {
	b, err := os.ReadFile("/proc/sys/kernel/cap_last_cap")
	if err == nil {
		if n, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && n > 0 && n < 64 {
			return n
		}
	}
	return 40 // CAP_CHECKPOINT_RESTORE, Linux 5.9
})

// allCaps is the set of every capability this kernel knows: what root
// holds in a new user namespace.
func allCaps() caps.Set { return caps.Set(1)<<(lastCap()+1) - 1 }

// ownMaps are the caller's own uid and gid maps as its namespace shows
// them; a process's maps never change once written, so they are read
// once.
var ownMaps = sync.OnceValues(func() ([2]idmap.Map, error) {
	var m [2]idmap.Map
	for i, f := range []string{"/proc/self/uid_map", "/proc/self/gid_map"} {
		b, err := os.ReadFile(f)
		if err != nil {
			return m, err
		}
		if m[i], err = parseProcMap(string(b)); err != nil {
			return m, err
		}
	}
	return m, nil
})

// parseProcMap reads /proc/PID/uid_map text. It stays small because
// package idmap owns the full parser.
func parseProcMap(s string) (idmap.Map, error) {
	var rs []idmap.Range
	for line := range strings.Lines(s) {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if len(f) != 3 {
			return idmap.Map{}, &idmap.ParseError{Func: "parseProcMap", Text: line, Err: idmap.ErrSyntax}
		}
		var v [3]uint32
		for i := range f {
			n, err := strconv.ParseUint(f[i], 10, 32)
			if err != nil {
				return idmap.Map{}, &idmap.ParseError{Func: "parseProcMap", Field: i + 1, Text: f[i], Err: idmap.ErrSyntax}
			}
			v[i] = uint32(n)
		}
		rs = append(rs, idmap.Range{ContainerID: v[0], HostID: v[1], Size: v[2]})
	}
	return idmap.New(rs...)
}

// notInParent returns the first extent of m whose host side does not lie
// inside a single extent of parent (the writer's own map), as the kernel
// requires, or false when all do.
func notInParent(m, parent idmap.Map) (idmap.Range, bool) {
	for _, r := range m.Ranges() {
		in := false
		for _, p := range parent.Ranges() {
			if r.HostID >= p.ContainerID && uint64(r.HostID)+uint64(r.Size) <= uint64(p.ContainerID)+uint64(p.Size) {
				in = true
				break
			}
		}
		if !in {
			return r, true
		}
	}
	return idmap.Range{}, false
}
