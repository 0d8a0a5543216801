//go:build linux

package userns

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nonroot-go/nonroot/caps"
	"github.com/nonroot-go/nonroot/idmap"
	"github.com/nonroot-go/nonroot/internal/testenv"
	"github.com/nonroot-go/nonroot/limits"
)

// Feature names of this package's tests, for NONROOT_REQUIRE.
const (
	// featureManyUIDs: some way to map many uids (direct as real root, or
	// through newuidmap with /etc/subuid ranges).
	featureManyUIDs = "userns-many-uids"
	// featureNewuidmapPath: the caller is unprivileged in the initial
	// namespace with subordinate ranges, so Start takes the newuidmap path.
	featureNewuidmapPath = "userns-newuidmap-path"
)

func requireUserNS(t *testing.T) {
	t.Helper()
	testenv.Require(t, testenv.UserNS, testenv.ProbeUserNS())
}

// manyUIDs returns a Cmd configured to map 0..65536 in whatever way this
// caller can, or skips.
func manyUIDs(t *testing.T, c *Cmd) {
	t.Helper()
	requireUserNS(t)
	if testenv.ProbeMultiMap() == nil {
		m := idmap.MustNew(idmap.Range{ContainerID: 0, HostID: uint32(os.Geteuid()), Size: 1}, idmap.Range{ContainerID: 1, HostID: 100000, Size: 65536})
		g := idmap.MustNew(idmap.Range{ContainerID: 0, HostID: uint32(os.Getegid()), Size: 1}, idmap.Range{ContainerID: 1, HostID: 100000, Size: 65536})
		c.UIDMap, c.GIDMap = m, g
		return
	}
	err := testenv.ProbeNewuidmap(65536)
	if err == nil && RunningInUserNS() {
		err = errors.New("newuidmap cannot work inside a user namespace that does not map host root")
	}
	if err != nil {
		err = fmt.Errorf("neither direct multi-ID maps (%v) nor newuidmap (%w)", testenv.ProbeMultiMap(), err)
	}
	testenv.Require(t, featureManyUIDs, err)
	c.SubIDs = true
}

func TestFastPathDefault(t *testing.T) {
	requireUserNS(t)
	c := Command("/bin/sh", "-c", "id -u; id -g; cat /proc/self/setgroups")
	out, err := c.Output()
	if err != nil {
		t.Fatalf("Output: %v", err)
	}
	if c.how != pathFast {
		t.Errorf("path = %v, want fast", c.how)
	}
	if got, want := string(out), "0\n0\ndeny\n"; got != want {
		t.Errorf("child says %q, want %q", got, want)
	}
}

// An ordinary user's "root" child: uid 0 inside, its own uid outside.
func TestIntegrationOwnUIDOutside(t *testing.T) {
	requireUserNS(t)
	dir := worldDir(t)
	c := Command("/bin/sh", "-c", "id -u && : > "+dir+"/made")
	out, err := c.Output()
	if err != nil {
		t.Fatalf("Output: %v", err)
	}
	if string(out) != "0\n" {
		t.Errorf("id -u inside = %q, want 0", out)
	}
	fi, err := os.Stat(dir + "/made")
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Sys().(*syscall.Stat_t).Uid; int(got) != os.Geteuid() {
		t.Errorf("file made by the child is owned by %d outside, want the caller's %d", got, os.Geteuid())
	}
}

// worldDir is a directory every uid can enter and write, so that a
// failure to write a file in it is about the file alone.
func worldDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "userns-test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o1777); err != nil {
		t.Fatal(err)
	}
	return dir
}

