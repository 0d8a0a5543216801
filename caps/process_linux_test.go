//go:build linux

package caps

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
	"kernel.org/pub/linux/libs/security/libcap/cap"

	"github.com/nonroot-go/nonroot/internal/nsfs"
	"github.com/nonroot-go/nonroot/internal/testenv"
)

func TestMain(m *testing.M) {
	testenv.Helper("thread-differs", helperThreadDiffers)
	testenv.Helper("of", helperOf)
	testenv.Helper("scan-threads", helperScanThreads)
	testenv.Main(m)
}

// helperThreadDiffers sets no_new_privs, and drops CAP_CHOWN from the
// effective set if it holds it, on one locked thread only (raw prctl and
// capset, not psx), prints that thread's id and waits for stdin to close.
func helperThreadDiffers(args []string) int {
	tid := make(chan int)
	var mark func()
	mark = func() {
		runtime.LockOSThread() // never unlocked: the thread keeps its state
		if unix.Gettid() == os.Getpid() {
			// This is the main thread: keep it occupied, use another.
			go mark()
			select {}
		}
		if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
		var data [2]unix.CapUserData
		if err := unix.Capget(&hdr, &data[0]); err == nil && data[0].Effective&1 != 0 {
			data[0].Effective &^= 1
			if err := unix.Capset(&hdr, &data[0]); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
		}
		tid <- unix.Gettid()
		select {}
	}
	go mark()
	fmt.Println(<-tid)
	bufio.NewReader(os.Stdin).ReadString('\n')
	return 0
}

func TestSelf(t *testing.T) {
	p, err := Self()
	if err != nil {
		t.Fatal(err)
	}
	// libcap reads the same sets through capget and prctl.
	c := cap.GetProc()
	for _, f := range []struct {
		flag cap.Flag
		got  Set
	}{{cap.Effective, p.Effective}, {cap.Permitted, p.Permitted}, {cap.Inheritable, p.Inheritable}} {
		want, err := SetFromCap(c, f.flag)
		if err != nil || want != f.got {
			t.Errorf("%v: Self %v, libcap %v (%v)", f.flag, f.got, want, err)
		}
	}
	for v := range cap.MaxBits() {
		if b, _ := cap.GetBound(v); b != p.Bounding.Has(v) {
			t.Errorf("bounding %v: Self %v, libcap %v", v, p.Bounding.Has(v), b)
		}
		if a, _ := cap.GetAmbient(v); a != p.Ambient.Has(v) {
			t.Errorf("ambient %v: Self %v, libcap %v", v, p.Ambient.Has(v), a)
		}
	}
	if p.Securebits == nil || *p.Securebits != cap.GetSecbits() {
		t.Errorf("securebits %v, libcap %v", p.Securebits, cap.GetSecbits())
	}
	if p.Pid != os.Getpid() || p.PPid != os.Getppid() || p.Uid.Real != uint32(os.Getuid()) || p.Uid.Effective != uint32(os.Geteuid()) ||
		p.Gid.Real != uint32(os.Getgid()) || p.Gid.Effective != uint32(os.Getegid()) {
		t.Errorf("ids: %+v", p)
	}
	comm, _ := os.ReadFile("/proc/self/comm")
	if p.Command != strings.TrimSpace(string(comm)) {
		t.Errorf("command %q, comm %q", p.Command, comm)
	}
	me, _ := nsfs.Self()
	if p.Namespace.ID != me || p.Namespace.Relation != Same || p.Namespace.Depth != 0 {
		t.Errorf("namespace %+v, want %v same", p.Namespace, me)
	}
	// A Go program's threads agree unless someone changed one alone.
	if len(p.Threads) != 0 {
		t.Errorf("threads differ: %+v", p.Threads)
	}
}

