package main

import (
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/nonroot-go/nonroot/internal/testenv"
	"github.com/nonroot-go/nonroot/limits"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testenv.RemovePrograms()
	os.Exit(code)
}

const fixture = "../../limits/testdata/root"

func runExample(t *testing.T, args ...string) (string, error) {
	t.Helper()
	out, err := exec.Command(testenv.Program(t, "limits"), args...).CombinedOutput()
	return string(out), err
}

func row(t *testing.T, out, item string) []string {
	t.Helper()
	for line := range strings.Lines(out) {
		f := strings.Fields(line)
		if len(f) > 3 && f[0] == item {
			return f
		}
	}
	t.Fatalf("no %s row in:\n%s", item, out)
	return nil
}

func TestExplainsAUser(t *testing.T) {
	out, err := runExample(t, "-root", fixture, "-user", "alice", "-flavor", "upstream")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{
		"user alice: uid 1000, gid 1000, groups alice docker ci",
		"pam_limits flavour: upstream",
		"/etc/security/limits.d/10-bad.conf:2: unknown item \"nofiles\"",
		"/etc/security/limits.d/90-ci.conf:5 \"* - nproc 1024\": the soft limit was set by a more specific line at /etc/security/limits.conf:7",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	nproc := strings.Join(row(t, out, "nproc"), " ")
	if !strings.HasPrefix(nproc, "nproc 2048 8192 /etc/security/limits.conf:7 (alice soft nproc 2048) /etc/security/limits.conf:6") {
		t.Errorf("nproc row: %s", nproc)
	}
	if cpu := row(t, out, "cpu"); cpu[1] != "36000" || cpu[3] != "/etc/security/limits.d/90-ci.conf:4" {
		t.Errorf("cpu row: %v", cpu)
	}
	if !strings.Contains(out, "nproc limit: 2048 for a new session") {
		t.Errorf("no nproc limit line:\n%s", out)
	}
}

func TestDebianRootAndExemption(t *testing.T) {
	out, err := runExample(t, "-root", fixture, "-user", "root", "-flavor", "debian")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if core := row(t, out, "core"); core[3] != "PID" {
		t.Errorf("Debian leaves root's core alone, row %v", core)
	}
	if !strings.Contains(out, "/etc/security/limits.conf:3 \"* soft core 0\": Debian's pam_limits leaves root alone for * lines") {
		t.Errorf("no explanation for root:\n%s", out)
	}
	// PID 1's hard nofile (the live system's) may be below 65536.
	nofile := strings.Join(row(t, out, "nofile"), " ")
	if !strings.HasPrefix(nofile, "nofile 65536 ") && !strings.Contains(nofile, "(lowered to hard)") || !strings.Contains(nofile, "/etc/security/limits.conf:8 (root soft nofile 65536)") {
		t.Errorf("root nofile: %s", nofile)
	}
	out, err = runExample(t, "-root", fixture, "-user", "bob")
	if err != nil || !strings.Contains(out, "exempt: \"bob -\" at /etc/security/limits.d/90-ci.conf:6") {
		t.Errorf("bob: %v\n%s", err, out)
	}
}

// TestCountsTheCaller runs the example on the running system for the
// caller's own uid, which has at least the example itself running.
func TestCountsTheCaller(t *testing.T) {
	out, err := runExample(t)
	if err != nil && strings.Contains(out, "user not found") {
		t.Skipf("uid %d is not in /etc/passwd (add it, or run as a user it lists): %s", os.Getuid(), out)
	}
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	m := regexp.MustCompile(`nproc use: uid (\d+) has (\d+) tasks in (\d+) processes`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no nproc use line:\n%s", out)
	}
	tasks, _ := strconv.Atoi(m[2])
	if m[1] != strconv.Itoa(os.Getuid()) || tasks < 1 {
		t.Errorf("caller's use %q, want uid %d with at least one task", m[0], os.Getuid())
	}
}

func TestUnknownUser(t *testing.T) {
	out, err := runExample(t, "-root", fixture, "-user", "mallory")
	if err == nil || !strings.Contains(out, "user not found") {
		t.Errorf("mallory: %v\n%s", err, out)
	}
}

// TestExplainsAProcess gives a child of ours a known RLIMIT_NPROC and
// asks the example about it.
func TestExplainsAProcess(t *testing.T) {
	cmd := exec.Command("sleep", "300")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	pid := cmd.Process.Pid
	cur, err := limits.Get(pid, limits.NPROC)
	if err != nil {
		t.Fatal(err)
	}
	want := limits.Rlimit{Soft: min(cur.Hard, 5000) / 2, Hard: min(cur.Hard, 5000)}
	if err := limits.Set(pid, limits.NPROC, want); err != nil {
		t.Fatal(err)
	}
	out, err := runExample(t, "-pid", strconv.Itoa(pid))
	if err != nil && strings.Contains(out, "user not found") {
		t.Skipf("uid %d is not in /etc/passwd (add it, or run as a user it lists): %s", os.Getuid(), out)
	}
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.Contains(out, fmt.Sprintf("process %d (real uid %d)", pid, os.Getuid())) || !strings.Contains(out, "  nproc "+want.String()+"\n") {
		t.Errorf("no limits of pid %d (want nproc %v):\n%s", pid, want, out)
	}
	m := regexp.MustCompile(`nproc: (\d+) tasks charged to uid \d+, headroom (\d+) under its soft limit (\d+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no headroom line:\n%s", out)
	}
	charged, _ := strconv.ParseUint(m[1], 10, 64)
	room, _ := strconv.ParseUint(m[2], 10, 64)
	if m[3] != strconv.FormatUint(want.Soft, 10) || charged < 2 || room != max(want.Soft, charged)-charged {
		t.Errorf("headroom line %q: want %d - charged", m[0], want.Soft)
	}
	if !strings.Contains(out, "open files: ") {
		t.Errorf("no open files line:\n%s", out)
	}
}