// The story the library exists for: a file owned by root, mode 0600.
func TestIntegrationRootOwnedFile(t *testing.T) {
	dir := worldDir(t)
	secret := filepath.Join(dir, "secret")
	if err := os.WriteFile(secret, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	open := filepath.Join(dir, "open")
	if err := os.WriteFile(open, nil, 0o666); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(open, 0o666); err != nil {
		t.Fatal(err)
	}
	appendTo := func(f string) string { return "echo x >> " + f }
	// writes runs sh in cmd and reports whether it could write both the
	// open file (the control) and the secret one.
	writes := func(t *testing.T, cmd *exec.Cmd, start func() error) (control, secretOK bool) {
		t.Helper()
		cmd.Args = []string{"sh", "-c", appendTo(open) + " && echo control; " + appendTo(secret) + " 2>/dev/null && echo secret; true"}
		var out strings.Builder
		cmd.Stdout = &out
		if err := start(); err != nil {
			t.Fatalf("start: %v", err)
		}
		if err := cmd.Wait(); err != nil {
			t.Fatalf("wait: %v", err)
		}
		return strings.Contains(out.String(), "control"), strings.Contains(out.String(), "secret")
	}
	owner := func() uint32 {
		fi, err := os.Stat(secret)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Sys().(*syscall.Stat_t).Uid
	}()

	t.Run("owner without namespace", func(t *testing.T) {
		cmd := exec.Command("/bin/sh")
		control, ok := writes(t, cmd, cmd.Start)
		if !control || !ok {
			t.Errorf("the file's owner (uid %d) could not write it: control %v, secret %v", owner, control, ok)
		}
	})
	t.Run("uid 0 in a namespace mapped 0:2000:1000", func(t *testing.T) {
		requireUserNS(t)
		testenv.Require(t, testenv.MultiMap, testenv.ProbeMultiMap())
		c := Command("/bin/sh")
		c.UIDMap = idmap.MustNew(idmap.Range{ContainerID: 0, HostID: 2000, Size: 1000})
		c.GIDMap = c.UIDMap
		control, ok := writes(t, c.Cmd, c.Start)
		if !control {
			t.Fatal("the namespaced child could not write the world-writable control file")
		}
		if ok {
			t.Errorf("uid 0 in a namespace mapped to host 2000 wrote a 0600 file of uid %d", owner)
		}
	})
	t.Run("uid 6667 without namespace", func(t *testing.T) {
		testenv.Require(t, testenv.SetID, testenv.ProbeSetID())
		cmd := exec.Command("/bin/sh")
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 6667, Gid: 6667}}
		control, ok := writes(t, cmd, cmd.Start)
		if !control {
			t.Fatal("the child as 6667:6667 could not write the world-writable control file")
		}
		if ok {
			t.Errorf("6667:6667 wrote a 0600 file of uid %d", owner)
		}
	})
	t.Run("rootless root cannot open /etc/passwd", func(t *testing.T) {
		requireUserNS(t)
		fi, err := os.Stat("/etc/passwd")
		if err != nil {
			t.Skip(err)
		}
		if own := fi.Sys().(*syscall.Stat_t).Uid; int(own) == os.Geteuid() {
			t.Skipf("the caller owns /etc/passwd (uid %d), so its namespace's root does too: run as an ordinary user", own)
		}
		// ": >>" opens for appending and writes nothing.
		out, err := Command("/bin/sh", "-c", "id -u; : >> /etc/passwd && echo opened").CombinedOutput()
		if err == nil || strings.Contains(string(out), "opened") {
			t.Errorf("uid 0 mapped to uid %d opened /etc/passwd for writing: %q, %v", os.Geteuid(), out, err)
		}
		if !strings.HasPrefix(string(out), "0\n") {
			t.Errorf("child was not uid 0 inside: %q", out)
		}
	})
}

func TestStageRlimitsAndNoNewPrivs(t *testing.T) {
	for _, sub := range []bool{false, true} {
		t.Run(fmt.Sprint("subids=", sub), func(t *testing.T) {
			c := Command("/bin/sh", "-c", "ulimit -Sn; ulimit -Hn; grep NoNewPrivs /proc/self/status")
			if sub {
				requireNewuidmapPath(t, c)
			} else {
				requireUserNS(t)
			}
			c.Rlimits = map[limits.Resource]limits.Rlimit{limits.NOFILE: {Soft: 100, Hard: 200}}
			c.NoNewPrivs = true
			out, err := c.Output()
			if err != nil {
				t.Fatalf("Output: %v", err)
			}
			if want := map[bool]path{false: pathStage, true: pathNewuidmap}[sub]; c.how != want {
				t.Errorf("path = %v, want %v", c.how, want)
			}
			if got, want := string(out), "100\n200\nNoNewPrivs:\t1\n"; got != want {
				t.Errorf("child says %q, want %q", got, want)
			}
		})
	}
}

