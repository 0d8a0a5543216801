//go:build linux

package userns

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nonroot-go/nonroot/internal/testenv"
)

func init() {
	testenv.Helper("disabled", helperDisabled)
	testenv.Helper("nohelper", helperNoHelper)
	testenv.Helper("pdeath", helperPdeath)
	testenv.Helper("cwd", func([]string) int {
		wd, err := os.Getwd()
		if err != nil {
			fmt.Println(err)
			return 1
		}
		fmt.Println(wd)
		return 0
	})
}

type kindResult struct {
	Setup     string `json:"setup,omitempty"`
	Supported string `json:"supported"`
	Start     string `json:"start"`
	Is        bool   `json:"is"`
	SupIs     bool   `json:"sup_is"`
}

// helperDisabled runs as root of a namespace, sets that namespace's own
// user.max_user_namespaces to 0 (the ucount sysctls are per namespace,
// writable by its root) and reports what Supported and Start say.
func helperDisabled([]string) int {
	var res kindResult
	if err := os.WriteFile("/proc/sys/user/max_user_namespaces", []byte("0"), 0); err != nil {
		res.Setup = err.Error()
	} else {
		sup := Supported()
		res.Supported, res.SupIs = fmt.Sprint(sup), errors.Is(sup, ErrDisabled)
		err := Command("/bin/true").Run()
		res.Start, res.Is = fmt.Sprint(err), errors.Is(err, ErrDisabled)
	}
	_ = json.NewEncoder(os.Stdout).Encode(res)
	return 0
}

func TestIntegrationDisabled(t *testing.T) {
	requireUserNS(t)
	c := Command("/proc/self/exe")
	c.Env = append(os.Environ(), testenv.HelperEnv+"=disabled")
	out, err := c.Output()
	if err != nil {
		t.Fatalf("helper: %v", err)
	}
	var res kindResult
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("helper said %q", out)
	}
	if res.Setup != "" {
		t.Fatalf("setting the namespace's user.max_user_namespaces: %s", res.Setup)
	}
	if !res.Is || !strings.Contains(res.Start, "sysctl") || !res.SupIs {
		t.Errorf("with user.max_user_namespaces=0: Start = %s, Supported = %s; want ErrDisabled naming the sysctl", res.Start, res.Supported)
	}
}

// helperNoHelper looks for newuidmap on an empty PATH.
func helperNoHelper([]string) int {
	os.Setenv("PATH", "/nonexistent")
	c := Command("/bin/true")
	c.SubIDs = true
	err := c.Run()
	_ = json.NewEncoder(os.Stdout).Encode(kindResult{Start: fmt.Sprint(err), Is: errors.Is(err, ErrNoHelper)})
	return 0
}

func TestNoHelper(t *testing.T) {
	requireUserNS(t)
	c := Command("/bin/true")
	c.SubIDs = true
	p, err := c.plan()
	if err == nil && p.path != pathNewuidmap {
		err = fmt.Errorf("the caller writes maps directly (path %v)", p.path)
	}
	testenv.Require(t, featureNewuidmapPath, err)
	out, err := testenv.Command("nohelper").Output()
	if err != nil {
		t.Fatal(err)
	}
	var res kindResult
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("helper said %q", out)
	}
	if !res.Is || !strings.Contains(res.Start, "install the uidmap package") {
		t.Errorf("without newuidmap on PATH: %s; want ErrNoHelper saying to install uidmap", res.Start)
	}
}

// helperPdeath starts sleep with Pdeathsig SIGKILL, prints its pid and
// exits without waiting for it.
func helperPdeath(args []string) int {
	c := Command("/bin/sleep", "60")
	c.Pdeathsig = syscall.SIGKILL
	if len(args) > 0 && args[0] == "uid" {
		c.SubIDs = os.Getenv("PDEATH_SUBIDS") != ""
		c.UIDMap, _ = parseSpec(os.Getenv("PDEATH_MAP"))
		c.GIDMap = c.UIDMap
		c.UID, c.GID = 1000, 1000
	}
	c.NoNewPrivs = true
	if err := c.Start(); err != nil {
		fmt.Println("error:", err)
		return 1
	}
	fmt.Println(c.Process.Pid)
	return 0
}

