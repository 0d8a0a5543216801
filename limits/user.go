package limits

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// User is who pam_limits resolves limits for.
type User struct {
	Name string
	UID  uint32
	GID  uint32 // primary group, from /etc/passwd
	// Groups are the groups the user is in as pam_limits sees them.
	// pam_limits looks a group up (getgrnam for @name, getgrgid for
	// @:gid) and matches if the entry found has a gid the user has: the
	// primary gid, or the gid of any /etc/group entry that lists the user
	// (pam_modutil falls back to getgrouplist). So a primary gid missing
	// from /etc/group matches @min:max ranges but never @:gid, and @name
	// matches when the first entry called name has one of the user's
	// gids, even if it does not list the user. [LookupUser] fills this
	// with the entries carrying one of the user's gids; a Group made by
	// hand matches both by name and by gid.
	Groups []Group
}

// Group is an /etc/group entry.
type Group struct {
	Name string
	GID  uint32

	// notByName: an earlier /etc/group line has this name, so getgrnam
	// returns that line and @Name does not find this one.
	notByName bool
}

// LookupUser reads <root>/etc/passwd and <root>/etc/group (no NSS, no
// cgo: users known only to LDAP or systemd-userdb are not found) and
// returns the user called name. root "/" is the running system.
func LookupUser(root, name string) (User, error) {
	return lookup(root, func(f []string) bool { return f[0] == name }, name)
}

// LookupUID is [LookupUser] by uid; the first matching line wins, as in
// getpwuid.
func LookupUID(root string, uid uint32) (User, error) {
	want := strconv.FormatUint(uint64(uid), 10)
	return lookup(root, func(f []string) bool { return f[2] == want }, "uid "+want)
}

func lookup(root string, match func([]string) bool, who string) (User, error) {
	passwd, err := inRoot(root, "/etc/passwd")
	if err != nil {
		return User{}, err
	}
	data, err := os.ReadFile(passwd)
	if err != nil {
		return User{}, err
	}
	for _, l := range lines(data) {
		ln, line := l.n, l.text
		f := strings.Split(line, ":")
		if len(f) < 4 || !match(f) {
			continue
		}
		uid, err1 := strconv.ParseUint(f[2], 10, 32)
		gid, err2 := strconv.ParseUint(f[3], 10, 32)
		if err1 != nil || err2 != nil {
			return User{}, &ParseError{File: passwd, Line: ln, Field: "uid or gid", Text: line, Err: fmt.Errorf("not a 32-bit number")}
		}
		u := User{Name: f[0], UID: uint32(uid), GID: uint32(gid)}
		u.Groups, err = userGroups(root, u)
		return u, err
	}
	return User{}, fmt.Errorf("limits: %s in %s: %w", who, passwd, ErrUnknownUser)
}

// userGroups lists the /etc/group entries that carry one of u's gids: the
// primary one and those of every entry that lists u, as getgrouplist
// finds them. An entry whose name an earlier line already has is kept
// for its gid only, as getgrnam returns the first line of a name.
func userGroups(root string, u User) ([]Group, error) {
	path, err := inRoot(root, "/etc/group")
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	type entry struct {
		Group
		listed bool
	}
	var entries []entry
	gids := map[uint32]bool{u.GID: true}
	seenName := map[string]bool{}
	for _, l := range lines(data) {
		f := strings.Split(l.text, ":")
		if len(f) < 4 {
			continue
		}
		gid, err := strconv.ParseUint(f[2], 10, 32)
		if err != nil {
			continue
		}
		e := entry{Group: Group{Name: f[0], GID: uint32(gid), notByName: seenName[f[0]]}}
		seenName[f[0]] = true
		for m := range strings.SplitSeq(f[3], ",") {
			e.listed = e.listed || strings.TrimSpace(m) == u.Name
		}
		if e.listed {
			gids[e.GID] = true
		}
		entries = append(entries, e)
	}
	var out []Group
	for _, e := range entries {
		if gids[e.GID] {
			out = append(out, e.Group)
		}
	}
	return out, nil
}

// lines returns the non-comment lines of a passwd-style file with their
// 1-based numbers.
type numbered struct {
	n    int
	text string
}

func lines(data []byte) []numbered {
	var out []numbered
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		if t := sc.Text(); t != "" && !strings.HasPrefix(t, "#") {
			out = append(out, numbered{n, t})
		}
	}
	return out
}

func (u User) inGroupName(name string) bool {
	for _, g := range u.Groups {
		if g.Name == name && !g.notByName {
			return true
		}
	}
	return false
}

func (u User) inGroupGID(gid uint32) bool {
	for _, g := range u.Groups {
		if g.GID == gid {
			return true
		}
	}
	return false
}
