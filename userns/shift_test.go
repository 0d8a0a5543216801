//go:build linux

package userns_test

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nonroot-go/nonroot/idmap"
	"github.com/nonroot-go/nonroot/internal/testenv"
	"github.com/nonroot-go/nonroot/userns"
)

// ChownAny is the feature of giving files to any host uid and gid, and
// writing file capabilities: CAP_CHOWN, CAP_FOWNER and CAP_SETFCAP in the
// initial user namespace (root on the host).
const ChownAny = "chown-any"

func probeChownAny(dir string) error {
	p := filepath.Join(dir, "probe")
	if err := os.WriteFile(p, nil, 0o644); err != nil {
		return err
	}
	defer os.Remove(p)
	if err := os.Lchown(p, 100000, 100000); err != nil {
		return errors.New("giving a file to uid 100000 failed: " + err.Error() + " (needs CAP_CHOWN in the initial user namespace: run as root)")
	}
	if err := unix.Setxattr(p, "security.capability", capV3(100000), 0); err != nil {
		return errors.New("writing security.capability failed: " + err.Error() + " (needs CAP_SETFCAP: run as root)")
	}
	return nil
}

// capV3 is a v3 file capability value granting cap_net_raw (effective)
// to the namespace whose root is host uid root.
func capV3(root uint32) []byte {
	b := make([]byte, 24)
	binary.LittleEndian.PutUint32(b, 0x03000001)
	binary.LittleEndian.PutUint32(b[4:], 1<<13)
	binary.LittleEndian.PutUint32(b[20:], root)
	return b
}

func capV2() []byte {
	b := capV3(0)[:20]
	binary.LittleEndian.PutUint32(b, 0x02000001)
	return b
}

type owner struct{ uid, gid uint32 }

func lowner(t testing.TB, p string) (owner, uint32) {
	t.Helper()
	var st unix.Stat_t
	if err := unix.Lstat(p, &st); err != nil {
		t.Fatal(err)
	}
	return owner{st.Uid, st.Gid}, st.Mode
}

// shiftIDs are the IDs a shift scenario plays with: files start owned by
// Old+k (uid and gid) and move to New+k (uid) and GNew+k (gid).
type shiftIDs struct{ Old, New, GNew, Size, GSize uint32 }

var (
	// On the host, as root.
	hostShiftIDs = shiftIDs{Old: 100000, New: 150000, GNew: 400000, Size: 200000, GSize: 65536}
	// In a namespace mapping 0 to the caller and 1-65536 to its
	// /etc/subuid range.
	nodeShiftIDs = shiftIDs{Old: 1000, New: 6000, GNew: 40000, Size: 20000, GSize: 10000}
)