// getpcaps reads a process through capget and /proc, independently of this
// package; parse its --iab output with libcap's own IAB parser.
func getpcaps(t *testing.T, pid int) Sets {
	t.Helper()
	path := testenv.RequireTool(t, "getpcaps", "libcap2-bin")
	out, err := exec.Command(path, "--iab", strconv.Itoa(pid)).Output()
	if err != nil {
		t.Fatalf("getpcaps --iab %d: %v", pid, err)
	}
	// 1234: "cap_chown=ep" [!cap_kill,^cap_chown]
	// It leaves out the quoted text when E, P and I are empty, and the
	// brackets when the IAB is.
	line := strings.TrimSpace(string(out))
	_, rest, ok := strings.Cut(line, ": ")
	text, iabText := "", ""
	if r, quoted := strings.CutPrefix(rest, "\""); quoted {
		text, rest, ok = strings.Cut(r, "\"")
		rest = strings.TrimSpace(rest)
	}
	if r, bracketed := strings.CutPrefix(rest, "["); bracketed {
		iabText, bracketed = strings.CutSuffix(r, "]")
		ok = ok && bracketed
	} else if rest != "" {
		ok = false
	}
	if !ok {
		t.Fatalf("getpcaps output %q", line)
	}
	epi, err := ParseText(text)
	if err != nil {
		t.Fatalf("getpcaps text %q: %v", text, err)
	}
	iab, err := cap.IABFromText(iabText)
	if err != nil {
		t.Fatalf("getpcaps IAB %q: %v", iabText, err)
	}
	s, err := FromIAB(iab)
	if err != nil {
		t.Fatal(err)
	}
	s.Effective, s.Permitted, s.Inheritable = epi.Effective, epi.Permitted, epi.Inheritable
	return s
}

// capshDecode asks capsh what names a mask stands for.
func capshDecode(t *testing.T, s Set) string {
	t.Helper()
	path := testenv.RequireTool(t, "capsh", "libcap2-bin")
	out, err := exec.Command(path, "--decode="+s.Mask()).Output()
	if err != nil {
		t.Fatal(err)
	}
	_, names, _ := strings.Cut(strings.TrimSpace(string(out)), "=")
	return names
}

// reducedChildren starts processes with reduced sets in the ways this mode
// allows, and says which could not start.
func reducedChildren(t *testing.T) map[string]child {
	setpriv := testenv.RequireTool(t, "setpriv", "util-linux")
	variants := map[string][]string{
		"plain":    {"sleep", "60"},
		"nnp":      {setpriv, "--no-new-privs", "sleep", "60"},
		"bounding": {setpriv, "--inh-caps=-all", "--bounding-set=-all,+chown,+kill,+net_bind_service", "sleep", "60"},
		"ambient":  {setpriv, "--inh-caps=+net_bind_service", "--ambient-caps=+net_bind_service", "--bounding-set=-all,+net_bind_service,+chown", "sleep", "60"},
	}
	out := map[string]child{}
	for name, argv := range variants {
		out[name] = startChild(t, nil, "sleep", argv...)
	}
	if testenv.ProbeUserNS() == nil {
		// In a namespace of its own, any user may drop its bounding set and
		// raise ambient capabilities.
		out["userns-ambient"] = startChild(t, userNSAttr(), "sleep", setpriv, "--inh-caps=+chown", "--ambient-caps=+chown", "--bounding-set=-all,+chown", "sleep", "60")
	}
	return out
}

func TestOfMatchesGetpcaps(t *testing.T) {
	reduced := 0
	for name, c := range reducedChildren(t) {
		if c.err != nil {
			t.Logf("%s: not in this mode: %v", name, c.err)
			continue
		}
		p, err := Of(c.pid)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want := getpcaps(t, c.pid)
		if p.Sets != want {
			t.Errorf("%s: Of = %+v\ngetpcaps = %+v\ndiff %v", name, p.Sets, want, want.Diff(p.Sets))
		}
		if got, names := p.Bounding.String(), capshDecode(t, p.Bounding); got != names {
			t.Errorf("%s: bounding %q, capsh --decode says %q", name, got, names)
		}
		if p.Bounding.Len() <= 3 { // the variants keep at most three
			reduced++
		}
		if p.Command != "sleep" || p.PPid != os.Getpid() && name != "userns-ambient" {
			t.Errorf("%s: command %q ppid %d", name, p.Command, p.PPid)
		}
		if name == "nnp" && !p.NoNewPrivs {
			t.Errorf("nnp: NoNewPrivs not set")
		}
		if strings.Contains(name, "ambient") && p.Ambient.IsEmpty() {
			t.Errorf("%s: no ambient capabilities: %+v", name, p.Sets)
		}
	}
	testenv.Require(t, "reduced-sets", func() error {
		if reduced == 0 {
			return errors.New("no child with a reduced bounding set could start (setpriv --bounding-set needs CAP_SETPCAP, or a user namespace)")
		}
		return nil
	}())
}

