//go:build linux

package limits

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/nonroot-go/nonroot/internal/testenv"
)

func itoa(i int) string { return strconv.Itoa(i) }

func TestReadProcLimitsMatchesGet(t *testing.T) {
	m, err := ReadProcLimits(0)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range Resources() {
		l, err := Get(0, r)
		if err != nil {
			t.Fatal(err)
		}
		if m[r] != l {
			t.Errorf("%v: /proc says %v, prlimit says %v", r, m[r], l)
		}
	}
}

func TestSetGetChild(t *testing.T) {
	cmd := sleeper(t, exec.Command("sleep", "300"))
	pid := cmd.Process.Pid
	before, err := Get(pid, CORE)
	if err != nil {
		t.Fatal(err)
	}
	low := Rlimit{Soft: 0, Hard: 4096}
	if before.Hard < low.Hard {
		low.Hard = before.Hard
	}
	if err := Set(pid, CORE, low); err != nil {
		t.Fatal(err)
	}
	if got, err := Get(pid, CORE); err != nil || got != low {
		t.Fatalf("after Set(%v): Get = %v, %v", low, got, err)
	}
	m, err := ReadProcLimits(pid)
	if err != nil || m[CORE] != low {
		t.Fatalf("/proc/%d/limits: %v, %v", pid, m[CORE], err)
	}
	// Raising the hard limit again works only with CAP_SYS_RESOURCE in the
	// initial namespace; without it the error must say so.
	err = Set(pid, CORE, Rlimit{0, low.Hard + 1})
	if err != nil && !errors.Is(err, ErrNeedsCapSysResource) {
		t.Errorf("raising the hard limit failed without naming CAP_SYS_RESOURCE: %v", err)
	}
	if err != nil && !errors.Is(err, os.ErrPermission) {
		t.Errorf("raising: %v does not wrap EPERM", err)
	}
	t.Logf("raising a hard limit: %v", err)

	if err := Set(pid, CORE, Rlimit{10, 5}); !errors.Is(err, ErrSoftAboveHard) {
		t.Errorf("soft above hard: %v", err)
	}
	if err := Set(pid, Resource(42), Rlimit{}); !errors.Is(err, ErrUnknownResource) {
		t.Errorf("resource 42: %v", err)
	}
}

func TestApplyChild(t *testing.T) {
	cmd := sleeper(t, exec.Command("sleep", "300"))
	pid := cmd.Process.Pid
	cur, err := ReadProcLimits(pid)
	if err != nil {
		t.Fatal(err)
	}
	want := map[Resource]Rlimit{
		NOFILE: {Soft: 64, Hard: 128},
		NPROC:  {Soft: min(cur[NPROC].Hard, 500), Hard: min(cur[NPROC].Hard, 500)},
		CPU:    {Soft: 100, Hard: 200},
	}
	if err := Apply(pid, want); err != nil {
		t.Fatal(err)
	}
	got, err := ReadProcLimits(pid)
	if err != nil {
		t.Fatal(err)
	}
	for r, l := range want {
		if got[r] != l {
			t.Errorf("%v = %v, want %v", r, got[r], l)
		}
	}
	// A raise the kernel refuses: Debian's Apply skips it, upstream's fails.
	res := Result{Flavor: Debian, Items: callerItems(got)}
	res.Items[NOFILE].Rlimit, res.Items[NOFILE].Soft, res.Items[NOFILE].Hard = Rlimit{64, 256}, FromPID1, FromPID1
	skipped, err := res.Apply(pid)
	now, _ := Get(pid, NOFILE)
	switch {
	case err != nil:
		t.Errorf("Debian apply: %v", err)
	case len(skipped) == 0 && now != (Rlimit{64, 256}):
		t.Errorf("nothing skipped but nofile is %v", now)
	case len(skipped) == 1:
		// Upstream tries every limit and fails the session afterwards: a
		// lowering after the refused raise still happens.
		res.Flavor = Upstream
		res.Items[NOFILE].SoftRule = &Rule{File: "f", Line: 1}
		h := min(got[MSGQUEUE].Hard, 2000)
		lower := Rlimit{h / 2, h}
		if lower == got[MSGQUEUE] {
			t.Fatalf("msgqueue is already %v: pick another value", lower)
		}
		res.Items[MSGQUEUE].Rlimit, res.Items[MSGQUEUE].HardRule = lower, &Rule{File: "f", Line: 2}
		if _, err := res.Apply(pid); !errors.Is(err, ErrNeedsCapSysResource) {
			t.Errorf("upstream apply of a refused raise: %v", err)
		}
		if now, err := Get(pid, MSGQUEUE); err != nil || now != lower {
			t.Errorf("msgqueue after upstream apply: %v, %v; want %v set despite the refused nofile", now, err, lower)
		}
	}
}

