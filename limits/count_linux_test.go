//go:build linux

package limits

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nonroot-go/nonroot/internal/testenv"
)

func findNS(u Usage, pid int) (NamespaceUsage, bool) {
	ino, err := nsInode("/proc/" + itoa(pid) + "/ns/user")
	if err != nil {
		return NamespaceUsage{}, false
	}
	for _, n := range u.Namespaces {
		if n.Inode == ino {
			return n, true
		}
	}
	return NamespaceUsage{}, false
}

func TestCountTasksSelf(t *testing.T) {
	u, err := CountTasks(uint32(os.Getuid()))
	if err != nil {
		t.Fatal(err)
	}
	if u.Processes < 1 || u.Tasks < u.Processes || u.Charged < 1 {
		t.Fatalf("own usage %+v", u)
	}
	if len(u.Namespaces) == 0 || !u.Namespaces[0].Own || u.Namespaces[0].Tasks < 1 {
		t.Errorf("own namespace missing: %+v", u.Namespaces)
	}
	if h := u.Headroom(uint64(u.Charged) + 3); h != 3 {
		t.Errorf("headroom %d, want 3", h)
	}
	if u.Headroom(1) != 0 || u.Headroom(Unlimited) != Unlimited {
		t.Error("headroom bounds")
	}
}

// TestCountTasksNamespaces starts tasks of one uid in the caller's user
// namespace, in a namespace that the uid itself created (charged to the
// uid here) and, where the test may switch uids, in one that root
// created for the uid (charged to root here).
func TestCountTasksNamespaces(t *testing.T) {
	testenv.Require(t, testenv.UserNS, testenv.ProbeUserNS())
	unshare := testenv.RequireTool(t, "unshare", "util-linux")
	uid := uint32(os.Getuid())
	exact := testenv.ProbeSetID() == nil
	if exact {
		uid = testUID // a uid of our own: counts are exact
	}
	before, err := CountTasks(uid)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		sleeper(t, sleepAs(uid))
	}
	self := exec.Command(unshare, "-r", "sleep", "300")
	if exact {
		setpriv := testenv.RequireTool(t, "setpriv", "util-linux")
		self = exec.Command(setpriv, "--reuid="+itoa(int(uid)), "--regid="+itoa(int(uid)), "--clear-groups", unshare, "-r", "sleep", "300")
	}
	sleeper(t, self)
	var byRoot *exec.Cmd
	if exact {
		byRoot = exec.Command("sleep", "300")
		byRoot.SysProcAttr = rootNS(uid)
		sleeper(t, byRoot)
	}
	waitExec(t, self.Process.Pid, "/usr/bin/sleep")
	after, err := CountTasks(uid)
	if err != nil {
		t.Fatal(err)
	}
	n, ok := findNS(after, self.Process.Pid)
	if !ok || n.Own || !n.Descendant || n.Owner != uid || n.TopOwner != uid || n.Tasks != 1 || n.Charged != 1 {
		t.Errorf("namespace the uid created: %+v (found %v), want 1 task charged to %d", n, ok, uid)
	}
	if !exact {
		// Other processes of our own uid come and go (other test suites):
		// only a lower bound holds, the 3 sleepers and this process.
		if own := after.Namespaces[0]; !own.Own || own.Tasks < 4 || own.Charged < 4 {
			t.Errorf("own namespace %+v, want at least 4 tasks", own)
		}
		return
	}
	if d := after.Processes - before.Processes; d != 5 {
		t.Errorf("processes of %d grew by %d, want 5 (3 + 1 + 1)", uid, d)
	}
	if d := after.Charged - before.Charged; d != 4 {
		t.Errorf("charged to %d grew by %d, want 4: the task in root's namespace is charged to root", uid, d)
	}
	r, ok := findNS(after, byRoot.Process.Pid)
	if !ok || !r.Descendant || r.Owner != 0 || r.TopOwner != 0 || r.Tasks != 1 || r.Charged != 0 {
		t.Errorf("namespace root created: %+v (found %v)", r, ok)
	}
}