func TestUserNamespaceIsNotHostRoot(t *testing.T) {
	testenv.Require(t, testenv.UserNS, testenv.ProbeUserNS())
	c := startChild(t, userNSAttr(), "sleep", "sleep", "60")
	if c.err != nil {
		t.Fatal(c.err)
	}
	p, err := Of(c.pid)
	if err != nil {
		t.Fatal(err)
	}
	// Inside, it is root with every capability: a new namespace starts
	// with full permitted, effective and bounding sets, whatever its
	// creator's bounding set lacked...
	if p.Effective != Supported() || p.Permitted != Supported() || p.Bounding != Supported() {
		t.Errorf("namespace root: %+v, want every capability of the kernel", p.Sets)
	}
	// ...but the reader sees its host uid and its namespace.
	if p.Uid.Effective != uint32(os.Geteuid()) {
		t.Errorf("uid %d, want the caller's %d (mapped from 0 inside)", p.Uid.Effective, os.Geteuid())
	}
	id, _ := nsfs.UserNS(c.pid)
	if p.Namespace.ID != id || p.Namespace.Relation != Below || p.Namespace.Depth != 1 || p.Namespace.Owner != uint32(os.Geteuid()) || p.Namespace.Initial() {
		t.Errorf("namespace %+v, want %v below at depth 1 owned by %d", p.Namespace, id, os.Geteuid())
	}
	want := getpcaps(t, c.pid)
	if p.Sets != want {
		t.Errorf("Of = %+v, getpcaps = %+v", p.Sets, want)
	}
}

func TestUserNamespaceMappedHigh(t *testing.T) {
	testenv.Require(t, testenv.MultiMap, testenv.ProbeMultiMap())
	attr := &syscall.SysProcAttr{
		Cloneflags:  syscall.CLONE_NEWUSER,
		UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: 100000, Size: 65536}},
		GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: 100000, Size: 65536}},
		Credential:  &syscall.Credential{Uid: 0, Gid: 0},
	}
	c := startChild(t, attr, "sleep", "sleep", "60")
	if c.err != nil {
		t.Fatal(c.err)
	}
	p, err := Of(c.pid)
	if err != nil {
		t.Fatal(err)
	}
	if p.Uid.Effective != 100000 || p.Gid.Effective != 100000 || p.Namespace.Relation != Below || p.Effective.IsEmpty() {
		t.Errorf("root of a namespace mapped to 100000: %+v", p)
	}
}

func TestThreadsThatDiffer(t *testing.T) {
	cmd := testenv.Command("thread-differs")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer stdin.Close()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	tid, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		t.Fatal(err)
	}
	p, err := Of(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	if p.NoNewPrivs {
		t.Errorf("main thread has no_new_privs")
	}
	var found *Thread
	for i := range p.Threads {
		if p.Threads[i].TID == tid {
			found = &p.Threads[i]
		}
	}
	if found == nil || !found.NoNewPrivs || len(p.Threads) != 1 {
		t.Fatalf("thread %d not reported alone with no_new_privs: %+v", tid, p.Threads)
	}
	if p.Effective.Has(0) && (found.Effective.Has(0) || p.Sets.Diff(found.Sets).String() != "effective: -cap_chown") {
		t.Errorf("thread's effective set: %v; diff %q", found.Effective, p.Sets.Diff(found.Sets))
	}
	// A scan compares threads through capget unless told to read every
	// status; SkipThreads reads the main thread only.
	for _, tc := range []struct {
		opts ScanOptions
		want bool
	}{
		{ScanOptions{ThreadStatus: true}, true},
		{ScanOptions{}, p.Effective.Has(0)}, // the thread lost cap_chown only if it had it
		{ScanOptions{SkipThreads: true}, false},
	} {
		seen := false
		for q, err := range Scan(tc.opts) {
			if err == nil && q.Pid == p.Pid {
				seen = true
				if got := len(q.Threads) == 1 && q.Threads[0].TID == tid; got != tc.want {
					t.Errorf("Scan(%+v): threads %+v, want the marked thread: %v", tc.opts, q.Threads, tc.want)
				}
			}
		}
		if !seen {
			t.Errorf("Scan(%+v) missed pid %d", tc.opts, p.Pid)
		}
	}
}