func TestOpenFiles(t *testing.T) {
	n0, l, err := OpenFiles(0)
	if err != nil {
		t.Fatal(err)
	}
	if cur, _ := Get(0, NOFILE); l != cur {
		t.Errorf("limit %v, prlimit says %v", l, cur)
	}
	dir := t.TempDir()
	for i := range 5 {
		f, err := os.Create(filepath.Join(dir, itoa(i)))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
	}
	n1, _, err := OpenFiles(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if n1-n0 != 5 {
		t.Errorf("open files went from %d to %d after opening 5", n0, n1)
	}
}

func TestSystemStart(t *testing.T) {
	s, err := SystemStart()
	if err != nil {
		t.Fatal(err)
	}
	if len(s.PID1) != NumResources || len(s.Caller) != NumResources || s.NrOpen < 64 { // 64: the kernel's least nr_open (BITS_PER_LONG)
		t.Errorf("start %+v", s)
	}
}

// TestNotYours asks prlimit about a process with other credentials: a
// sleeper of testUID where the test may switch uids, else PID 1 (whose
// uid is another's, or unmapped inside a user namespace).
func TestNotYours(t *testing.T) {
	pid := 1
	if testenv.ProbeSetID() == nil {
		pid = sleeper(t, sleepAs(testUID)).Process.Pid
	}
	cur, err := Get(pid, CORE)
	if err == nil {
		// Matching credentials, or CAP_SYS_RESOURCE over its namespace.
		t.Skipf("prlimit may read pid %d (%v): no foreign process to test with; run as an ordinary user", pid, cur)
	}
	if !errors.Is(err, ErrNotYours) || !errors.Is(err, os.ErrPermission) || !strings.Contains(err.Error(), "/proc/PID/limits") {
		t.Errorf("Get of pid %d: %v, want ErrNotYours wrapping EPERM and the hint", pid, err)
	}
	m, err := ReadProcLimits(pid)
	if err != nil || len(m) != NumResources {
		t.Fatalf("/proc/%d/limits, which needs no privilege: %v", pid, err)
	}
	if err := Set(pid, CORE, m[CORE]); !errors.Is(err, ErrNotYours) {
		t.Errorf("Set on pid %d: %v, want ErrNotYours", pid, err)
	}
}

// The kernel refuses a nofile limit above fs.nr_open to everyone before
// it looks at capabilities: the error must not send the caller looking
// for CAP_SYS_RESOURCE.
func TestSetNofileAboveNrOpen(t *testing.T) {
	n, err := readNrOpen()
	if err != nil {
		t.Fatal(err)
	}
	cmd := sleeper(t, exec.Command("sleep", "300"))
	err = Set(cmd.Process.Pid, NOFILE, Rlimit{Soft: n + 1, Hard: n + 1})
	var oe *OpError
	if err == nil || errors.Is(err, ErrNeedsCapSysResource) || !errors.As(err, &oe) || !strings.Contains(oe.Hint, "fs.nr_open") {
		t.Fatalf("Set nofile %d above fs.nr_open %d: %v; want an error whose hint names fs.nr_open, not CAP_SYS_RESOURCE", n+1, n, err)
	}
}