func TestStageRlimitRaiseRefused(t *testing.T) {
	requireUserNS(t)
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	c := Command("/bin/true")
	c.Rlimits = map[limits.Resource]limits.Rlimit{limits.NOFILE: {Soft: lim.Max + 1, Hard: lim.Max + 1}}
	err := c.Run()
	if err == nil {
		// Real root raises its hard limit without a namespace's help.
		if testenv.ProbeSetID() == nil {
			t.Skip("the caller holds CAP_SYS_RESOURCE over the initial namespace")
		}
		t.Fatal("raising the hard NOFILE limit inside a namespace succeeded")
	}
	var e *Error
	if !errors.As(err, &e) || e.Op != "stage setrlimit RLIMIT_NOFILE" || !errors.Is(err, syscall.EPERM) || e.Pid == 0 {
		t.Errorf("err = %#v (%v), want an *Error from the stage's setrlimit with EPERM and a pid", err, err)
	}
	if !errors.Is(err, os.ErrPermission) {
		t.Errorf("errors.Is(%v, os.ErrPermission) = false", err)
	}
}

func TestStageExecFailure(t *testing.T) {
	requireUserNS(t)
	c := Command("/nonexistent/program")
	c.NoNewPrivs = true
	err := c.Run()
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("err = %v, want one answering fs.ErrNotExist", err)
	}
	var e *Error
	if !errors.As(err, &e) || e.Op != "stage exec" {
		t.Errorf("err = %#v, want Op stage exec", err)
	}
	if c.ProcessState == nil || c.ProcessState.ExitCode() != stageExit {
		t.Errorf("stage was not reaped with status %d: %v", stageExit, c.ProcessState)
	}
}

func TestNoInit(t *testing.T) {
	requireUserNS(t)
	initCalled.Store(false)
	defer initCalled.Store(true)
	c := Command("/bin/true")
	c.NoNewPrivs = true
	err := c.Run()
	if !errors.Is(err, ErrNoInit) || !strings.Contains(err.Error(), "userns.Init()") {
		t.Fatalf("err = %v, want ErrNoInit saying to call userns.Init()", err)
	}
	if c.Process != nil {
		t.Error("a child was started although the stage could not be")
	}
	// The fast path needs no Init.
	if err := Command("/bin/true").Run(); err != nil {
		t.Errorf("fast path without Init: %v", err)
	}
}

func TestInvalid(t *testing.T) {
	all := allCaps()
	for _, tc := range []struct {
		name string
		c    Cmd
	}{
		{"groups without setgroups", Cmd{Groups: []uint32{0}}},
		{"unmapped uid", Cmd{UID: 5}},
		{"unmapped gid", Cmd{GID: 5}},
		{"subids with map", Cmd{SubIDs: true, UIDMap: idmap.MustNew(idmap.Range{Size: 1})}},
		{"effective outside bounding", Cmd{Caps: &Capabilities{Bounding: 1, Effective: 3}}},
		{"ambient outside inheritable", Cmd{Caps: &Capabilities{Bounding: all, Effective: 1, Ambient: 1}}},
		{"root effective without ambient", Cmd{Caps: &Capabilities{Bounding: all, Effective: 1}}},
		{"beyond cap_last_cap", Cmd{Caps: &Capabilities{Bounding: caps.Set(1) << 63, Effective: caps.Set(1) << 63}}},
		{"soft above hard", Cmd{Rlimits: map[limits.Resource]limits.Rlimit{limits.CORE: {Soft: 2, Hard: 1}}}},
		{"unknown resource", Cmd{Rlimits: map[limits.Resource]limits.Rlimit{99: {}}}},
		{"sysprocattr credential", Cmd{}},
		{"sysprocattr unshare user", Cmd{}},
		{"sysprocattr ptrace with stage", Cmd{NoNewPrivs: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.c
			c.Cmd = exec.Command("/bin/true")
			switch tc.name {
			case "sysprocattr credential":
				c.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{}}
			case "sysprocattr unshare user":
				c.SysProcAttr = &syscall.SysProcAttr{Unshareflags: syscall.CLONE_NEWUSER}
			case "sysprocattr ptrace with stage":
				c.SysProcAttr = &syscall.SysProcAttr{Ptrace: true}
			}
			err := c.Start()
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Start = %v, want ErrInvalid", err)
			}
			if c.Process != nil {
				t.Error("a child was started")
			}
		})
	}
}

