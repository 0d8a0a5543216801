//go:build linux

package nsfs

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nonroot-go/nonroot/internal/testenv"
)

func TestMain(m *testing.M) {
	testenv.Helper("describe", helperDescribe)
	testenv.Helper("initial", func([]string) int {
		initial, err1 := IsInitial()
		full, err2 := FullIdentityMap()
		fmt.Println(initial, full, err1, err2)
		return 0
	})
	testenv.Main(m)
}

// helperDescribe prints, as JSON, Describe of each pid in args, run from
// whatever namespace the helper was started in.
func helperDescribe(args []string) int {
	var out []result
	for _, a := range args {
		var info Info
		var err error
		if fd, ok := strings.CutPrefix(a, "fd"); ok {
			n, _ := strconv.Atoi(fd)
			info, err = DescribeFile(os.NewFile(uintptr(n), "fd"+fd))
		} else {
			pid, _ := strconv.Atoi(a)
			info, err = Describe(pid)
		}
		r := result{Info: info}
		if err != nil {
			r.Err = err.Error()
		}
		out = append(out, r)
	}
	json.NewEncoder(os.Stdout).Encode(out)
	return 0
}

type result struct {
	Info Info
	Err  string
}

func TestSelf(t *testing.T) {
	id, err := UserNS(0)
	if err != nil {
		t.Fatal(err)
	}
	byPid, err := UserNS(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if id != byPid {
		t.Errorf("UserNS(0) = %+v, UserNS(getpid) = %+v", id, byPid)
	}
	link, err := os.Readlink("/proc/self/ns/user")
	if err != nil {
		t.Fatal(err)
	}
	if id.String() != link {
		t.Errorf("String() = %q, readlink = %q", id, link)
	}
	info, err := Describe(0)
	if err != nil {
		t.Fatal(err)
	}
	if info.ID != id || info.Relation != Same || info.Depth != 0 || info.TopOwner != ^uint32(0) {
		t.Errorf("Describe(0) = %+v, want ID %v, Same, depth 0, no top owner", info, id)
	}
}

func TestIsInitial(t *testing.T) {
	initial, err := IsInitial()
	if err != nil {
		t.Fatal(err)
	}
	full, err := FullIdentityMap()
	if err != nil {
		t.Fatal(err)
	}
	// The initial namespace always shows the full identity map, so a
	// namespace without it (unshare -r shows "0 <uid> 1") is not initial.
	if initial && !full {
		t.Errorf("IsInitial, yet uid_map is not the full identity map")
	}
	t.Logf("initial=%v fullmap=%v", initial, full)
	if initial {
		// From inside a child namespace the answer must change.
		out := runInChild(t, nil)
		if out[0].Info.ID.Ino == InitialIno {
			t.Errorf("child namespace has the initial inode")
		}
	}
}

func TestNotExist(t *testing.T) {
	_, err := UserNS(1 << 30)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("UserNS(absent) = %v, want ErrNotExist", err)
	}
	_, err = Describe(1 << 30)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Describe(absent) = %v, want ErrNotExist", err)
	}
	var pe *os.PathError
	if !errors.As(err, &pe) {
		t.Errorf("Describe(absent) error %T is not *os.PathError", err)
	}
}

// startInUserNS starts argv in a new user namespace mapping 0 to the
// caller's ids, and returns it once it runs comm.
func startInUserNS(t *testing.T, comm string, argv ...string) *exec.Cmd {
	t.Helper()
	testenv.Require(t, testenv.UserNS, testenv.ProbeUserNS())
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags:  syscall.CLONE_NEWUSER,
		UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Geteuid(), Size: 1}},
		GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getegid(), Size: 1}},
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	waitComm(t, cmd.Process.Pid, comm)
	return cmd
}