// helperScanThreads prints, as JSON, the Threads a default Scan reports
// for pid args[0].
func helperScanThreads(args []string) int {
	pid, _ := strconv.Atoi(args[0])
	var threads []Thread
	for p, err := range Scan(ScanOptions{}) {
		if err == nil && p.Pid == pid {
			threads = p.Threads
		}
	}
	json.NewEncoder(os.Stdout).Encode(threads)
	return 0
}

// In a pid namespace of its own, with the parent's /proc, a scan must not
// compare threads through capget(2), which takes that namespace's pids.
func TestScanThreadsOtherPidNamespace(t *testing.T) {
	testenv.Require(t, testenv.UserNS, testenv.ProbeUserNS())
	marked := testenv.Command("thread-differs")
	stdin, err := marked.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := marked.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	marked.Stderr = os.Stderr
	if err := marked.Start(); err != nil {
		t.Fatal(err)
	}
	defer marked.Wait()
	defer stdin.Close()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	tid, _ := strconv.Atoi(strings.TrimSpace(line))

	// Without capget the scan reads the thread's status, which shows its
	// no_new_privs: the marked thread is reported in every mode.
	scan := testenv.Command("scan-threads", strconv.Itoa(marked.Process.Pid))
	scan.SysProcAttr = userNSAttr()
	scan.SysProcAttr.Cloneflags |= syscall.CLONE_NEWPID
	scan.Stderr = os.Stderr
	b, err := scan.Output()
	if err != nil {
		t.Fatal(err)
	}
	var threads []Thread
	if err := json.Unmarshal(b, &threads); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	if len(threads) != 1 || threads[0].TID != tid || !threads[0].NoNewPrivs {
		t.Errorf("scan from another pid namespace: threads %+v; want the marked thread %d with no_new_privs", threads, tid)
	}
}

func TestAllFindsChildren(t *testing.T) {
	children := reducedChildren(t)
	want := map[int]Process{}
	for _, c := range children {
		if c.err == nil {
			p, err := Of(c.pid)
			if err != nil {
				t.Fatal(err)
			}
			want[c.pid] = p
		}
	}
	last := 0
	n := 0
	for p, err := range All() {
		if err != nil {
			t.Errorf("All: %v", err)
			continue
		}
		n++
		if p.Pid <= last {
			t.Errorf("pid %d after %d", p.Pid, last)
		}
		last = p.Pid
		if w, ok := want[p.Pid]; ok {
			if p.Sets != w.Sets || p.StartTime != w.StartTime || p.Namespace != w.Namespace || p.Uid != w.Uid {
				t.Errorf("pid %d: All %+v, Of %+v", p.Pid, p, w)
			}
			delete(want, p.Pid)
		}
		if p.Pid == os.Getpid() && p.Namespace.Relation != Same {
			t.Errorf("self in All: %+v", p.Namespace)
		}
	}
	if len(want) != 0 {
		t.Errorf("All missed %d children", len(want))
	}
	// Stopping early stops the readers.
	before := runtime.NumGoroutine()
	for range All() {
		break
	}
	time.Sleep(10 * time.Millisecond)
	if after := runtime.NumGoroutine(); after > before {
		t.Errorf("goroutines %d -> %d after breaking out of All", before, after)
	}
	t.Logf("%d processes", n)
}