// The child dies with the thread that started it, also after the stage
// changed its uid, which clears the parent-death signal.
func TestIntegrationPdeathsig(t *testing.T) {
	requireUserNS(t)
	for _, uid := range []bool{false, true} {
		t.Run(fmt.Sprint("uid change ", uid), func(t *testing.T) {
			cmd := testenv.Command("pdeath")
			if uid {
				probe := Command("/bin/true")
				manyUIDs(t, probe)
				cmd.Args = append(cmd.Args, "uid")
				if probe.SubIDs {
					cmd.Env = append(cmd.Env, "PDEATH_SUBIDS=1")
				} else {
					cmd.Env = append(cmd.Env, "PDEATH_MAP="+spec(probe.UIDMap))
				}
			}
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			line, _ := bufio.NewReader(stdout).ReadString('\n')
			_, _ = io.Copy(io.Discard, stdout)
			if err := cmd.Wait(); err != nil {
				t.Fatalf("helper: %v: %s", err, line)
			}
			pid, err := strconv.Atoi(strings.TrimSpace(line))
			if err != nil {
				t.Fatalf("helper said %q", line)
			}
			deadline := time.Now().Add(5 * time.Second)
			for {
				b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
				if err != nil || strings.Contains(string(b), ") Z ") {
					return // gone or a zombie of its new parent: killed
				}
				if time.Now().After(deadline) {
					syscall.Kill(pid, syscall.SIGKILL)
					t.Fatalf("child %d still runs 5s after its parent exited: %s", pid, b)
				}
				time.Sleep(10 * time.Millisecond)
			}
		})
	}
}

// SysProcAttr.Chroot works on every path: Go's own on the fast path, the
// stage's after it started from /proc/self/exe otherwise.
func TestIntegrationChroot(t *testing.T) {
	requireUserNS(t)
	root := worldDir(t)
	self, err := os.ReadFile("/proc/self/exe")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(root+"/t.test", self, 0o755); err != nil {
		t.Fatal(err)
	}
	// A cgo-linked test binary needs its loader and libraries in the root.
	exe, err := os.Readlink("/proc/self/exe")
	if err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("ldd", exe).Output(); err == nil {
		for _, f := range strings.Fields(string(out)) {
			if !strings.HasPrefix(f, "/") {
				continue
			}
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.MkdirAll(root+filepath.Dir(f), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(root+f, b, 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := os.Mkdir(root+"/sub", 0o755); err != nil {
		t.Fatal(err)
	}
	for _, nnp := range []bool{false, true} {
		c := Command("/t.test")
		c.Env = []string{testenv.HelperEnv + "=cwd"}
		c.SysProcAttr = &syscall.SysProcAttr{Chroot: root}
		c.Dir = "/sub"
		c.NoNewPrivs = nnp
		out, err := c.Output()
		if err != nil {
			t.Fatalf("nnp=%v: %v", nnp, err)
		}
		if string(out) != "/sub\n" {
			t.Errorf("nnp=%v (path %v): child's cwd %q, want /sub inside the new root", nnp, c.how, out)
		}
	}
}

// TestHelperFailsAfterChild: when newuidmap or newgidmap fails once the
// child exists, Start kills and reaps the child and leaves no descriptor
// or goroutine behind. The failure is real: the gid map is handed to a
// second newuidmap, so two helpers race to write the one uid_map the
// kernel takes once, and the gid_map stays unwritten.
func TestHelperFailsAfterChild(t *testing.T) {
	requireNewuidmapPath(t, Command("/bin/sleep", "60"))
	real, err := helperPaths()
	if err != nil {
		t.Fatal(err)
	}
	useHelpers(t, real[0], real[0])
	check := leakCheck(t)
	for range 3 {
		c := Command("/bin/sleep", "60")
		c.SubIDs = true
		err := c.Start()
		var e *Error
		if !errors.As(err, &e) || e.Pid <= 0 || !strings.Contains(e.Op, real[0]) {
			t.Fatalf("Start with a failing helper = %v; want an *Error naming %s and the child's pid", err, real[0])
		}
		if c.ProcessState == nil {
			t.Fatal("the child was not waited for")
		}
		// Killed, or the stage saw its go-ahead pipe close first and
		// gave up (125) before the kill: either way the command never ran.
		if ws, ok := c.ProcessState.Sys().(syscall.WaitStatus); !ok || ws.Signal() != syscall.SIGKILL && ws.ExitStatus() != 125 {
			t.Errorf("child ended with %v, want SIGKILL or the stage's exit status 125", c.ProcessState)
		}
		if err := syscall.Kill(e.Pid, 0); !errors.Is(err, syscall.ESRCH) {
			t.Errorf("child %d still exists after the failed Start (kill 0: %v)", e.Pid, err)
		}
	}
	check()
}