// waitComm waits until pid has exec'ed comm.
func waitComm(t *testing.T, pid int, comm string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/comm")
		if err != nil {
			t.Fatal(err)
		}
		if strings.TrimSpace(string(b)) == comm {
			return
		}
	}
	t.Fatalf("pid %d never ran %s", pid, comm)
}

func TestChild(t *testing.T) {
	cmd := startInUserNS(t, "sleep", "sleep", "60")
	pid := cmd.Process.Pid
	me, _ := Self()
	id, err := UserNS(pid)
	if err != nil {
		t.Fatal(err)
	}
	if id == me {
		t.Fatalf("child in a new namespace has the caller's namespace %v", id)
	}
	info, err := Describe(pid)
	if err != nil {
		t.Fatal(err)
	}
	if info.ID != id || info.Relation != Below || info.Depth != 1 {
		t.Errorf("Describe(child) = %+v, want %v below at depth 1", info, id)
	}
	if info.Owner != uint32(os.Geteuid()) || info.TopOwner != info.Owner {
		t.Errorf("owner = %d, top owner %d, want the caller's euid %d for both", info.Owner, info.TopOwner, os.Geteuid())
	}
	owner, err := OwnerUID(pid)
	if err != nil || owner != info.Owner {
		t.Errorf("OwnerUID = %d, %v; want %d", owner, err, info.Owner)
	}
	rel, depth, err := Relate(pid)
	if err != nil || rel != Below || depth != 1 {
		t.Errorf("Relate = %v, %d, %v; want below, 1", rel, depth, err)
	}
}

func TestNested(t *testing.T) {
	testenv.RequireTool(t, "unshare", "util-linux")
	// unshare -r execs without forking, so the pid stays the same while it
	// goes one namespace deeper per unshare.
	cmd := startInUserNS(t, "sleep", "unshare", "-r", "unshare", "-r", "sleep", "60")
	info, err := Describe(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	if info.Relation != Below || info.Depth != 3 {
		t.Errorf("Describe(grand-grandchild) = %+v, want below at depth 3", info)
	}
	// The owner of the innermost namespace is uid 0 of the middle one,
	// which is mapped to the caller's euid.
	if info.Owner != uint32(os.Geteuid()) {
		t.Errorf("owner = %d, want %d", info.Owner, os.Geteuid())
	}
	// The namespace one level below the caller's was made by the caller.
	if info.TopOwner != uint32(os.Geteuid()) {
		t.Errorf("top owner = %d, want %d", info.TopOwner, os.Geteuid())
	}
}

// runInChild runs the describe helper in a new user namespace on its own
// namespace, then on pids, then on the namespaces of fdPids passed as open
// files (a child namespace may not open /proc/PID/ns/user of processes
// outside it: commoncap's ptrace check wants CAP_SYS_PTRACE in the
// target's namespace).
func runInChild(t *testing.T, pids []int, fdPids ...int) []result {
	t.Helper()
	testenv.Require(t, testenv.UserNS, testenv.ProbeUserNS())
	args := []string{"0"}
	for _, p := range pids {
		args = append(args, strconv.Itoa(p))
	}
	var files []*os.File
	for i, p := range fdPids {
		f, err := os.Open("/proc/" + strconv.Itoa(p) + "/ns/user")
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		files = append(files, f)
		args = append(args, "fd"+strconv.Itoa(3+i))
	}
	cmd := testenv.Command("describe", args...)
	cmd.ExtraFiles = files
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags:  syscall.CLONE_NEWUSER,
		UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Geteuid(), Size: 1}},
		GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getegid(), Size: 1}},
	}
	cmd.Stderr = os.Stderr
	b, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	var out []result
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	if len(out) != len(args) {
		t.Fatalf("helper answered %d of %d", len(out), len(args))
	}
	return out
}

