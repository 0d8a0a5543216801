//go:build linux

package userns

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"strconv"
	"sync"
	"syscall"

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

// fileStamp tells whether a file changed: usermod and vipw replace it
// (new inode), an editor in place changes its size or times.
type fileStamp struct {
	dev, ino   uint64
	size       int64
	mtim, ctim syscall.Timespec
}

func stampOf(path string) fileStamp {
	var st syscall.Stat_t
	if syscall.Stat(path, &st) != nil {
		return fileStamp{}
	}
	return fileStamp{uint64(st.Dev), st.Ino, st.Size, st.Mtim, st.Ctim}
}

// callerSubIDs is the caller's name and ranges from /etc/passwd,
// /etc/subuid and /etc/subgid, kept while those files and the euid stay
// the same: reading them (and asking NSS for the name) was a tenth of
// the parent's work per start on the newuidmap path.
type callerSubIDs struct {
	euid   int
	stamps [3]fileStamp
	who    caller
	ranges [2][]idmap.SubIDRange // uid, gid; nil: no entry in the file
}

var subIDCache struct {
	sync.Mutex
	last *callerSubIDs
}

var subIDFiles = [3]string{"/etc/passwd", "/etc/subuid", "/etc/subgid"}

// cachedSubIDs returns the caller and its entries in /etc/subuid and
// /etc/subgid, read again only when a file or the euid changed.
func cachedSubIDs() (*callerSubIDs, error) {
	euid := os.Geteuid()
	var stamps [3]fileStamp
	for i, f := range subIDFiles {
		stamps[i] = stampOf(f)
	}
	subIDCache.Lock()
	defer subIDCache.Unlock()
	if l := subIDCache.last; l != nil && l.euid == euid && l.stamps == stamps {
		return l, nil
	}
	e := &callerSubIDs{euid: euid, stamps: stamps, who: currentCaller()}
	// Files only: getsubids answers from NSS (LDAP, SSSD), which can
	// change under unchanged files, so subIDs asks it every time.
	src := idmap.SubIDSource{Getsubids: "-"}
	for i, lookup := range []func(string) ([]idmap.SubIDRange, error){src.UIDs, src.GIDs} {
		rs, err := lookup(e.who.String())
		if err != nil && !errors.Is(err, idmap.ErrNoSubIDs) {
			return nil, &Error{Op: "read " + subFile(i == 0), Err: err}
		}
		e.ranges[i] = rs
	}
	subIDCache.last = e
	return e, nil
}

func (c caller) String() string {
	if c.Name != "" {
		return c.Name
	}
	return strconv.Itoa(c.UID)
}

// subIDs returns the caller's ranges in /etc/subuid (uid true) or
// /etc/subgid, in the order newuidmap considers them, asking getsubids
// where the file has none; none is not an error here.
func subIDs(uid bool, c *callerSubIDs) ([]idmap.SubIDRange, error) {
	i := 1
	if uid {
		i = 0
	}
	if c.ranges[i] != nil {
		return c.ranges[i], nil
	}
	lookup := idmap.LookupSubGIDs
	if uid {
		lookup = idmap.LookupSubUIDs
	}
	rs, err := lookup(c.who.String())
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
func checkSubIDs(m idmap.Map, uid bool, cs *callerSubIDs) error {
	c := cs.who
	own, file, rs, err := callerRanges(uid, cs)
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

// callerRanges returns the caller's own euid (egid), the file and the
// caller's ranges in it.
func callerRanges(uid bool, cs *callerSubIDs) (own uint32, file string, rs []idmap.SubIDRange, err error) {
	own = uint32(os.Getegid())
	if uid {
		own = uint32(os.Geteuid())
	}
	rs, err = subIDs(uid, cs)
	return own, subFile(uid), rs, err
}

// subIDMap is the map rootless podman uses: 0 to the caller, then 1..N to
// the caller's ranges in file order.
func subIDMap(uid bool, cs *callerSubIDs) (idmap.Map, error) {
	c := cs.who
	own, file, rs, err := callerRanges(uid, cs)
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
