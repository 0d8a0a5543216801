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
	var err error
	if m[0], err = idmap.SelfUIDMap(); err != nil {
		return m, err
	}
	m[1], err = idmap.SelfGIDMap()
	return m, err
})