func TestNotInParent(t *testing.T) {
	requireUserNS(t)
	eff, err := effectiveCaps()
	if err != nil {
		t.Fatal(err)
	}
	own, err := ownMaps()
	if err != nil {
		t.Fatal(err)
	}
	if eff&(1<<capSetuid) == 0 {
		t.Skip("the caller lacks CAP_SETUID: wide maps go through newuidmap, not a direct write")
	}
	if idmap.MustNew(idmap.Range{HostID: 2000, Size: 1000}).CheckParent(own[0]) == nil {
		t.Skip("the caller's namespace maps host uids 2000-2999: run inside unshare -r to see the refusal")
	}
	c := Command("/bin/true")
	c.UIDMap = idmap.MustNew(idmap.Range{ContainerID: 0, HostID: 2000, Size: 1000})
	err = c.Run()
	if !errors.Is(err, idmap.ErrNotInParent) || !errors.Is(err, os.ErrPermission) || !strings.Contains(err.Error(), "2000-2999") {
		t.Fatalf("err = %v, want ErrNotInParent and os.ErrPermission naming 2000-2999", err)
	}
}

func TestCancel(t *testing.T) {
	requireUserNS(t)
	for _, how := range []string{"fast", "stage", "newuidmap"} {
		t.Run(how, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			c := CommandContext(ctx, "/bin/sleep", "60")
			switch how {
			case "stage":
				c.NoNewPrivs = true
			case "newuidmap":
				requireNewuidmapPath(t, c)
			}
			if err := c.Start(); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			cancel()
			err := c.Wait()
			if err == nil || time.Since(start) > 10*time.Second {
				t.Fatalf("Wait after cancel = %v after %v", err, time.Since(start))
			}
			if ws, ok := c.ProcessState.Sys().(syscall.WaitStatus); !ok || ws.Signal() != syscall.SIGKILL {
				t.Errorf("child ended with %v, want SIGKILL", c.ProcessState)
			}
			if c.how.String() != how {
				t.Errorf("path %v, want %s", c.how, how)
			}
		})
	}
}

// Nothing of a command outlives Wait or a failed Start.
func TestNoLeaks(t *testing.T) {
	requireUserNS(t)
	runs := []func() error{
		func() error { return Command("/bin/true").Run() },
		func() error { c := Command("/bin/true"); c.NoNewPrivs = true; return c.Run() },
		func() error { c := Command("/nonexistent"); c.NoNewPrivs = true; return c.Run() },
		func() error {
			c := Command("/bin/true")
			c.Rlimits = map[limits.Resource]limits.Rlimit{limits.NOFILE: {Soft: limits.Unlimited, Hard: limits.Unlimited}}
			return c.Run()
		},
		func() error { c := Command("/bin/cat"); c.NoNewPrivs = true; _, err := c.Output(); return err },
	}
	probe := Command("/bin/true")
	probe.SubIDs = true
	if p, err := probe.plan(); err == nil && p.path == pathNewuidmap {
		sub := func(path string, nnp bool) func() error {
			return func() error { c := Command(path); c.SubIDs = true; c.NoNewPrivs = nnp; return c.Run() }
		}
		runs = append(runs, sub("/bin/true", false), sub("/bin/true", true), sub("/nonexistent", false), sub("/nonexistent", true))
	}
	// Warm up: lazily opened descriptors and goroutines of the runtime.
	for _, run := range runs {
		_ = run()
	}
	check := leakCheck(t)
	for range 3 {
		for _, run := range runs {
			_ = run()
		}
	}
	check()
	// No zombie children: wait4 finds none left.
	var ws syscall.WaitStatus
	if pid, err := syscall.Wait4(-1, &ws, syscall.WNOHANG, nil); !errors.Is(err, syscall.ECHILD) {
		t.Errorf("wait4 found child %d (%v): a zombie outlived Wait", pid, err)
	}
}

func TestSupported(t *testing.T) {
	probe := testenv.ProbeUserNS()
	err := Supported()
	if (err == nil) != (probe == nil) {
		t.Fatalf("Supported() = %v, but the probe says %v", err, probe)
	}
}

