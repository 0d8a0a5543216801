//go:build linux

package userns

import (
	"math/bits"
	"os"
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

// lastCap is the highest capability this kernel knows
// (/proc/sys/kernel/cap_last_cap). Capabilities above it cannot be raised
// or dropped.
func lastCap() int { return bits.Len64(uint64(caps.Supported())) - 1 }

// allCaps is the set of every capability this kernel knows: what root
// holds in a new user namespace.
func allCaps() caps.Set { return caps.Supported() }

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
