//go:build linux

package userns_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/nonroot-go/nonroot/idmap"
	"github.com/nonroot-go/nonroot/internal/testenv"
	"github.com/nonroot-go/nonroot/userns"
)

// ACLAnyID is the feature of writing POSIX ACLs that name any uid and
// gid on the test's temporary directory: a file system with ACLs, and a
// caller on the host (inside `unshare -r` only the caller's own IDs are
// mapped, so an ACL can name no other).
const ACLAnyID = "acl-any-id"

// aclNamed is a named entry of a POSIX ACL: ACL_USER (group false) or
// ACL_GROUP.
type aclNamed struct {
	group bool
	id    uint32
}

// aclValue builds a valid system.posix_acl_* value: the owner, group and
// other entries, the named ones in the order the kernel wants, and a mask.
func aclValue(named ...aclNamed) []byte {
	slices.SortFunc(named, func(a, b aclNamed) int {
		if a.group != b.group {
			if a.group {
				return 1
			}
			return -1
		}
		return int(int64(a.id) - int64(b.id))
	})
	b := binary.LittleEndian.AppendUint32(nil, 2)
	add := func(tag, perm uint16, id uint32) {
		b = binary.LittleEndian.AppendUint16(b, tag)
		b = binary.LittleEndian.AppendUint16(b, perm)
		b = binary.LittleEndian.AppendUint32(b, id)
	}
	const undefined = ^uint32(0)
	add(0x01, 7, undefined) // rwx for the owner, so it may enter a directory

	for _, n := range named {
		if !n.group {
			add(0x02, 6, n.id)
		}
	}
	add(0x04, 5, undefined)
	for _, n := range named {
		if n.group {
			add(0x08, 4, n.id)
		}
	}
	add(0x10, 7, undefined)
	add(0x20, 5, undefined)
	return b
}

// aclNames reads path's ACL xattr attr and returns its named entries.
func aclNames(t testing.TB, path, attr string) []aclNamed {
	t.Helper()
	buf := make([]byte, 1024)
	n, err := unix.Lgetxattr(path, attr, buf)
	if err != nil {
		t.Fatalf("reading %s of %s: %v", attr, path, err)
	}
	var out []aclNamed
	for off := 4; off+8 <= n; off += 8 {
		switch binary.LittleEndian.Uint16(buf[off:]) {
		case 0x02:
			out = append(out, aclNamed{false, binary.LittleEndian.Uint32(buf[off+4:])})
		case 0x08:
			out = append(out, aclNamed{true, binary.LittleEndian.Uint32(buf[off+4:])})
		}
	}
	return out
}

func probeACLAnyID(dir string) error {
	p := filepath.Join(dir, "acl-probe")
	if err := os.WriteFile(p, nil, 0o644); err != nil {
		return err
	}
	defer os.Remove(p)
	if err := unix.Setxattr(p, "system.posix_acl_access", aclValue(aclNamed{false, 4242}), 0); err != nil {
		return fmt.Errorf("an ACL naming uid 4242 on %s: %w (needs a file system with POSIX ACLs and uid 4242 mapped: run on the host, not inside `unshare -r`)", dir, err)
	}
	return nil
}

// TestShiftOwnershipACLs: the uids and gids that POSIX ACLs name move
// like owners, in access ACLs of files and directories and in default
// ACLs, the walk's root included, whether or not the owner moves. The
// files belong to the caller, who may name any ID in their ACLs, so this
// runs as an ordinary user too.
func TestShiftOwnershipACLs(t *testing.T) {
	testenv.Require(t, ACLAnyID, probeACLAnyID(t.TempDir()))
	for _, old := range []bool{false, true} {
		name := "xattrat"
		if old {
			name = "proc-fd" // the calls kernels before 6.13 have
		}
		t.Run(name, func(t *testing.T) {
			defer userns.NoXattrAt(old)()
			shiftACLs(t, t.TempDir())
		})
	}
}

