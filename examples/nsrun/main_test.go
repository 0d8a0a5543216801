//go:build linux

package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/nonroot-go/nonroot/caps"
	"github.com/nonroot-go/nonroot/idmap"
	"github.com/nonroot-go/nonroot/internal/testenv"
	"github.com/nonroot-go/nonroot/limits"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testenv.RemovePrograms()
	os.Exit(code)
}

// nsrun runs the program (testenv.Program) and returns its stdout, stderr and exit status.
func nsrun(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	bin := testenv.Program(t, "nsrun")
	var o, e bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("running nsrun: %v", err)
	}
	return o.String(), e.String(), code
}

// mustRun runs nsrun and fails the test unless it exits 0.
func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	out, errOut, code := nsrun(t, args...)
	if code != 0 {
		t.Fatalf("nsrun %q: exit status %d\nstdout: %s\nstderr: %s", args, code, out, errOut)
	}
	return out
}

func TestMapRootUser(t *testing.T) {
	testenv.Require(t, testenv.UserNS, testenv.ProbeUserNS())
	if out := mustRun(t, "--map-root-user", "--", "id", "-u"); out != "0\n" {
		t.Fatalf("nsrun --map-root-user -- id -u printed %q, want 0", out)
	}
	if out := mustRun(t, "-r", "id", "-u"); out != "0\n" {
		t.Fatalf("nsrun -r id -u printed %q, want 0", out)
	}
}

// wideHost returns the first host uid of a 65536-wide range the caller
// may map: 100000 for real root, else the start of its subordinate range.
func wideHost(t *testing.T) uint32 {
	t.Helper()
	if testenv.ProbeMultiMap() == nil {
		return 100000
	}
	testenv.Require(t, testenv.Newuidmap, testenv.ProbeNewuidmap(65536))
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	rs, err := idmap.LookupSubUIDs(u.Username)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if r.Count >= 65536 {
			return r.Start
		}
	}
	t.Fatalf("ProbeNewuidmap found a range for %s, idmap.LookupSubUIDs none: %v", u.Username, rs)
	return 0
}

// sharedDir is a directory any uid may create files in.
func sharedDir(t *testing.T) string {
	t.Helper()
	d, err := os.MkdirTemp("", "nsrun-shared-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	if err := os.Chmod(d, 0o1777); err != nil {
		t.Fatal(err)
	}
	return d
}

// TestUIDMapWide: the podman form, as root directly and as an ordinary
// user through newuidmap, with a map that leaves the caller's own uid out.
// The file the command creates shows, from here, whose it really is; the
// command's own uid_map and gid_map show the map asked for, as the kernel
// shows a namespace's map to its own members relative to its parent: the
// caller's namespace, with nothing in between.
func TestUIDMapWide(t *testing.T) {
	host := wideHost(t)
	dir := sharedDir(t)
	f := filepath.Join(dir, "made-inside")
	m := fmt.Sprintf("0:%d:65536", host)
	out := mustRun(t, "--uidmap", m, "--", "sh", "-c", "id -u; id -g; touch "+f+"; echo; cat /proc/self/uid_map; echo; cat /proc/self/gid_map")
	parts := strings.Split(out, "\n\n")
	if len(parts) != 3 || parts[0] != "0\n0" {
		t.Fatalf("nsrun --uidmap %s -- sh -c 'id -u; id -g; ...' printed %q, want 0 and 0, then the uid and gid maps", m, out)
	}
	var st syscall.Stat_t
	if err := syscall.Stat(f, &st); err != nil {
		t.Fatal(err)
	}
	if st.Uid != host || st.Gid != host {
		t.Fatalf("a file made by uid 0 inside --uidmap %s is owned by %d:%d here, want %d:%d", m, st.Uid, st.Gid, host, host)
	}
	want, err := idmap.ParsePodman(m)
	if err != nil {
		t.Fatal(err)
	}
	for i, name := range []string{"uid_map", "gid_map"} {
		got, err := idmap.ParseProc(parts[i+1])
		if err != nil {
			t.Fatalf("inside, /proc/self/%s: %v", name, err)
		}
		if !got.Equivalent(want) {
			t.Errorf("inside --uidmap %s, /proc/self/%s reads %q, want %q", m, name, got.String(), want.String())
		}
	}
}

// TestUIDMapRepeated: --uidmap given twice, one extent in podman's @host
// form, and a command run as uid 1 inside, which is host uid H+1.
func TestUIDMapRepeated(t *testing.T) {
	host := wideHost(t)
	dir := sharedDir(t)
	f := filepath.Join(dir, "made-by-uid-1")
	mustRun(t, "--uidmap", fmt.Sprintf("0:@%d:1", host), "--uidmap", fmt.Sprintf("1:%d:65535", host+1),
		"-u", "1:1", "--", "touch", f)
	var st syscall.Stat_t
	if err := syscall.Stat(f, &st); err != nil {
		t.Fatal(err)
	}
	if st.Uid != host+1 || st.Gid != host+1 {
		t.Fatalf("a file made by 1:1 inside is owned by %d:%d here, want %d:%d", st.Uid, st.Gid, host+1, host+1)
	}
}