func TestOfGoneAndRefresh(t *testing.T) {
	if _, err := Of(1 << 30); !errors.Is(err, ErrNoProcess) {
		t.Errorf("Of(absent) = %v, want ErrNoProcess", err)
	}
	if _, err := Of(0); !errors.Is(err, ErrNoProcess) {
		t.Errorf("Of(0) = %v, want ErrNoProcess", err)
	}
	c := startChild(t, nil, "sleep", "sleep", "60")
	if c.err != nil {
		t.Fatal(c.err)
	}
	p, err := Of(c.pid)
	if err != nil {
		t.Fatal(err)
	}
	if q, err := p.Refresh(); err != nil || q.StartTime != p.StartTime {
		t.Errorf("Refresh of a live process: %v", err)
	}
	// A pid whose start time differs is another process.
	other := p
	other.StartTime++
	if _, err := other.Refresh(); !errors.Is(err, ErrNoProcess) {
		t.Errorf("Refresh with another start time = %v, want ErrNoProcess", err)
	}
	noStart := p
	noStart.StartTime = 0 // as scanned with SkipStartTime
	if _, err := noStart.Refresh(); err == nil || errors.Is(err, ErrNoProcess) {
		t.Errorf("Refresh without a start time = %v, want a refusal", err)
	}
	c.cmd.Process.Kill()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if _, err := os.Stat("/proc/" + strconv.Itoa(c.pid)); err != nil {
			break
		}
	}
	if _, err := p.Refresh(); !errors.Is(err, ErrNoProcess) {
		t.Errorf("Refresh of a killed process = %v, want ErrNoProcess", err)
	}
}

// capsh --decode names the bits of a mask, numbers for those without a
// name; String must say the same, and Parse must read it back.
func TestMasksMatchCapsh(t *testing.T) {
	masks := []Set{0, DockerDefault, Named, Supported(), SetOf(40, 41, 63), 1<<64 - 1}
	r := uint64(0x9e3779b97f4a7c15)
	for range 20 {
		r ^= r << 13
		r ^= r >> 7
		r ^= r << 17
		masks = append(masks, Set(r))
	}
	for _, m := range masks {
		want := capshDecode(t, m)
		if got := m.String(); got != want {
			t.Errorf("%s: String %q, capsh --decode %q", m.Mask(), got, want)
		}
		if back, err := Parse(want); err != nil || back != m {
			t.Errorf("Parse(capsh's %q) = %s, %v; want %s", want, back.Mask(), err, m.Mask())
		}
	}
}

// A process with many threads has its start time read from its main
// thread's stat; it must equal the process's.
func TestStartTimeManyThreads(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	started := make(chan struct{})
	for range 2 * manyThreads {
		go func() {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			started <- struct{}{}
			<-release
		}()
	}
	for range 2 * manyThreads {
		<-started
	}
	p, err := Self()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		t.Fatal(err)
	}
	fields := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	if want := fields[19]; strconv.FormatUint(p.StartTime, 10) != want {
		t.Errorf("StartTime %d, /proc/self/stat says %s", p.StartTime, want)
	}
	var threads int
	for l := range strings.Lines(string(mustRead(t, "/proc/self/status"))) {
		if v, ok := strings.CutPrefix(l, "Threads:"); ok {
			threads, _ = strconv.Atoi(strings.TrimSpace(v))
		}
	}
	if threads <= manyThreads {
		t.Errorf("only %d threads: the test did not reach the main thread's stat", threads)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A process whose main thread seccomp killed while another thread lives on
// shows the kernel's internal mode 3 (SECCOMP_MODE_DEAD); it must read.
func TestSeccompDeadLeader(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skip("the filter in testdata/seccomp-dead.py names getppid by its x86-64 number")
	}
	python := testenv.RequireTool(t, "python3", "python3")
	cmd := exec.Command(python, "testdata/seccomp-dead.py", "30")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	err = cmd.Start()
	if err == nil {
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		_, err = bufio.NewReader(stdout).ReadString('\n')
	}
	testenv.Require(t, "python3", err)
	pid := cmd.Process.Pid
	var p Process
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if p, err = Of(pid); err != nil {
			t.Fatal(err)
		}
		if p.Seccomp == SeccompDead || time.Now().After(deadline) {
			break
		}
	}
	if p.Seccomp != SeccompDead || !p.NoNewPrivs {
		t.Fatalf("leader killed by seccomp: seccomp %v no_new_privs %v, want dead and true", p.Seccomp, p.NoNewPrivs)
	}
	// The filter was installed on the main thread alone, after the other
	// thread started: that one has neither seccomp nor no_new_privs.
	if len(p.Threads) != 1 || p.Threads[0].Seccomp != SeccompDisabled || p.Threads[0].NoNewPrivs {
		t.Errorf("the living thread: %+v, want one thread without seccomp", p.Threads)
	}
	found := false
	for q, err := range Scan(ScanOptions{ThreadStatus: true}) {
		if q.Pid == pid {
			found = err == nil && q.Seccomp == SeccompDead
		}
	}
	if !found {
		t.Errorf("Scan did not read pid %d in seccomp mode dead", pid)
	}
}

