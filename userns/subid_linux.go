//go:build linux

package userns

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"strconv"

	"github.com/nonroot-go/nonroot/idmap"
)

// caller names the calling user as /etc/subuid may list it: by name or by
// decimal uid (shadow-utils accepts both).
type caller struct {
	Name string
	UID  int
}

func currentCaller() caller {
	c := caller{UID: os.Geteuid()}
	if u, err := user.LookupId(strconv.Itoa(c.UID)); err == nil {
		c.Name = u.Username
	}
	return c
}

func (c caller) String() string {
	if c.Name != "" {
		return c.Name
	}
	return strconv.Itoa(c.UID)
}

// subIDs returns the caller's ranges in /etc/subuid (uid true) or
// /etc/subgid, in the order newuidmap considers them; none is not an
// error here.
func subIDs(uid bool, c caller) ([]idmap.SubIDRange, error) {
	lookup := idmap.LookupSubGIDs
	if uid {
		lookup = idmap.LookupSubUIDs
	}
	rs, err := lookup(c.String())
	if errors.Is(err, idmap.ErrNoSubIDs) {
		return nil, nil
	}
	return rs, err
}

func subFile(uid bool) string {
	if uid {
		return "/etc/subuid"
	}
	return "/etc/subgid"
}

// granted reports whether [first, first+size) lies inside the union of
// rs, or is the caller's own id alone, which newuidmap always allows.
func granted(rs []idmap.SubIDRange, own uint32, first, size uint32) bool {
	if size == 1 && first == own {
		return true
	}
	lo, hi := uint64(first), uint64(first)+uint64(size)
	for lo < hi {
		advanced := false
		for _, r := range rs {
			if end := uint64(r.Start) + uint64(r.Count); lo >= uint64(r.Start) && lo < end {
				lo = end
				advanced = true
			}
		}
		if !advanced {
			return false
		}
	}
	return true
}

// checkSubIDs refuses m unless newuidmap (uid true) or newgidmap would
// accept every extent for the caller, naming the user, the file and the
// missing range.
func checkSubIDs(m idmap.Map, uid bool, c caller) error {
	own := uint32(os.Getegid())
	if uid {
		own = uint32(os.Geteuid())
	}
	file := subFile(uid)
	rs, err := subIDs(uid, c)
	if err != nil {
		return &Error{Op: "read " + file, Err: err}
	}
	for _, r := range m.Ranges() {
		if granted(rs, own, r.HostID, r.Size) {
			continue
		}
		last := uint64(r.HostID) + uint64(r.Size) - 1
		flag := "--add-subgids"
		if uid {
			flag = "--add-subuids"
		}
		return &Error{
			Op:   "check " + file,
			Kind: ErrNoSubIDs,
			Err:  fmt.Errorf("%s has no range %d-%d for user %s", file, r.HostID, last, c),
			Hint: fmt.Sprintf("add one: usermod %s %d-%d %s", flag, r.HostID, last, c),
		}
	}
	return nil
}

// subIDMap is the map rootless podman uses: 0 to the caller, then 1..N to
// the caller's ranges in file order.
func subIDMap(uid bool, c caller) (idmap.Map, error) {
	own := uint32(os.Getegid())
	if uid {
		own = uint32(os.Geteuid())
	}
	file := subFile(uid)
	rs, err := subIDs(uid, c)
	if err != nil {
		return idmap.Map{}, &Error{Op: "read " + file, Err: err}
	}
	if len(rs) == 0 {
		return idmap.Map{}, &Error{
			Op:   "SubIDs",
			Kind: ErrNoSubIDs,
			Err:  fmt.Errorf("%s grants user %s no range", file, c),
			Hint: "add one: usermod --add-subuids 100000-165535 --add-subgids 100000-165535 " + c.String(),
		}
	}
	m, err := idmap.RootlessMap(own, rs)
	if err != nil {
		return idmap.Map{}, &Error{Op: "SubIDs", Kind: ErrInvalid, Err: fmt.Errorf("ranges of %s: %w", file, err)}
	}
	return m, nil
}