func TestElsewhere(t *testing.T) {
	sibling := startInUserNS(t, "sleep", "sleep", "60")
	out := runInChild(t, []int{os.Getpid()}, os.Getpid(), sibling.Process.Pid)
	self, byPid, parent, sib := out[0], out[1], out[2], out[3]
	if !strings.Contains(byPid.Err, "permission denied") {
		t.Errorf("a child namespace opened the ns file of a process outside: %+v", byPid)
	}
	if self.Err != "" || self.Info.Relation != Same {
		t.Errorf("helper's own namespace: %+v", self)
	}
	me, _ := Self()
	if parent.Err != "" || parent.Info.ID != me || parent.Info.Relation != Elsewhere || parent.Info.Depth != -1 || parent.Info.TopOwner != ^uint32(0) {
		t.Errorf("parent namespace seen from a child: %+v, want %v elsewhere", parent, me)
	}
	if sib.Err != "" || sib.Info.Relation != Elsewhere {
		t.Errorf("sibling namespace seen from a child: %+v, want elsewhere", sib)
	}
	// The caller's namespace is the helper's parent: its owner uid, seen from
	// inside, must be the one the caller sees for itself, translated; the
	// caller's euid is mapped to 0 inside.
	if own, err := OwnerUID(0); err == nil && own == uint32(os.Geteuid()) && parent.Info.Owner != 0 {
		t.Errorf("owner of the parent namespace seen from inside = %d, want 0", parent.Info.Owner)
	}
}

func BenchmarkUserNS(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := UserNS(os.Getppid()); err != nil && !errors.Is(err, fs.ErrPermission) {
			b.Fatal(err)
		}
	}
}

func BenchmarkDescribe(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Describe(0); err != nil {
			b.Fatal(err)
		}
	}
}

func TestParseLink(t *testing.T) {
	for _, tc := range []struct {
		in   string
		ino  uint64
		okay bool
	}{
		{"user:[4026531837]", 4026531837, true},
		{"user:[0]", 0, true},
		{"user:[18446744073709551615]", 1<<64 - 1, true},
		{"user:[18446744073709551616]", 0, false},
		{"pid:[4026531837]", 0, false},
		{"user:[]", 0, false},
		{"user:[12a]", 0, false},
		{"user:4026531837", 0, false},
		{"user[1]", 0, false},
		{"", 0, false},
	} {
		ino, ok := ParseLink([]byte(tc.in), "user")
		if ok != tc.okay || ino != tc.ino {
			t.Errorf("ParseLink(%q) = %d, %v; want %d, %v", tc.in, ino, ok, tc.ino, tc.okay)
		}
	}
	// The link of a live namespace agrees with its stat.
	link, err := os.Readlink("/proc/self/ns/user")
	if err != nil {
		t.Fatal(err)
	}
	id, _ := Self()
	if ino, ok := ParseLink([]byte(link), "user"); !ok || ino != id.Ino {
		t.Errorf("ParseLink(%q) = %d, %v; stat says %d", link, ino, ok, id.Ino)
	}
}

func FuzzParseLink(f *testing.F) {
	f.Add("user:[4026531837]")
	f.Add("user:[99999999999999999999]")
	f.Fuzz(func(t *testing.T, s string) {
		ino, ok := ParseLink([]byte(s), "user")
		if ok && (ID{Ino: ino}).String() != s {
			t.Fatalf("ParseLink(%q) = %d, but %d prints as %q", s, ino, ino, ID{Ino: ino}.String())
		}
	})
}

// A root may give a child namespace the full identity map, which makes its
// uid_map read like the initial namespace's; the inode tells them apart.
func TestFullIdentityMapIsNotInitial(t *testing.T) {
	testenv.Require(t, testenv.MultiMap, testenv.ProbeMultiMap())
	cmd := testenv.Command("initial")
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags:  syscall.CLONE_NEWUSER,
		UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: 0, Size: 4294967295}},
		GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: 0, Size: 4294967295}},
	}
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(out)); got != "false true <nil> <nil>" {
		t.Errorf("inside a namespace with the full identity map: IsInitial, FullIdentityMap = %s; want false true", got)
	}
}