func shiftACLs(t *testing.T, root string) {
	me, myGID := uint32(os.Getuid()), uint32(os.Getgid())
	// The caller's own IDs stay; the others move by d: uids U+k become
	// U+d+k, gids G+k become G+d+k, for k < 1000. All of these lie
	// above the caller's IDs.
	base := max(me, myGID) + 1000
	u, g, d := base, base+2000, uint32(10000)
	ufrom := idmap.MustNew(idmap.Range{ContainerID: 0, HostID: me, Size: 1}, idmap.Range{ContainerID: 1, HostID: u, Size: 1000})
	uto := idmap.MustNew(idmap.Range{ContainerID: 0, HostID: me, Size: 1}, idmap.Range{ContainerID: 1, HostID: u + d, Size: 1000})
	gfrom := idmap.MustNew(idmap.Range{ContainerID: 0, HostID: myGID, Size: 1}, idmap.Range{ContainerID: 1, HostID: g, Size: 1000})
	gto := idmap.MustNew(idmap.Range{ContainerID: 0, HostID: myGID, Size: 1}, idmap.Range{ContainerID: 1, HostID: g + d, Size: 1000})

	type acl struct {
		path, attr string
		named      []aclNamed
		want       []aclNamed
	}
	sub := filepath.Join(root, "dir")
	file := filepath.Join(sub, "file")
	fifo := filepath.Join(root, "fifo")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	acls := []acl{
		{root, "system.posix_acl_access", []aclNamed{{true, g + 5}}, []aclNamed{{true, g + d + 5}}},
		{root, "system.posix_acl_default", []aclNamed{{false, u + 3}, {true, g + 4}}, []aclNamed{{false, u + d + 3}, {true, g + d + 4}}},
		{sub, "system.posix_acl_access", []aclNamed{{false, me}, {false, u + 1}, {true, g + 1}}, []aclNamed{{false, me}, {false, u + d + 1}, {true, g + d + 1}}},
		{sub, "system.posix_acl_default", []aclNamed{{true, myGID}, {true, g + 2}}, []aclNamed{{true, myGID}, {true, g + d + 2}}},
		{file, "system.posix_acl_access", []aclNamed{{false, u}, {false, u + 999}, {true, g}, {true, g + 999}}, []aclNamed{{false, u + d}, {false, u + d + 999}, {true, g + d}, {true, g + d + 999}}},
		{fifo, "system.posix_acl_access", []aclNamed{{false, u + 50}}, []aclNamed{{false, u + d + 50}}},
	}
	for _, a := range acls {
		if err := unix.Lsetxattr(a.path, a.attr, aclValue(a.named...), 0); err != nil {
			t.Fatalf("setting %s on %s: %v", a.attr, a.path, err)
		}
	}
	// A setgid root with an access ACL: the ACL's rewrite may clear the
	// bit, which the shift must put back on the root itself.
	if err := os.Chmod(root, 0o755|os.ModeSetgid); err != nil {
		t.Fatal(err)
	}
	rawBefore := map[string]string{} // as the kernel holds them now
	for _, a := range acls {
		rawBefore[a.path+a.attr] = rawXattr(t, a.path, a.attr)
	}
	modeBefore := map[string]uint32{}
	for _, p := range []string{root, sub, file, fifo} {
		_, modeBefore[p] = lowner(t, p)
	}

	if err := userns.ShiftOwnership(root, userns.ShiftOptions{UIDFrom: ufrom, UIDTo: uto, GIDFrom: gfrom, GIDTo: gto}); err != nil {
		t.Fatal(err)
	}
	for _, a := range acls {
		if got := aclNames(t, a.path, a.attr); !slices.Equal(got, a.want) {
			t.Errorf("%s of %s after the shift: %v, want %v", a.attr, a.path, got, a.want)
		}
	}
	for p, was := range modeBefore {
		if o, mode := lowner(t, p); mode != was || o != (owner{me, myGID}) {
			t.Errorf("%s: owner %v mode %#o after the shift, was %v %#o", p, o, mode, owner{me, myGID}, was)
		}
	}

	// getfacl reads the same: the file's named users and groups moved.
	getfacl := testenv.RequireTool(t, "getfacl", "acl")
	out, err := exec.Command(getfacl, "-n", "-p", "--omit-header", file).CombinedOutput()
	if err != nil {
		t.Fatalf("getfacl: %v: %s", err, out)
	}
	var named []string
	for line := range strings.Lines(string(out)) {
		if f := strings.Split(strings.TrimSpace(line), ":"); len(f) == 3 && f[1] != "" {
			named = append(named, f[0]+":"+f[1])
		}
	}
	want := []string{fmt.Sprint("user:", u+d), fmt.Sprint("user:", u+d+999), fmt.Sprint("group:", g+d), fmt.Sprint("group:", g+d+999)}
	if !slices.Equal(named, want) {
		t.Errorf("getfacl -n %s: named entries %v, want %v\n%s", file, named, want, out)
	}

	// Shifting back restores the values byte for byte.
	if err := userns.ShiftOwnership(root, userns.ShiftOptions{UIDFrom: uto, UIDTo: ufrom, GIDFrom: gto, GIDTo: gfrom}); err != nil {
		t.Fatal(err)
	}
	for _, a := range acls {
		if got := rawXattr(t, a.path, a.attr); got != rawBefore[a.path+a.attr] {
			t.Errorf("%s of %s after shifting back: %x; want %x", a.attr, a.path, got, rawBefore[a.path+a.attr])
		}
	}

	// A named ID outside the From map stops the walk and names the file.
	stray := u + 1000
	if err := unix.Lsetxattr(file, "system.posix_acl_access", aclValue(aclNamed{false, stray}), 0); err != nil {
		t.Fatal(err)
	}
	err = userns.ShiftOwnership(root, userns.ShiftOptions{UIDFrom: ufrom, UIDTo: uto})
	var pe *os.PathError
	if !errors.Is(err, userns.ErrShiftUnmapped) || !errors.As(err, &pe) || pe.Path != file || !strings.Contains(err.Error(), fmt.Sprint("uid ", stray)) {
		t.Fatalf("an ACL naming uid %d: %v; want ErrShiftUnmapped naming %s and the uid", stray, err, file)
	}
}