func TestInspect(t *testing.T) {
	requireUserNS(t)
	self, err := Inspect(0)
	if err != nil {
		t.Fatal(err)
	}
	own, _ := ownMaps()
	if self.Initial == RunningInUserNS() || self.Depth != 0 || !self.UIDMap.Equal(own[0]) || self.PID != os.Getpid() {
		t.Errorf("Inspect(0) = %+v, RunningInUserNS %v", self, RunningInUserNS())
	}
	c := Command("/bin/cat")
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	c.Stdin = r
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	r.Close()
	defer func() { w.Close(); _ = c.Wait() }()
	rep, err := Inspect(c.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	want := idmap.MustNew(idmap.Range{HostID: uint32(os.Geteuid()), Size: 1})
	if !rep.UIDMap.Equal(want) || rep.Initial || rep.Depth != 1 || rep.Namespace == self.Namespace ||
		rep.Owner != uint32(os.Geteuid()) || rep.Setgroups || rep.DepthFromInitial != self.Initial {
		t.Errorf("Inspect(child) = %+v; want map %q, depth 1, owner %d, setgroups denied", rep, want, os.Geteuid())
	}
}

// A namespace inside a namespace: what the host reads of the inner
// process's map is the inner map composed with the outer one.
func TestIntegrationNested(t *testing.T) {
	outer := Command("/proc/self/exe")
	inner := idmap.MustNew(idmap.Range{ContainerID: 0, HostID: 0, Size: 1})
	if testenv.ProbeMultiMap() == nil || (testenv.ProbeNewuidmap(65536) == nil && !RunningInUserNS()) {
		manyUIDs(t, outer)
		inner = idmap.MustNew(idmap.Range{ContainerID: 0, HostID: 0, Size: 1}, idmap.Range{ContainerID: 1, HostID: 500, Size: 1000})
	} else {
		requireUserNS(t)
	}
	outer.Env = append(os.Environ(), testenv.HelperEnv+"=nest")
	outer.Args = []string{"nest", spec(inner)}
	stdin, err := outer.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := outer.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	outer.Stderr = os.Stderr
	if err := outer.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { stdin.Close(); _ = outer.Wait() }()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the inner pid: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		t.Fatalf("helper said %q", line)
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/uid_map")
	if err != nil {
		t.Fatal(err)
	}
	seen, err := idmap.ParseProc(string(b))
	if err != nil {
		t.Fatal(err)
	}
	outerMap, _, err := outer.maps()
	if err != nil {
		t.Fatal(err)
	}
	want, err := inner.Compose(outerMap)
	if err != nil {
		t.Fatal(err)
	}
	if !seen.Equivalent(want) {
		t.Errorf("host sees the inner map as %q, want %q (inner %q over outer %q)", seen, want, inner, outerMap)
	}
	rep, err := Inspect(pid)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Depth != 2 {
		t.Errorf("inner namespace depth = %d, want 2", rep.Depth)
	}
}

// nestScript descends through unshare -r shells until unshare fails, then
// runs the "limit" helper there; $1 is the depth below the test.
const nestScript = `d=$1
if unshare -r true 2>/dev/null; then exec unshare -r sh -c "$NEST_SCRIPT" sh $((d+1)); fi
exec "$NEST_BIN" "$d"`

func TestIntegrationNestingLimit(t *testing.T) {
	requireUserNS(t)
	testenv.RequireTool(t, "unshare", "util-linux")
	self, err := os.Readlink("/proc/self/exe")
	if err != nil {
		t.Fatal(err)
	}
	// A chain of small unshare processes costs far less than one of
	// re-executed test binaries.
	cmd := exec.Command("/bin/sh", "-c", nestScript, "sh", "0")
	cmd.Env = append(os.Environ(), "NEST_SCRIPT="+nestScript, "NEST_BIN="+self, testenv.HelperEnv+"=limit")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chain: %v\n%s", err, out)
	}
	var res chainResult
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("chain said %q: %v", out, err)
	}
	t.Logf("%d levels below the test's namespace unshare failed; Start there said: %s", res.Depth, res.Err)
	if !res.Nesting || !strings.Contains(res.Err, "33 levels") {
		t.Fatalf("at depth %d Start said %q, want ErrNestingLimit naming the limit", res.Depth, res.Err)
	}
	if !RunningInUserNS() && res.Depth != 33 {
		t.Errorf("from the initial namespace the chain reached %d levels, the kernel allows 33", res.Depth)
	}
}