// TestCountTasksStatusFallback compares the PIDFD_GET_INFO scan with the
// /proc/PID/status scan older kernels get.
func TestCountTasksStatusFallback(t *testing.T) {
	uid := uint32(os.Getuid())
	exact := testenv.ProbeSetID() == nil
	if exact {
		uid = testUID
	}
	for range 4 {
		sleeper(t, sleepAs(uid))
	}
	fast, err := CountTasks(uid)
	if err != nil {
		t.Fatal(err)
	}
	if !pidfdInfo.Load() {
		t.Log("this kernel lacks PIDFD_GET_INFO: both scans read /proc/PID/status")
	}
	pidfdInfo.Store(false)
	defer pidfdInfo.Store(true)
	slow, err := CountTasks(uid)
	if err != nil {
		t.Fatal(err)
	}
	if exact && (fast.Processes != slow.Processes || fast.Tasks != slow.Tasks || fast.Charged != slow.Charged) {
		t.Errorf("pidfd scan %+v, status scan %+v", fast, slow)
	}
	if slow.Processes < 4 || fast.Processes < 4 {
		t.Errorf("pidfd scan saw %d processes, status scan %d; want at least the 4 sleepers", fast.Processes, slow.Processes)
	}
}

// TestCountTasksZombie: a zombie stays charged until its parent reaps it
// (release_task drops the count), so the scan must count it too.
func TestCountTasksZombie(t *testing.T) {
	testenv.Require(t, testenv.SetID, testenv.ProbeSetID())
	uid := uint32(testUID)
	before, err := CountTasks(uid)
	if err != nil {
		t.Fatal(err)
	}
	// Our own child, so that we reap it: Go does not until Wait.
	cmd := exec.Command("true")
	cmd.SysProcAttr = sleepAs(uid).SysProcAttr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		st, err := os.ReadFile("/proc/" + itoa(cmd.Process.Pid) + "/stat")
		if err == nil && strings.Contains(string(st), ") Z ") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("pid %d did not become a zombie: %s %v", cmd.Process.Pid, st, err)
		}
	}
	after, err := CountTasks(uid)
	if err != nil {
		t.Fatal(err)
	}
	if d := after.Charged - before.Charged; d != 1 || after.Processes-before.Processes != 1 {
		t.Errorf("a zombie: charged grew by %d, processes by %d, want 1 and 1", d, after.Processes-before.Processes)
	}
}

// A user namespace is resolved through one of its processes; if the
// first one listed has exited by then, another answers, and the
// namespace's tasks stay charged.
func TestCountTasksSampleExited(t *testing.T) {
	unshare := testenv.RequireTool(t, "unshare", "util-linux")
	testenv.Require(t, testenv.SetID, testenv.ProbeSetID())
	cmd := exec.Command(unshare, "-U", "sh", "-c", "sleep 300 & sleep 300 & wait")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 1001, Gid: 1001}, Setpgid: true}
	sleeper(t, cmd)
	defer syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	sh := cmd.Process.Pid
	var pids []int
	for deadline := time.Now().Add(5 * time.Second); len(pids) < 2 && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		kids, _ := os.ReadFile("/proc/" + strconv.Itoa(sh) + "/task/" + strconv.Itoa(sh) + "/children")
		pids = pids[:0]
		for _, f := range strings.Fields(string(kids)) {
			p, _ := strconv.Atoi(f)
			pids = append(pids, p)
		}
	}
	if len(pids) < 2 {
		t.Fatalf("the shell in the new namespace started %v", pids)
	}
	own, err := nsInode("/proc/self/ns/user")
	if err != nil {
		t.Fatal(err)
	}
	// The entries as a scan read them, the first of which then exits
	// before the namespace is resolved.
	order := append(pids[:1:1], sh, pids[1])
	buf, path := make([]byte, 8192), make([]byte, 0, 64)
	var entries []procEntry
	for _, p := range order {
		entries = append(entries, readEntry(p, 1001, buf, path))
	}
	syscall.Kill(order[0], syscall.SIGKILL)
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if _, err := os.Stat("/proc/" + strconv.Itoa(order[0])); err != nil {
			break // reaped by the shell
		}
	}
	u := tally(1001, own, entries)
	if u.Charged < 2 {
		t.Fatalf("Charged = %d after the first process listed exited; want the 2 live tasks of the namespace charged to uid 1001 (%+v)", u.Charged, u.Namespaces)
	}
}