// TmpfsXattrs is the feature of a tmpfs at /dev/shm that takes more than
// 64 KiB of user.* xattr names on one file (Linux 6.6 and later).
const TmpfsXattrs = "tmpfs-xattrs"

// manyNames gives path more than 64 KiB of user.* xattr names, more than
// one listxattr can return (XATTR_LIST_MAX).
func manyNames(path string) error {
	for i := range 2000 {
		name := fmt.Sprintf("user.%040d", i)
		if err := unix.Lsetxattr(path, name, []byte{1}, 0); err != nil {
			return fmt.Errorf("setting xattr %d (%s) on %s: %w (needs a tmpfs of Linux 6.6 or later at /dev/shm)", i, name, path, err)
		}
	}
	return nil
}

// TestShiftOwnershipManyXattrNames: an entry whose xattr names do not fit
// one listxattr (E2BIG) is not an error; its ACLs are asked for by name.
// Anyone who may write the tree can make such a file.
func TestShiftOwnershipManyXattrNames(t *testing.T) {
	testenv.Require(t, ACLAnyID, probeACLAnyID(t.TempDir()))
	dir, err := os.MkdirTemp("/dev/shm", "shift-names")
	if err != nil {
		testenv.Require(t, TmpfsXattrs, err)
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	testenv.Require(t, TmpfsXattrs, manyNames(file))
	if _, err := unix.Llistxattr(file, make([]byte, 64<<10)); !errors.Is(err, unix.E2BIG) {
		t.Fatalf("listxattr of 64 KiB: %v, want E2BIG", err)
	}
	me := uint32(os.Getuid())
	u := me + 1000
	from := idmap.MustNew(idmap.Range{ContainerID: 0, HostID: me, Size: 1}, idmap.Range{ContainerID: 1, HostID: u, Size: 10})
	to := idmap.MustNew(idmap.Range{ContainerID: 0, HostID: me, Size: 1}, idmap.Range{ContainerID: 1, HostID: u + 100, Size: 10})
	if err := unix.Lsetxattr(file, "system.posix_acl_access", aclValue(aclNamed{false, u + 1}), 0); err != nil {
		t.Fatal(err)
	}
	if err := userns.ShiftOwnership(dir, userns.ShiftOptions{UIDFrom: from, UIDTo: to}); err != nil {
		t.Fatal(err)
	}
	if got := aclNames(t, file, "system.posix_acl_access"); !slices.Equal(got, []aclNamed{{false, u + 101}}) {
		t.Errorf("ACL after the shift: %v, want user %d", got, u+101)
	}
}

// TestShiftOwnershipSetgidLost: an ordinary user who shifts the ACL of
// its own setgid file in a group it is not in cannot keep the bit (the
// kernel clears it on the ACL write, and on chmod). The shift says so,
// naming the file, instead of losing it silently.
func TestShiftOwnershipSetgidLost(t *testing.T) {
	testenv.Require(t, testenv.SetID, testenv.ProbeSetID())
	dir := t.TempDir()
	testenv.Require(t, ACLAnyID, probeACLAnyID(dir))
	const user, group, other = 4001, 4001, 4002 // the user is not in group other
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := unix.Lsetxattr(file, "system.posix_acl_access", aclValue(aclNamed{false, 5001}), 0); err != nil {
		t.Fatal(err)
	}
	// t.TempDir's parent is private to root; the helper needs to reach
	// dir, which it owns.
	for _, err := range []error{os.Chmod(filepath.Dir(dir), 0o755), os.Lchown(dir, user, group), os.Lchown(file, user, other), os.Chmod(file, 0o2755|os.ModeSetgid)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, mode := lowner(t, file); mode&unix.S_ISGID == 0 {
		t.Fatalf("setup: mode %#o has no setgid bit", mode)
	}
	cmd := testenv.Command("shift-uid", dir, fmt.Sprint(user), "5000", "6000")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: user, Gid: group}}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("helper: %v: %s", err, out)
	}
	got := strings.TrimSpace(string(out))
	if !strings.Contains(got, "setgid") || !strings.Contains(got, file) || !strings.Contains(got, "ErrPermission true") {
		t.Fatalf("ShiftOwnership as uid %d of its setgid file in group %d: %q; want an error naming %s that answers os.ErrPermission", user, other, got, file)
	}
}