// ExtraFiles and Dir reach the target through the stage as they would
// through os/exec, and the stage's own descriptors and variable do not.
func TestStageExtraFilesDir(t *testing.T) {
	requireUserNS(t)
	dir := worldDir(t)
	const script = "pwd >&3; ls /proc/self/fd >&3; env | grep -c NONROOT_USERNS_STAGE >&3"
	plain := exec.Command("/bin/sh", "-c", script)
	plain.Dir = dir
	want := readFD3(t, plain, plain.Start, plain.Wait)
	c := Command("/bin/sh", "-c", script)
	c.Dir = dir
	c.NoNewPrivs = true
	got := readFD3(t, c.Cmd, c.Start, c.Wait)
	if got != want || !strings.HasPrefix(got, dir+"\n") || !strings.HasSuffix(got, "\n0\n") {
		t.Errorf("through the stage the child wrote %q to fd 3; through os/exec %q", got, want)
	}
}

// Supplementary groups are set exactly when setgroups is allowed.
func TestIntegrationGroups(t *testing.T) {
	c := Command("/usr/bin/id", "-G")
	manyUIDs(t, c)
	c.Setgroups = true
	c.UID, c.GID = 1000, 1000
	c.Groups = []uint32{10, 20}
	out, err := c.Output()
	if err != nil {
		t.Fatalf("Output: %v", err)
	}
	if got := strings.Fields(string(out)); strings.Join(got, " ") != "1000 10 20" {
		t.Errorf("id -G = %q, want 1000 10 20", out)
	}
}

func TestOutputStderr(t *testing.T) {
	requireUserNS(t)
	out, err := Command("/bin/sh", "-c", "echo out; echo err >&2; exit 3").Output()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 3 || string(ee.Stderr) != "err\n" || string(out) != "out\n" {
		t.Errorf("Output = %q, %v (stderr %q)", out, err, func() []byte {
			if ee != nil {
				return ee.Stderr
			}
			return nil
		}())
	}
	both, err := Command("/bin/sh", "-c", "echo out; echo err >&2").CombinedOutput()
	if err != nil || string(both) != "out\nerr\n" {
		t.Errorf("CombinedOutput = %q, %v", both, err)
	}
}

// Output and CombinedOutput refuse a Cmd whose output is already taken,
// and every method a Cmd not made by Command, as ErrInvalid before any
// process exists.
func TestOutputInvalid(t *testing.T) {
	c := Command("/bin/true")
	c.Stdout = io.Discard
	if _, err := c.Output(); !errors.Is(err, ErrInvalid) || c.Process != nil {
		t.Errorf("Output with Stdout set = %v (process %v), want ErrInvalid and none", err, c.Process)
	}
	c = Command("/bin/true")
	c.Stderr = io.Discard
	if _, err := c.CombinedOutput(); !errors.Is(err, ErrInvalid) || c.Process != nil {
		t.Errorf("CombinedOutput with Stderr set = %v (process %v), want ErrInvalid and none", err, c.Process)
	}
	var zero Cmd
	for name, err := range map[string]error{
		"Start": zero.Start(), "Run": zero.Run(), "Wait": zero.Wait(),
		"Output":         func() error { _, err := zero.Output(); return err }(),
		"CombinedOutput": func() error { _, err := zero.CombinedOutput(); return err }(),
	} {
		var e *Error
		if !errors.As(err, &e) || !errors.Is(err, ErrInvalid) {
			t.Errorf("zero Cmd %s = %v, want an *Error answering ErrInvalid", name, err)
		}
	}
}

// leakCheck counts this process's open descriptors and goroutines now;
// the function it returns fails t if more are left later (waiting up to
// two seconds for goroutines on their way out).
func leakCheck(t *testing.T) func() {
	t.Helper()
	fds := func() int {
		ents, err := os.ReadDir("/proc/self/fd")
		if err != nil {
			t.Fatal(err)
		}
		return len(ents)
	}
	fd0, g0 := fds(), runtime.NumGoroutine()
	return func() {
		t.Helper()
		deadline := time.Now().Add(2 * time.Second)
		for runtime.NumGoroutine() > g0 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if fd1 := fds(); fd1 != fd0 {
			t.Errorf("open descriptors %d before, %d after", fd0, fd1)
		}
		if g1 := runtime.NumGoroutine(); g1 > g0 {
			t.Errorf("goroutines %d before, %d after", g0, g1)
		}
	}
}

// useHelpers makes Start run uidHelper and gidHelper as newuidmap and
// newgidmap until the test ends.
func useHelpers(t *testing.T, uidHelper, gidHelper string) {
	saved := helperPaths
	t.Cleanup(func() { helperPaths = saved })
	helperPaths = func() ([2]string, error) { return [2]string{uidHelper, gidHelper}, nil }
}
