//go:build linux

package limits

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"syscall"
	"testing"

	"github.com/nonroot-go/nonroot/internal/testenv"
	"golang.org/x/sys/unix"
)

func init() { testenv.Helper("nproc-forker", nprocForker) }

type forkReport struct {
	Threads int    // the forker's own tasks when the kernel refused the fork
	Forked  int    // children forked before the first failure
	Err     string // the failure
	EAGAIN  bool
}

// forkPause forks with a raw clone; the child waits in ppoll until it is
// killed, touching nothing of the Go runtime.
//
//go:norace
func forkPause() (int, syscall.Errno) {
	r, _, e := syscall.RawSyscall6(syscall.SYS_CLONE, uintptr(syscall.SIGCHLD), 0, 0, 0, 0, 0)
	if e != 0 {
		return 0, e
	}
	if r == 0 {
		for {
			syscall.RawSyscall6(unix.SYS_PPOLL, 0, 0, 0, 0, 0, 0)
		}
	}
	return int(r), 0
}

// nprocForker waits for a line on stdin, sets its own RLIMIT_NPROC to
// args[0], forks until the kernel refuses, kills and
// reaps its children and reports as JSON. Raw forks keep the Go runtime
// from needing a thread it could not get.
func nprocForker(args []string) int {
	if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
		return 2
	}
	limit, err := ParseValue(args[0])
	if err != nil {
		return 2
	}
	// Lowering one's own limit needs nothing; setting it from the parent
	// would need CAP_SYS_RESOURCE over another uid's process, which root
	// lacks where the bounding set drops it.
	if err := Set(0, NPROC, Rlimit{limit, limit}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	var rep forkReport
	var kids []int
	for len(kids) < 10000 {
		pid, e := forkPause()
		if e != 0 {
			rep.Err, rep.EAGAIN = e.Error(), e == syscall.EAGAIN
			break
		}
		kids = append(kids, pid)
	}
	rep.Forked = len(kids)
	rep.Threads = threadsOf(os.Getpid())
	for _, pid := range kids {
		syscall.Kill(pid, syscall.SIGKILL)
		var ws syscall.WaitStatus
		syscall.Wait4(pid, &ws, 0, nil)
	}
	json.NewEncoder(os.Stdout).Encode(rep)
	return 0
}

func threadsOf(pid int) int {
	b, err := os.ReadFile("/proc/" + itoa(pid) + "/status")
	if err != nil {
		return -1
	}
	n, _ := statusField(b, "\nThreads:")
	return int(n)
}

// runForker runs the forker with attr (its uid and namespace) under an
// RLIMIT_NPROC of limit.
func runForker(t *testing.T, attr *syscall.SysProcAttr, limit uint64) forkReport {
	t.Helper()
	cmd := testenv.Command("nproc-forker", FormatValue(limit))
	cmd.SysProcAttr = attr
	cmd.Env = append(cmd.Env, "GOMAXPROCS=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	fmt.Fprintln(stdin, "go")
	var rep forkReport
	if err := json.NewDecoder(stdout).Decode(&rep); err != nil {
		cmd.Process.Kill()
		t.Fatalf("forker: %v", err)
	}
	return rep
}

// TestIntegrationSharedUID shows the story of this package: tasks of one
// uid fill its RLIMIT_NPROC, so a further process of that uid cannot
// fork; the same process in a user namespace created by root (mapping 0
// inside to the uid) gets a count of its own (Linux 5.14+).
func TestIntegrationSharedUID(t *testing.T) {
	testenv.Require(t, testenv.SetID, testenv.ProbeSetID())
	testenv.Require(t, testenv.UserNS, testenv.ProbeUserNS())
	const fill, limit = 50, 60
	uid := uint32(testUID)
	base, err := CountTasks(uid)
	if err != nil {
		t.Fatal(err)
	}
	if base.Charged != 0 {
		t.Fatalf("uid %d already has %d tasks: %+v", uid, base.Charged, base)
	}
	for range fill {
		sleeper(t, sleepAs(uid))
	}
	u, err := CountTasks(uid)
	if err != nil {
		t.Fatal(err)
	}
	room := u.Headroom(limit)
	if u.Charged != fill || room != limit-fill {
		t.Fatalf("after starting %d sleepers: charged %d, headroom %d under %d", fill, u.Charged, room, limit)
	}

	shared := runForker(t, &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uid, Gid: uid}}, limit)
	t.Logf("without a namespace: %+v", shared)
	if !shared.EAGAIN || uint64(shared.Forked+shared.Threads) != room {
		t.Errorf("without a namespace: forked %d with %d own tasks, want them to fill the headroom of %d and then EAGAIN", shared.Forked, shared.Threads, room)
	}

	own := runForker(t, rootNS(uid), limit)
	t.Logf("in a namespace created by root: %+v", own)
	if !own.EAGAIN || own.Forked+own.Threads != limit {
		t.Errorf("in root's namespace: forked %d with %d own tasks, want them to fill all %d and then EAGAIN", own.Forked, own.Threads, limit)
	}
}
