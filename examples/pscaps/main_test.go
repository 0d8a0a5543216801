//go:build linux

package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nonroot-go/nonroot/caps"
	"github.com/nonroot-go/nonroot/internal/testenv"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testenv.RemovePrograms()
	os.Exit(code)
}

func runPscaps(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command(testenv.Program(t, "pscaps"), args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pscaps %v: %v\n%s", args, err, stderr.Bytes())
	}
	return string(out)
}

// line returns the table line of pid, or "".
func line(out string, pid int) string {
	for l := range strings.Lines(out) {
		f := strings.Fields(l)
		if len(f) > 1 && f[1] == strconv.Itoa(pid) {
			return l
		}
	}
	return ""
}

func TestListsSelf(t *testing.T) {
	self, err := caps.Self()
	if err != nil {
		t.Fatal(err)
	}
	out := runPscaps(t, "-a")
	l := line(out, os.Getpid())
	if l == "" {
		t.Fatalf("own pid %d missing from pscaps -a:\n%s", os.Getpid(), out)
	}
	if !strings.Contains(l, " "+self.Sets.Text()+" ") && !strings.HasSuffix(strings.TrimSpace(l), self.Sets.Text()) {
		t.Errorf("own line %q lacks the sets %q", l, self.Sets.Text())
	}
	if f := strings.Fields(l); f[0] != strconv.Itoa(os.Getppid()) || strings.HasSuffix(f[3], "*") {
		t.Errorf("own line %q: want ppid %d and no namespace mark", l, os.Getppid())
	}

	// JSON carries the same sets.
	found := false
	sc := bufio.NewScanner(strings.NewReader(runPscaps(t, "-a", "-json")))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var p caps.Process
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			t.Fatalf("%v: %s", err, sc.Bytes())
		}
		if p.Pid == os.Getpid() {
			found = true
			if p.Sets != self.Sets || p.Namespace.Relation != caps.Same {
				t.Errorf("json %+v, Self %+v", p, self)
			}
		}
	}
	if !found {
		t.Errorf("own pid missing from -json")
	}
}

func TestFilterByCapability(t *testing.T) {
	self, err := caps.Self()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"sys_admin", "CAP_CHOWN", "NET_RAW,kill"} {
		want, _ := caps.Parse(name)
		out := runPscaps(t, "-a", "-cap", name)
		if got := line(out, os.Getpid()) != ""; got != self.Effective.HasAll(want) {
			t.Errorf("-cap %s: own pid listed %v, own effective set %v", name, got, self.Effective)
		}
		// Every line listed holds the capability (checked through Of).
		for l := range strings.Lines(out) {
			f := strings.Fields(l)
			if len(f) < 2 {
				continue
			}
			pid, err := strconv.Atoi(f[1])
			if err != nil {
				continue
			}
			if p, err := caps.Of(pid); err == nil && !p.Effective.HasAll(want) {
				t.Errorf("-cap %s listed pid %d whose effective set is %v", name, pid, p.Effective)
			}
		}
	}
	cmd := exec.Command(testenv.Program(t, "pscaps"), "-cap", "no_such_cap")
	if err := cmd.Run(); err == nil {
		t.Errorf("an unknown capability was accepted")
	}
}

func TestMarksOtherNamespace(t *testing.T) {
	testenv.Require(t, testenv.UserNS, testenv.ProbeUserNS())
	cmd := exec.Command("sleep", "60")
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags:  syscall.CLONE_NEWUSER,
		UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Geteuid(), Size: 1}},
		GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getegid(), Size: 1}},
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	pid := cmd.Process.Pid
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(2 * time.Millisecond) {
		if b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/comm"); strings.TrimSpace(string(b)) == "sleep" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("child never ran sleep")
		}
	}
	out := runPscaps(t)
	l := line(out, pid)
	if l == "" {
		t.Fatalf("the namespace root (all capabilities inside) is missing:\n%s", out)
	}
	if !strings.Contains(l, "sleep*") || !strings.Contains(l, "below(1)") || !strings.Contains(out, "* capabilities of another user namespace") {
		t.Errorf("line %q lacks the mark of another namespace", l)
	}
	// It is listed under the caller's uid, not as root.
	if f := strings.Fields(l); f[2] == "root" && os.Geteuid() != 0 {
		t.Errorf("namespace root shown as host root: %q", l)
	}
}