// helperOf prints Of(pid) as JSON, from whatever namespace it was started
// in.
func helperOf(args []string) int {
	pid, _ := strconv.Atoi(args[0])
	var out struct {
		P   Process
		Err string
	}
	p, err := Of(pid)
	out.P = p
	if err != nil {
		out.Err = err.Error()
	}
	json.NewEncoder(os.Stdout).Encode(out)
	return 0
}

// From inside a user namespace, /proc/PID/ns/user of a process outside it
// gives EACCES (cap_ptrace_access_check: another namespace's process needs
// CAP_SYS_PTRACE there). The sets are still read, the namespace is
// Unknown, and that is no error.
func TestNamespaceUnreadable(t *testing.T) {
	testenv.Require(t, testenv.UserNS, testenv.ProbeUserNS())
	self, err := Self()
	if err != nil {
		t.Fatal(err)
	}
	cmd := testenv.Command("of", strconv.Itoa(os.Getpid()))
	cmd.SysProcAttr = userNSAttr()
	cmd.Stderr = os.Stderr
	b, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		P   Process
		Err string
	}
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	if out.Err != "" {
		t.Fatalf("Of(parent) from a child namespace: %s", out.Err)
	}
	if out.P.Namespace != (Namespace{}) || out.P.Namespace.String() != "unknown" {
		t.Errorf("namespace of a process outside, read from inside: %+v, want the zero Namespace", out.P.Namespace)
	}
	if out.P.Sets != self.Sets || out.P.Pid != os.Getpid() || out.P.StartTime != self.StartTime {
		t.Errorf("read from a child namespace: %+v\nSelf: %+v", out.P, self)
	}
}

// Processes that exit while a scan runs are skipped, never yielded as
// errors. Measured: nearly every one hit here is gone between the listing
// and the open of /proc/PID (a zombie's files stay readable until it is
// reaped); reads through a Dir after the reap are covered by internal/proc's
// TestStartTimeAndGone. Making emit yield them fails this test.
func TestScanSkipsVanished(t *testing.T) {
	stop := make(chan struct{})
	done := make(chan int)
	go func() {
		n := 0
		defer func() { done <- n }()
		for {
			select {
			case <-stop:
				return
			default:
			}
			// Several at once, so that some die during every scan.
			var cmds []*exec.Cmd
			for range 8 {
				c := exec.Command("sleep", "0.00"+strconv.Itoa(1+n%9))
				if c.Start() == nil {
					cmds = append(cmds, c)
				}
				n++
			}
			for _, c := range cmds {
				c.Wait()
			}
		}
	}()
	deadline := time.Now().Add(2 * time.Second)
	scans := 0
	for ; scans < 3 || time.Now().Before(deadline); scans++ {
		for opts := range 2 {
			for p, err := range Scan(ScanOptions{ThreadStatus: opts == 1}) {
				if err != nil {
					t.Errorf("pid %d: %v", p.Pid, err)
				}
			}
		}
	}
	close(stop)
	t.Logf("%d scans while %d processes came and went", 2*scans, <-done)
}

// /proc/TID answers for a thread as for a process; Of refuses a thread
// id and names its process.
func TestOfRefusesThreadID(t *testing.T) {
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range tasks {
		tid, _ := strconv.Atoi(e.Name())
		if tid == os.Getpid() {
			continue
		}
		_, err := Of(tid)
		if err == nil || !strings.Contains(err.Error(), "thread of process "+strconv.Itoa(os.Getpid())) {
			t.Fatalf("Of(%d), a thread of %d: %v; want a refusal naming the process", tid, os.Getpid(), err)
		}
		return
	}
	t.Fatal("the test process has one thread; Go runs several")
}
