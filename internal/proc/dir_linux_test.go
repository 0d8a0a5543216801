//go:build linux

package proc

import (
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

func TestReadStatusSelf(t *testing.T) {
	var st Status
	if err := ReadStatus(0, &st); err != nil {
		t.Fatal(err)
	}
	comm, err := os.ReadFile("/proc/self/comm")
	if err != nil {
		t.Fatal(err)
	}
	if st.Pid != os.Getpid() || st.PPid != os.Getppid() || st.Name != strings.TrimSuffix(string(comm), "\n") ||
		st.Uid[0] != uint32(os.Getuid()) || st.Uid[1] != uint32(os.Geteuid()) ||
		st.Gid[0] != uint32(os.Getgid()) || st.Gid[1] != uint32(os.Getegid()) || st.Threads < 1 {
		t.Errorf("status of self: %+v", st)
	}
}

func startSleep(t *testing.T) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("sleep", "60")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd
}

func TestPids(t *testing.T) {
	child := startSleep(t)
	var pids []int
	for pid, err := range Pids() {
		if err != nil {
			t.Fatal(err)
		}
		pids = append(pids, pid)
	}
	if !slices.Contains(pids, os.Getpid()) || !slices.Contains(pids, child.Process.Pid) {
		t.Errorf("Pids misses self (%d) or child (%d): %v", os.Getpid(), child.Process.Pid, pids)
	}
	if !slices.IsSorted(pids) {
		t.Errorf("pids not ascending")
	}
	// Stopping early must work.
	n := 0
	for range Pids() {
		n++
		break
	}
	if n != 1 {
		t.Errorf("break ignored")
	}
}

func TestTasks(t *testing.T) {
	d, err := Open(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var r Reader
	var st Status
	if err := r.Status(d, &st); err != nil {
		t.Fatal(err)
	}
	var tids []int
	for tid, err := range d.Tasks() {
		if err != nil {
			t.Fatal(err)
		}
		tids = append(tids, tid)
	}
	if len(tids) == 0 || tids[0] != os.Getpid() {
		t.Fatalf("tasks %v: main thread %d not first", tids, os.Getpid())
	}
	for _, tid := range tids {
		td, err := d.Task(tid)
		if err != nil {
			if Gone(err) { // a Go runtime thread may exit meanwhile
				continue
			}
			t.Fatal(err)
		}
		var ts Status
		err = r.Status(td, &ts)
		td.Close()
		if err != nil && !Gone(err) {
			t.Fatal(err)
		}
		if err == nil && (ts.Pid != tid || ts.Tgid != os.Getpid()) {
			t.Errorf("task %d status: pid %d tgid %d", tid, ts.Pid, ts.Tgid)
		}
	}
}

func TestStartTimeAndGone(t *testing.T) {
	child := startSleep(t)
	pid := child.Process.Pid
	st1, err := StartTime(pid)
	if err != nil {
		t.Fatal(err)
	}
	self, err := StartTime(0)
	if err != nil {
		t.Fatal(err)
	}
	if st1 < self {
		t.Errorf("child started at %d, before its parent at %d", st1, self)
	}
	d, err := Open(pid)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var r Reader
	var s Stat
	if err := r.Stat(d, &s); err != nil || s.StartTime != st1 || s.Comm != "sleep" {
		t.Fatalf("stat through Dir: %+v, %v", s, err)
	}
	child.Process.Kill()
	child.Wait()
	// The directory stays bound to the reaped process: reads through it
	// fail even if the pid were reused.
	var st Status
	err = r.Status(d, &st)
	if !Gone(err) {
		t.Errorf("status of a reaped process through its Dir: %v, want ENOENT/ESRCH", err)
	}
	if _, err := Open(pid); err == nil {
		// The pid may have been reused already; then it is another process.
		if st2, err := StartTime(pid); err == nil && st2 == st1 {
			t.Errorf("reaped pid %d still shows its start time", pid)
		}
	} else if !Gone(err) {
		t.Errorf("Open of a reaped pid: %v", err)
	}
}

func BenchmarkScanStatus(b *testing.B) {
	b.ReportAllocs()
	var r Reader
	var st Status
	for b.Loop() {
		for pid, err := range Pids() {
			if err != nil {
				b.Fatal(err)
			}
			d, err := Open(pid)
			if err != nil {
				continue
			}
			_ = r.Status(d, &st)
			d.Close()
		}
	}
}

func TestReadFileGrowsAndShortRead(t *testing.T) {
	d, err := Open(0)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for _, r := range []*Reader{
		{buf: make([]byte, 64)},                       // grows, reads to EOF
		{buf: make([]byte, 64), ShortReadIsEOF: true}, // grows until a short read
		{ShortReadIsEOF: true},
	} {
		b, err := r.ReadFile(d, "status")
		if err != nil {
			t.Fatal(err)
		}
		// The whole file: it ends with the context switch counters.
		if !strings.HasPrefix(string(b), "Name:\t") || !strings.Contains(string(b), "\nnonvoluntary_ctxt_switches:\t") || !strings.HasSuffix(string(b), "\n") {
			t.Errorf("incomplete status (%d bytes, ShortReadIsEOF %v): %q", len(b), r.ShortReadIsEOF, b)
		}
	}
}

func TestReadlink(t *testing.T) {
	d, err := Open(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var buf [64]byte
	got, err := d.Readlink("ns/user", buf[:])
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.Readlink("/proc/self/ns/user")
	if err != nil || string(got) != want {
		t.Errorf("Readlink = %q, os.Readlink = %q (%v)", got, want, err)
	}
	if _, err := d.Readlink("ns/nonesuch", buf[:]); !Gone(err) {
		t.Errorf("Readlink of a missing link = %v, want ENOENT", err)
	}
}

// A child that asked to be traced (PTRACE_TRACEME, stopped at its exec)
// shows a thread of this process as its tracer.
func TestReadStatusTracerPid(t *testing.T) {
	cmd := exec.Command("/bin/true")
	cmd.SysProcAttr = &syscall.SysProcAttr{Ptrace: true}
	if err := cmd.Start(); err != nil {
		t.Skip("PTRACE_TRACEME refused (kernel.yama.ptrace_scope 3 forbids it; set it to 2 or lower): ", err)
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	var st Status
	if err := ReadStatus(cmd.Process.Pid, &st); err != nil {
		t.Fatal(err)
	}
	// The kernel shows the tracing thread's id: the thread of this
	// process that forked the child.
	if _, err := os.Stat("/proc/self/task/" + strconv.Itoa(st.TracerPid)); err != nil || st.Has&FieldTracerPid == 0 {
		t.Fatalf("TracerPid = %d (has %v), want a thread of this process, %d: %v", st.TracerPid, st.Has&FieldTracerPid != 0, os.Getpid(), err)
	}
	var self Status
	if err := ReadStatus(0, &self); err != nil || self.TracerPid != 0 {
		t.Fatalf("this process's TracerPid = %d, %v; want 0, untraced", self.TracerPid, err)
	}
}