// shiftScenario builds a tree under top, shifts it there and back, and
// reports what went wrong through t, which is a *testing.T in the test
// process and a collector in a helper.
func shiftScenario(t testing.TB, top string, ids shiftIDs) {
	// From and To overlap, so that shifting a file twice would show:
	// Old+k becomes New+k, and twice New+(New-Old)+k.
	from := idmap.MustNew(idmap.Range{ContainerID: 0, HostID: ids.Old, Size: ids.Size})
	to := idmap.MustNew(idmap.Range{ContainerID: 0, HostID: ids.New, Size: ids.Size})
	gfrom := idmap.MustNew(idmap.Range{ContainerID: 0, HostID: ids.Old, Size: ids.GSize})
	gto := idmap.MustNew(idmap.Range{ContainerID: 0, HostID: ids.GNew, Size: ids.GSize})

	root, outside := filepath.Join(top, "root"), filepath.Join(top, "outside")
	type entry struct {
		path string
		k    uint32 // the owner is Old+k
		mode os.FileMode
		kind string // "", "dir", "link", "fifo", "hard"
		arg  string
	}
	tree := []entry{
		{"", 0, 0o755, "dir", ""},
		{"etc", 0, 0o755, "dir", ""},
		{"etc/passwd", 0, 0o644, "", ""},
		{"home", 0, 0o755, "dir", ""},
		{"home/user", 1000, 0o700, "dir", ""},
		{"home/user/notes", 1000, 0o600, "", ""},
		{"usr/bin", 0, 0o755, "dir", ""},
		{"usr/bin/su", 0, 0o4755, "", ""},
		{"usr/bin/wall", 5, 0o2755, "", ""},
		{"usr/bin/ping", 0, 0o755, "", "capv3"},
		{"usr/bin/arping", 0, 0o755, "", "capv2"},
		{"usr/bin/escape", 0, 0, "link", outside},
		{"usr/bin/escape-file", 0, 0, "link", filepath.Join(outside, "target")},
		{"usr/bin/dangling", 33, 0, "link", "nowhere"},
		{"usr/bin/fifo", 7, 0o640, "fifo", ""},
		{"usr/bin/hard", 0, 0, "hard", "usr/bin/ping"},
		{"etc/hard", 0, 0, "hard", "etc/passwd"},
	}
	if err := os.MkdirAll(filepath.Join(outside, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(outside, "target"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, e := range tree {
		p := filepath.Join(root, e.path)
		os.MkdirAll(filepath.Dir(p), 0o755)
		var err error
		switch e.kind {
		case "dir":
			err = os.MkdirAll(p, 0o755)
		case "link":
			err = os.Symlink(e.arg, p)
		case "fifo":
			err = unix.Mkfifo(p, 0o640)
		case "hard":
			if err := os.Link(filepath.Join(root, e.arg), p); err != nil {
				t.Fatal(err)
			}
			continue // owned through its first name
		default:
			err = os.WriteFile(p, []byte(e.path), 0o644)
		}
		if err == nil {
			err = os.Lchown(p, int(ids.Old+e.k), int(ids.Old+e.k))
		}
		if err == nil && e.kind != "link" {
			err = os.Chmod(p, e.mode)
			if e.mode&0o4000 != 0 {
				err = errors.Join(err, os.Chmod(p, e.mode|os.ModeSetuid))
			}
			if e.mode&0o2000 != 0 {
				err = errors.Join(err, os.Chmod(p, e.mode|os.ModeSetgid))
			}
		}
		switch e.arg {
		case "capv3":
			err = errors.Join(err, unix.Setxattr(p, "security.capability", capV3(ids.Old), 0))
		case "capv2":
			err = errors.Join(err, unix.Setxattr(p, "security.capability", capV2(), 0))
		}
		if err != nil {
			t.Fatalf("building %s: %v", e.path, err)
		}
	}
	// Directories made by MkdirAll for the parents of usr/bin.
	os.Lchown(filepath.Join(root, "usr"), int(ids.Old), int(ids.Old))
	// ACLs on files whose chown also strips setgid or a capability, so
	// that the order of the writes shows.
	acls := map[string][]aclNamed{
		"usr/bin/wall": {{false, ids.Old + 2}, {true, ids.Old + 3}},
		"usr/bin/ping": {{false, ids.Old + 4}},
	}
	modes := map[string]os.FileMode{"usr/bin/wall": 0o755 | os.ModeSetgid, "usr/bin/ping": 0o755}
	for p, named := range acls {
		p = filepath.Join(root, p)
		if err := unix.Lsetxattr(p, "system.posix_acl_access", aclValue(named...), 0); err != nil {
			t.Fatalf("ACL on %s: %v", p, err)
		}
		// The ACL's mask set the group bits; give the mode back.
		if err := os.Chmod(p, modes[p[len(root)+1:]]); err != nil {
			t.Fatal(err)
		}
	}
	outsideBefore, _ := lowner(t, outside)
	targetBefore, _ := lowner(t, filepath.Join(outside, "target"))

	err := userns.ShiftOwnership(root, userns.ShiftOptions{UIDFrom: from, UIDTo: to, GIDFrom: gfrom, GIDTo: gto, Workers: 3})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range tree {
		p := filepath.Join(root, e.path)
		got, mode := lowner(t, p)
		k := e.k
		if want := (owner{ids.New + k, ids.GNew + k}); got != want {
			t.Errorf("%s: owner %v, want %v", e.path, got, want)
		}
		if e.kind == "" && mode&0o7777 != modeBits(e.mode) {
			t.Errorf("%s: mode %#o, want %#o", e.path, mode&0o7777, modeBits(e.mode))
		}
	}
	for p, named := range acls {
		var want []aclNamed
		for _, a := range named {
			if a.group {
				want = append(want, aclNamed{true, a.id - ids.Old + ids.GNew})
			} else {
				want = append(want, aclNamed{false, a.id - ids.Old + ids.New})
			}
		}
		if got := aclNames(t, filepath.Join(root, p), "system.posix_acl_access"); !slices.Equal(got, want) {
			t.Errorf("%s: ACL %v after the shift, want %v", p, got, want)
		}
	}
	buf := make([]byte, 64)
	n, err := unix.Lgetxattr(filepath.Join(root, "usr/bin/ping"), "security.capability", buf)
	if err != nil || n != 24 || binary.LittleEndian.Uint32(buf[20:]) != ids.New {
		t.Errorf("ping's v3 capability after the shift: %x, %v; want root uid %d", buf[:max(n, 0)], err, ids.New)
	}
	n, err = unix.Lgetxattr(filepath.Join(root, "usr/bin/arping"), "security.capability", buf)
	if err != nil || string(buf[:max(n, 0)]) != string(capV2()) {
		t.Errorf("arping's v2 capability after the shift: %x, %v; want %x", buf[:max(n, 0)], err, capV2())
	}
	if got, _ := lowner(t, outside); got != outsideBefore {
		t.Errorf("the shift followed a link out of the tree: %s is now owned by %v", outside, got)
	}
	if got, _ := lowner(t, filepath.Join(outside, "target")); got != targetBefore {
		t.Errorf("the shift followed a link out of the tree: target is now owned by %v", got)
	}

	// And back: the tree is as it was.
	if err := userns.ShiftOwnership(root, userns.ShiftOptions{UIDFrom: to, UIDTo: from, GIDFrom: gto, GIDTo: gfrom}); err != nil {
		t.Fatal(err)
	}
	for _, e := range tree {
		if got, _ := lowner(t, filepath.Join(root, e.path)); got != (owner{ids.Old + e.k, ids.Old + e.k}) {
			t.Errorf("%s after shifting back: owner %v", e.path, got)
		}
	}
	n, err = unix.Lgetxattr(filepath.Join(root, "usr/bin/ping"), "security.capability", buf)
	if err != nil || n != 24 || binary.LittleEndian.Uint32(buf[20:]) != ids.Old {
		t.Errorf("ping's v3 capability after shifting back: %x, %v; want root uid %d", buf[:max(n, 0)], err, ids.Old)
	}

	// Shifting the file capability's root to host root makes it v2.
	n0 := min(ids.Old, 65536)
	hostFrom := idmap.MustNew(idmap.Range{ContainerID: 0, HostID: ids.Old, Size: n0})
	hostTo := idmap.MustNew(idmap.Range{ContainerID: 0, HostID: 0, Size: n0})
	if err := userns.ShiftOwnership(filepath.Join(root, "usr"), userns.ShiftOptions{UIDFrom: hostFrom, UIDTo: hostTo}); err != nil {
		t.Fatal(err)
	}
	n, err = unix.Lgetxattr(filepath.Join(root, "usr/bin/ping"), "security.capability", buf)
	if err != nil || n != 20 {
		t.Errorf("ping's capability shifted to host root: %x, %v; want a v2 value", buf[:max(n, 0)], err)
	}
	if got, _ := lowner(t, filepath.Join(root, "usr/bin/su")); got != (owner{0, ids.Old}) {
		t.Errorf("su with the uid side alone shifted: %v, want {0 %d}", got, ids.Old)
	}
}

func TestShiftOwnership(t *testing.T) {
	top := t.TempDir()
	if err := probeChownAny(top); err == nil {
		shiftScenario(t, top, hostShiftIDs)
		return
	} else if testenv.ProbeUserNS() != nil || testenv.ProbeNewuidmap(65536) != nil || userns.RunningInUserNS() {
		testenv.Require(t, ChownAny, err)
	}
	// An ordinary user with /etc/subuid: the same, as root of a
	// namespace holding its range, on the host's disk.
	if err := os.Chmod(top, 0o777); err != nil {
		t.Fatal(err)
	}
	c := &userns.Cmd{Cmd: testenv.Command("shift-scenario", top), SubIDs: true}
	var stderr strings.Builder
	c.Stderr = &stderr
	out, err := c.Output()
	if err != nil {
		t.Fatalf("shift-scenario through userns.Cmd with SubIDs: %v: %s", err, stderr.String())
	}
	var failures []string
	if err := json.Unmarshal(out, &failures); err != nil {
		t.Fatalf("helper said %q: %v", out, err)
	}
	for _, f := range failures {
		t.Error(f)
	}
}

// collector is the testing.TB of a helper: it gathers failures to send
// back to the test.
type collector struct {
	testing.TB
	failures []string
}

func (c *collector) Helper()                   {}
func (c *collector) Errorf(f string, a ...any) { c.failures = append(c.failures, fmt.Sprintf(f, a...)) }
func (c *collector) Fatalf(f string, a ...any) { c.Errorf(f, a...); panic(c) }
func (c *collector) Fatal(a ...any)            { c.Errorf("%s", fmt.Sprint(a...)); panic(c) }

func shiftScenarioHelper(args []string) int {
	c := &collector{}
	func() {
		defer func() {
			if r := recover(); r != nil && r != any(c) {
				panic(r)
			}
		}()
		shiftScenario(c, args[0], nodeShiftIDs)
	}()
	// The caller outside cannot remove files of its subordinate IDs.
	entries, _ := os.ReadDir(args[0])
	for _, e := range entries {
		if err := os.RemoveAll(filepath.Join(args[0], e.Name())); err != nil {
			c.Errorf("cleaning up: %v", err)
		}
	}
	if c.failures == nil {
		c.failures = []string{}
	}
	json.NewEncoder(os.Stdout).Encode(c.failures)
	return 0
}

// modeBits converts an os.FileMode with permission and setuid/setgid bits
// to the kernel's st_mode bits.
func modeBits(m os.FileMode) uint32 {
	return uint32(m & 0o7777)
}

// TestShiftOwnershipUnmapped runs anywhere: the files belong to the
// caller, and the From map does not cover the caller.
func TestShiftOwnershipUnmapped(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "a/b"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "a/b/file"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	me := uint32(os.Getuid())
	mine := idmap.MustNew(idmap.Range{ContainerID: 0, HostID: me, Size: 1})
	// The identity shift walks everything and changes nothing.
	if err := userns.ShiftOwnership(root, userns.ShiftOptions{UIDFrom: mine, UIDTo: mine}); err != nil {
		t.Fatalf("identity shift: %v", err)
	}
	// The root itself is outside the map.
	other := idmap.MustNew(idmap.Range{ContainerID: 0, HostID: me + 1, Size: 1})
	err := userns.ShiftOwnership(root, userns.ShiftOptions{UIDFrom: other, UIDTo: other})
	var pe *os.PathError
	if !errors.Is(err, userns.ErrShiftUnmapped) || !errors.As(err, &pe) || pe.Path != root {
		t.Fatalf("unmapped root: %v; want ErrShiftUnmapped naming %s", err, root)
	}
	if err := userns.ShiftOwnership(root, userns.ShiftOptions{UIDFrom: other}); !errors.Is(err, userns.ErrInvalid) {
		t.Fatalf("From without To: %v", err)
	}
	if err := userns.ShiftOwnership(filepath.Join(root, "none"), userns.ShiftOptions{UIDFrom: mine, UIDTo: mine}); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing root: %v", err)
	}
	if err := userns.ShiftOwnership(filepath.Join(root, "a/b/file"), userns.ShiftOptions{UIDFrom: mine, UIDTo: mine}); !errors.Is(err, syscall.ENOTDIR) {
		t.Fatalf("file as root: %v", err)
	}
}

// shiftMounts runs in a mount namespace of its own: it mounts a bind of
// args[1] (on the same file system as the tree) and a tmpfs inside the
// tree args[0], shifts the tree, and prints what the mounts' files are
// owned by afterwards.
func shiftMounts(args []string) int {
	root, outside := args[0], args[1]
	fail := func(err error) int { fmt.Fprintln(os.Stderr, err); return 1 }
	if err := privateRoot(); err != nil {
		return fail(err)
	}
	bind, tmp := filepath.Join(root, "bind"), filepath.Join(root, "tmp")
	if err := unix.Mount(outside, bind, "", unix.MS_BIND, ""); err != nil {
		return fail(err)
	}
	if err := unix.Mount("tmpfs", tmp, "tmpfs", 0, "mode=0755"); err != nil {
		return fail(err)
	}
	if err := os.WriteFile(filepath.Join(tmp, "file"), nil, 0o644); err != nil {
		return fail(err)
	}
	m := idmap.MustNew(idmap.Range{ContainerID: 0, HostID: 0, Size: 65536})
	h := idmap.MustNew(idmap.Range{ContainerID: 0, HostID: 100000, Size: 65536})
	if err := userns.ShiftOwnership(root, userns.ShiftOptions{UIDFrom: m, UIDTo: h, GIDFrom: m, GIDTo: h}); err != nil {
		return fail(err)
	}
	var out []uint32
	for _, p := range []string{root, filepath.Join(root, "file"), bind, filepath.Join(bind, "file"), tmp, filepath.Join(tmp, "file")} {
		var st unix.Stat_t
		if err := unix.Lstat(p, &st); err != nil {
			return fail(err)
		}
		out = append(out, st.Uid)
	}
	json.NewEncoder(os.Stdout).Encode(out)
	return 0
}

// TestShiftOwnershipStaysOnItsMount: a bind mount of another directory
// of the same file system, and a tmpfs, inside the tree are neither
// shifted nor entered.
func TestShiftOwnershipStaysOnItsMount(t *testing.T) {
	top := t.TempDir()
	testenv.Require(t, ChownAny, probeChownAny(top))
	root, outside := filepath.Join(top, "root"), filepath.Join(top, "outside")
	for _, d := range []string{filepath.Join(root, "bind"), filepath.Join(root, "tmp"), outside} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{filepath.Join(root, "file"), filepath.Join(outside, "file")} {
		if err := os.WriteFile(f, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := inMountNS(t, "shift-mounts", root, outside)
	var got []uint32
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("helper said %q: %v", out, err)
	}
	// root and root/file shifted; the bind's root and file, the tmpfs's
	// root and file not.
	if want := []uint32{100000, 100000, 0, 0, 0, 0}; !slices.Equal(got, want) {
		t.Fatalf("owners of root, root/file, bind, bind/file, tmp, tmp/file = %v, want %v", got, want)
	}
	// And seen from the test's namespace, where the bind never was.
	if o, _ := lowner(t, filepath.Join(outside, "file")); o.uid != 0 {
		t.Fatalf("the file outside the tree is owned by %d", o.uid)
	}
}

// TestShiftOwnershipSwappedForLink swaps a directory of the tree for a
// link to a directory outside it, over and over, while shifts run. The
// walk may fail (it refuses to follow what it finds replaced) but it must
// never touch the outside.
func TestShiftOwnershipSwappedForLink(t *testing.T) {
	top := t.TempDir()
	testenv.Require(t, ChownAny, probeChownAny(top))
	root, outside := filepath.Join(top, "root"), filepath.Join(top, "outside")
	d := filepath.Join(root, "d")
	for _, dir := range []string{d, outside} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for i := range 200 {
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprint(i)), nil, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	// A chown shows in the ctime even if a later walk gave the owner back.
	ctimes := map[string]unix.Timespec{}
	outsideEntries, err := os.ReadDir(outside)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range append(outsideEntries, nil) {
		p := outside
		if e != nil {
			p = filepath.Join(outside, e.Name())
		}
		var st unix.Stat_t
		if err := unix.Lstat(p, &st); err != nil {
			t.Fatal(err)
		}
		ctimes[p] = st.Ctim
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
			}
			os.Rename(d, d+".away")
			os.Symlink(outside, d)
			time.Sleep(100 * time.Microsecond)
			os.Remove(d)
			os.Rename(d+".away", d)
		}
	}()
	// Every owner is in both maps, which swap 0-65535 and
	// 100000-165535, so every walk has work everywhere and none stops at
	// a half-shifted tree.
	swap := idmap.MustNew(idmap.Range{ContainerID: 0, HostID: 0, Size: 65536}, idmap.Range{ContainerID: 65536, HostID: 100000, Size: 65536})
	back := idmap.MustNew(idmap.Range{ContainerID: 0, HostID: 100000, Size: 65536}, idmap.Range{ContainerID: 65536, HostID: 0, Size: 65536})
	completed := 0
	for range 50 {
		// A walk that finds "d" replaced by a link stops with ELOOP or
		// ENOTDIR; the others complete.
		if err := userns.ShiftOwnership(root, userns.ShiftOptions{UIDFrom: swap, UIDTo: back}); err == nil {
			completed++
		}
	}
	t.Logf("%d of 50 walks completed", completed)
	close(stop)
	<-done
	for p, was := range ctimes {
		var st unix.Stat_t
		if err := unix.Lstat(p, &st); err != nil {
			t.Fatal(err)
		}
		if st.Ctim != was || st.Uid != uint32(os.Getuid()) {
			t.Fatalf("%s outside the tree was changed: owner %d, ctime %v, was %v", p, st.Uid, st.Ctim, was)
		}
	}
}
