//go:build linux

package userns

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nonroot-go/nonroot/internal/testenv"
)

// probeScript prints what the kernel says of the process running it:
// its parent-death signal, whether it is dumpable, its effective
// capabilities and no_new_privs.
const probeScript = `import ctypes
libc = ctypes.CDLL(None, use_errno=True)
sig = ctypes.c_int()
libc.prctl(2, ctypes.byref(sig), 0, 0, 0)
dumpable = libc.prctl(3, 0, 0, 0, 0)
status = dict(l.split(":\t", 1) for l in open("/proc/self/status").read().splitlines() if ":\t" in l)
print(sig.value, dumpable, status["CapEff"].strip(), status["NoNewPrivs"].strip())
`

// On the newuidmap path the stage execs before the maps exist; the
// target, run as the namespace's root, must still keep its parent-death
// signal, get root's capabilities under no_new_privs, and may chroot.
func TestNewuidmapPathKeepsWhatTheStageSets(t *testing.T) {
	python := testenv.RequireTool(t, "python3", "python3")
	requireNewuidmapPath(t, Command(python))
	all := fmt.Sprintf("%016x", uint64(allCaps()))
	for _, tc := range []struct {
		name string
		set  func(c *Cmd)
		want string
	}{
		{"Pdeathsig", func(c *Cmd) { c.Pdeathsig = syscall.SIGKILL }, "9 1 " + all + " 0"},
		{"SysProcAttr.Pdeathsig", func(c *Cmd) { c.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM} }, "15 1 " + all + " 0"},
		{"NoNewPrivs", func(c *Cmd) { c.NoNewPrivs = true }, "0 1 " + all + " 1"},
		{"Chroot", func(c *Cmd) { c.SysProcAttr = &syscall.SysProcAttr{Chroot: "/"} }, "0 1 " + all + " 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := Command(python, "-c", probeScript)
			c.SubIDs = true
			tc.set(c)
			out, err := c.CombinedOutput()
			if err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			if got := strings.TrimSpace(string(out)); got != tc.want {
				t.Errorf("pdeathsig, dumpable, CapEff, NoNewPrivs = %q, want %q (path %v)", got, tc.want, c.how)
			}
		})
	}
}

// A context cancelled while newuidmap runs ends Start with the
// context's error, not the helper's.
func TestNewuidmapPathCancelled(t *testing.T) {
	requireNewuidmapPath(t, Command("/bin/true"))
	// A helper that takes its time: newuidmap under a wrapper that
	// sleeps first, found through the helpers' look-up.
	real, err := helperPaths()
	if err != nil {
		t.Fatal(err)
	}
	slow := filepath.Join(t.TempDir(), "slow")
	script := "#!/bin/sh\nsleep 5\nexec " + real[0] + " \"$@\"\n"
	if err := os.WriteFile(slow, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	useHelpers(t, slow, real[1])
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	c := CommandContext(ctx, "/bin/true")
	c.SubIDs = true
	err = c.Start()
	if !errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "subuid") {
		t.Fatalf("Start cancelled during newuidmap: %v; want context.DeadlineExceeded, without the helper's hint", err)
	}
}

// The shell stage ends in env(1), whose execvp would run a file that is
// neither ELF nor "#!" through /bin/sh; such a file must fail as os/exec
// fails it, with ENOEXEC.
func TestNewuidmapPathNoScriptWithoutShebang(t *testing.T) {
	requireNewuidmapPath(t, Command("/bin/true"))
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	marker := filepath.Join(dir, "ran")
	if err := os.WriteFile(data, []byte("touch "+marker+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{data, "./data"} {
		c := Command(name)
		c.Dir = dir
		c.SubIDs = true
		err := c.Run()
		if _, serr := os.Stat(marker); serr == nil {
			t.Fatalf("%s ran as a shell script (err %v)", name, err)
		}
		if !errors.Is(err, syscall.ENOEXEC) {
			t.Errorf("%s: %v, want ENOEXEC", name, err)
		}
	}
}

// A Cmd without Args runs its target with argv[0] = Path, as os/exec
// does, on the Go stage too.
func TestEmptyArgsOnTheGoStage(t *testing.T) {
	requireUserNS(t)
	c := &Cmd{Cmd: &exec.Cmd{Path: "/bin/sh", Stdin: strings.NewReader("echo $0\n")}, NoNewPrivs: true}
	out, err := c.Output()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(out)); got != "/bin/sh" || c.how != pathStage {
		t.Fatalf("argv[0] = %q on path %v, want /bin/sh on the Go stage", got, c.how)
	}
}
