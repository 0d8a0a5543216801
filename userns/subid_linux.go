//go:build linux

package userns

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/user"
	"strconv"
	"strings"

	"github.com/nonroot-go/nonroot/idmap"
)

// subRange is one line of /etc/subuid or /etc/subgid granted to the
// caller: Count IDs from Start.
type subRange struct{ Start, Count uint64 }

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
	return "uid " + strconv.Itoa(c.UID)
}

// subIDs returns the caller's ranges in file, in file order. A missing
// file grants nothing. Lines that do not parse are skipped, as
// shadow-utils skips them.
func subIDs(file string, c caller) ([]subRange, error) {
	f, err := os.Open(file)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []subRange
	uid := strconv.Itoa(c.UID)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Split(strings.TrimSpace(sc.Text()), ":")
		if len(fields) != 3 || (fields[0] != uid && (c.Name == "" || fields[0] != c.Name)) {
			continue
		}
		start, err1 := strconv.ParseUint(fields[1], 10, 32)
		count, err2 := strconv.ParseUint(fields[2], 10, 32)
		if err1 != nil || err2 != nil || count == 0 {
			continue
		}
		out = append(out, subRange{start, count})
	}
	return out, sc.Err()
}

// granted reports whether [first, first+size) lies inside the union of
// rs, or is the caller's own id alone, which newuidmap always allows.
func granted(rs []subRange, own uint32, first, size uint32) bool {
	if size == 1 && first == own {
		return true
	}
	lo, hi := uint64(first), uint64(first)+uint64(size)
	for lo < hi {
		advanced := false
		for _, r := range rs {
			if lo >= r.Start && lo < r.Start+r.Count {
				lo = r.Start + r.Count
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
// accept every extent for the caller.
func checkSubIDs(m idmap.Map, uid bool, c caller) error {
	if uid {
		return checkSubIDsIn(m, "/etc/subuid", uint32(os.Geteuid()), c)
	}
	return checkSubIDsIn(m, "/etc/subgid", uint32(os.Getegid()), c)
}

// checkSubIDsIn checks m against file for caller c whose own ID is own.
func checkSubIDsIn(m idmap.Map, file string, own uint32, c caller) error {
	uid := file != "/etc/subgid"
	rs, err := subIDs(file, c)
	if err != nil {
		return &Error{Op: "read " + file, Err: err}
	}
	for _, r := range m.Ranges() {
		if !granted(rs, own, r.HostID, r.Size) {
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
	}
	return nil
}

// subIDMap is the map rootless podman uses: 0 to own, then 1..N to the
// caller's ranges in file order.
func subIDMap(uid bool, c caller) (idmap.Map, error) {
	file, own := "/etc/subgid", uint32(os.Getegid())
	if uid {
		file, own = "/etc/subuid", uint32(os.Geteuid())
	}
	rs, err := subIDs(file, c)
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
	ranges := []idmap.Range{{ContainerID: 0, HostID: own, Size: 1}}
	next := uint64(1)
	for _, r := range rs {
		if next+r.Count > 1<<32-1 {
			break
		}
		ranges = append(ranges, idmap.Range{ContainerID: uint32(next), HostID: uint32(r.Start), Size: uint32(r.Count)})
		next += r.Count
	}
	m, err := idmap.New(ranges...)
	if err != nil {
		return idmap.Map{}, &Error{Op: "SubIDs", Kind: ErrInvalid, Err: fmt.Errorf("ranges of %s: %w", file, err)}
	}
	return m, nil
}