func TestUserAndCaps(t *testing.T) {
	host := wideHost(t)
	m := fmt.Sprintf("0:%d:65536", host)
	out := mustRun(t, "--uidmap", m, "-u", "1000:1000", "--cap-drop", "ALL", "--cap-add", "NET_BIND_SERVICE", "--", "cat", "/proc/self/status")
	p, err := caps.ParseStatus([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	want := caps.MustParse("NET_BIND_SERVICE")
	if p.Uid.Real != 1000 || p.Gid.Real != 1000 {
		t.Errorf("inside: uid %d gid %d, want 1000:1000", p.Uid.Real, p.Gid.Real)
	}
	if p.Effective != want || p.Ambient != want || p.Bounding != want {
		t.Errorf("inside: effective %s, ambient %s, bounding %s; want %s in each", p.Effective, p.Ambient, p.Bounding, want)
	}
}

func TestCapDropAll(t *testing.T) {
	testenv.Require(t, testenv.UserNS, testenv.ProbeUserNS())
	out := mustRun(t, "--cap-drop", "ALL", "--", "cat", "/proc/self/status")
	p, err := caps.ParseStatus([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	if !p.Effective.IsEmpty() || !p.Permitted.IsEmpty() || !p.Bounding.IsEmpty() {
		t.Fatalf("with --cap-drop ALL: CapEff %s, CapPrm %s, CapBnd %s; want all empty", p.Effective.Mask(), p.Permitted.Mask(), p.Bounding.Mask())
	}
	out = mustRun(t, "--docker-caps", "--", "cat", "/proc/self/status")
	if p, err = caps.ParseStatus([]byte(out)); err != nil {
		t.Fatal(err)
	}
	if p.Effective != caps.DockerDefault {
		t.Fatalf("with --docker-caps: CapEff %s, want %s", p.Effective.Mask(), caps.DockerDefault.Mask())
	}
}

func TestUlimit(t *testing.T) {
	testenv.Require(t, testenv.UserNS, testenv.ProbeUserNS())
	have, err := limits.Get(0, limits.NPROC)
	if err != nil {
		t.Fatal(err)
	}
	if have.Hard < 200 {
		t.Skipf("the caller's hard RLIMIT_NPROC is %d, below 200, and only CAP_SYS_RESOURCE can raise it", have.Hard)
	}
	out := mustRun(t, "--ulimit", "nproc=100:200", "--ulimit", "nofile=64", "--", "cat", "/proc/self/limits")
	got, err := limits.ParseProcLimits([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	if l := got[limits.NPROC]; l != (limits.Rlimit{Soft: 100, Hard: 200}) {
		t.Errorf("inside, /proc/self/limits shows nproc %s, want 100:200", l)
	}
	if l := got[limits.NOFILE]; l != (limits.Rlimit{Soft: 64, Hard: 64}) {
		t.Errorf("inside, /proc/self/limits shows nofile %s, want 64:64", l)
	}
}

func TestNoNewPrivileges(t *testing.T) {
	testenv.Require(t, testenv.UserNS, testenv.ProbeUserNS())
	out := mustRun(t, "--no-new-privileges", "--", "cat", "/proc/self/status")
	p, err := caps.ParseStatus([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	if !p.NoNewPrivs {
		t.Fatal("with --no-new-privileges, /proc/self/status inside says NoNewPrivs 0")
	}
}

func TestMapAuto(t *testing.T) {
	testenv.Require(t, testenv.Newuidmap, testenv.ProbeNewuidmap(1))
	out := mustRun(t, "--map-auto", "--", "cat", "/proc/self/uid_map")
	m, err := idmap.ParseProc(out)
	if err != nil {
		t.Fatal(err)
	}
	if h, ok := m.ToHost(0); !ok || int(h) != os.Geteuid() || m.Len() < 2 {
		t.Fatalf("--map-auto gave the map %q; want 0 mapped to the caller's uid %d and its subordinate ranges after", m.String(), os.Geteuid())
	}
}

func TestExitStatus(t *testing.T) {
	testenv.Require(t, testenv.UserNS, testenv.ProbeUserNS())
	if _, _, code := nsrun(t, "--", "sh", "-c", "exit 7"); code != 7 {
		t.Errorf("nsrun -- sh -c 'exit 7' exited %d", code)
	}
	if _, _, code := nsrun(t, "--", "sh", "-c", "kill -TERM $$"); code != 128+int(syscall.SIGTERM) {
		t.Errorf("a command killed by SIGTERM: nsrun exited %d, want %d", code, 128+int(syscall.SIGTERM))
	}
	if _, errOut, code := nsrun(t, "--", "/nonexistent/command"); code != 127 || strings.Count(errOut, "\n") != 1 {
		t.Errorf("nsrun -- /nonexistent/command exited %d with %q; want 127 and one line", code, errOut)
	}
}

// TestBadUsage: every mistake is one line on stderr and a non-zero exit,
// before anything runs.
func TestBadUsage(t *testing.T) {
	for _, args := range [][]string{
		{"--no-such-flag", "--", "id"},
		{"--uidmap", "0:x:1", "--", "id"},
		{"--uidmap", "0:100000:0", "--", "id"},
		{"--gidmap", "0:100000:1", "--", "id"},
		{"--uidmap", "0:100000:10", "--map-root-user", "--", "id"},
		{"--cap-add", "NOT_A_CAP", "--", "id"},
		{"--ulimit", "nproc", "--", "id"},
		{"--ulimit", "nosuch=1", "--", "id"},
		{"--ulimit", "nproc=200:100", "--", "id"},
		{"-u", "bob", "--", "id"},
		{},
	} {
		out, errOut, code := nsrun(t, args...)
		if code == 0 || out != "" || strings.Count(errOut, "\n") != 1 || !strings.HasPrefix(errOut, "nsrun: ") {
			t.Errorf("nsrun %q: exit %d, stdout %q, stderr %q; want a non-zero exit and one line on stderr", args, code, out, errOut)
		}
	}
	if out, _, code := nsrun(t, "--help"); code != 0 || !strings.Contains(out, "--uidmap") {
		t.Errorf("nsrun --help: exit %d, output %q", code, out)
	}
}