// shiftUID shifts the tree args[0] with uid maps that keep uid args[1]
// and move args[2]+k to args[3]+k for k < 1000, and prints the error and
// whether it answers os.ErrPermission.
func shiftUID(args []string) int {
	var n [3]uint32
	for i := range n {
		v, err := strconv.ParseUint(args[i+1], 10, 32)
		if err != nil {
			fmt.Println(err)
			return 1
		}
		n[i] = uint32(v)
	}
	from := idmap.MustNew(idmap.Range{ContainerID: 0, HostID: n[0], Size: 1}, idmap.Range{ContainerID: 1, HostID: n[1], Size: 1000})
	to := idmap.MustNew(idmap.Range{ContainerID: 0, HostID: n[0], Size: 1}, idmap.Range{ContainerID: 1, HostID: n[2], Size: 1000})
	err := userns.ShiftOwnership(args[0], userns.ShiftOptions{UIDFrom: from, UIDTo: to})
	fmt.Printf("%v; ErrPermission %v\n", err, errors.Is(err, os.ErrPermission))
	return 0
}

// TestShiftOwnershipSeccompEPERM: under a seccomp filter that refuses
// getxattrat and its kin with EPERM, as a profile written before Linux
// 6.13 does, the shift takes the l*xattr calls and still moves ACLs.
func TestShiftOwnershipSeccompEPERM(t *testing.T) {
	dir := t.TempDir()
	testenv.Require(t, ACLAnyID, probeACLAnyID(dir))
	me := uint32(os.Getuid())
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := unix.Lsetxattr(file, "system.posix_acl_access", aclValue(aclNamed{false, me + 1001}), 0); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Dir(dir), 0o755); err != nil { // t.TempDir's parent, for a child that is not root
		t.Fatal(err)
	}
	out, err := testenv.Command("shift-seccomp", dir, fmt.Sprint(me), fmt.Sprint(me+1000), fmt.Sprint(me+2000)).CombinedOutput()
	if err != nil {
		t.Fatalf("helper: %v: %s", err, out)
	}
	if got := strings.TrimSpace(string(out)); got != "<nil>; ErrPermission false" {
		t.Fatalf("ShiftOwnership under the filter: %s", got)
	}
	if got := aclNames(t, file, "system.posix_acl_access"); !slices.Equal(got, []aclNamed{{false, me + 2001}}) {
		t.Errorf("ACL after the shift under the filter: %v, want user %d", got, me+2001)
	}
}

// shiftSeccomp installs, on every thread, a seccomp filter that answers
// getxattrat, setxattrat, listxattrat and removexattrat with EPERM,
// checks that it does, and runs shiftUID.
func shiftSeccomp(args []string) int {
	ret := func(v uint32) unix.SockFilter { return unix.SockFilter{Code: unix.BPF_RET | unix.BPF_K, K: v} }
	nrs := []uint32{unix.SYS_SETXATTRAT, unix.SYS_GETXATTRAT, unix.SYS_LISTXATTRAT, unix.SYS_REMOVEXATTRAT}
	// Load the syscall number (offset 0 of struct seccomp_data); each
	// match jumps to the EPERM return after the ALLOW.
	prog := []unix.SockFilter{{Code: unix.BPF_LD | unix.BPF_W | unix.BPF_ABS, K: 0}}
	for i, nr := range nrs {
		prog = append(prog, unix.SockFilter{Code: unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K, K: nr, Jt: uint8(len(nrs) - i)})
	}
	prog = append(prog, ret(unix.SECCOMP_RET_ALLOW), ret(unix.SECCOMP_RET_ERRNO|uint32(unix.EPERM)))
	fprog := unix.SockFprog{Len: uint16(len(prog)), Filter: &prog[0]}
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		fmt.Println("no_new_privs:", err)
		return 1
	}
	if _, _, e := unix.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, unix.SECCOMP_FILTER_FLAG_TSYNC, uintptr(unsafe.Pointer(&fprog))); e != 0 {
		fmt.Println("seccomp:", e)
		return 1
	}
	name := []byte(args[0] + "/file\x00") // absolute: the dirfd is not used
	if _, _, e := unix.Syscall6(unix.SYS_LISTXATTRAT, 0, uintptr(unsafe.Pointer(&name[0])), 0, 0, 0, 0); e != unix.EPERM {
		fmt.Println("the filter does not refuse listxattrat:", e)
		return 1
	}
	return shiftUID(args)
}

func rawXattr(t *testing.T, path, attr string) string {
	t.Helper()
	buf := make([]byte, 1024)
	n, err := unix.Lgetxattr(path, attr, buf)
	if err != nil {
		t.Fatalf("reading %s of %s: %v", attr, path, err)
	}
	return string(buf[:n])
}
