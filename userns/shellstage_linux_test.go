//go:build linux

package userns

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/nonroot-go/nonroot/internal/testenv"
)

// requireNewuidmapPath skips unless c (with SubIDs) takes the newuidmap
// path, and returns the plan.
func requireNewuidmapPath(t *testing.T, c *Cmd) *plan {
	t.Helper()
	requireUserNS(t)
	c.SubIDs = true
	p, err := c.plan()
	if err == nil && p.path != pathNewuidmap {
		err = fmt.Errorf("the caller writes maps directly (path %v)", p.path)
	}
	if err == nil && RunningInUserNS() {
		err = fmt.Errorf("inside a user namespace newuidmap is not setuid")
	}
	testenv.Require(t, featureNewuidmapPath, err)
	return p
}

// The shell stage is used only where the target cannot tell it from the
// Go stage: argv[0] stays what Args[0] says either way.
func TestShellStageArgv0(t *testing.T) {
	for _, tc := range []struct {
		name  string
		shell bool
	}{{"/bin/cat", true}, {"cat", false}} {
		c := Command(tc.name, "/proc/self/cmdline")
		p := requireNewuidmapPath(t, c)
		if p.shell != tc.shell {
			t.Errorf("%s: shell stage %v, want %v", tc.name, p.shell, tc.shell)
		}
		out, err := c.Output()
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := strings.Split(string(out), "\x00")[0]; got != tc.name {
			t.Errorf("argv[0] = %q, want %q", got, tc.name)
		}
	}
}

func init() {
	testenv.Helper("hello", func([]string) int { fmt.Println("hello"); return 0 })
}

// /proc/self/exe names the caller's program, not the shell that would run
// the stage.
func TestShellStageSelfExe(t *testing.T) {
	c := Command("/proc/self/exe")
	c.Env = append(os.Environ(), testenv.HelperEnv+"=hello")
	if p := requireNewuidmapPath(t, c); p.shell {
		t.Error("/proc/self/exe would go through the shell stage")
	}
	out, err := c.Output()
	if err != nil || string(out) != "hello\n" {
		t.Errorf("helper through the newuidmap path: %q, %v", out, err)
	}
}

func TestShellStageExecFailure(t *testing.T) {
	for _, tc := range []struct {
		path string
		want error
	}{{"/nonexistent/program", fs.ErrNotExist}, {"/etc/passwd", fs.ErrPermission}} {
		c := Command(tc.path)
		if p := requireNewuidmapPath(t, c); !p.shell {
			t.Fatalf("%s: not the shell stage", tc.path)
		}
		var stderr strings.Builder
		c.Stderr = &stderr
		err := c.Run()
		var pe *os.PathError
		if !errors.Is(err, tc.want) || !errors.As(err, &pe) || pe.Path != tc.path {
			t.Errorf("%s: Run = %v, want %v naming the path", tc.path, err, tc.want)
		}
		if stderr.Len() > 0 {
			t.Errorf("%s: the stage wrote to the command's stderr: %q", tc.path, stderr.String())
		}
	}
}

// The target sees the same descriptors, directory and environment, in the
// same order, through either stage as through os/exec.
func TestShellStageFiles(t *testing.T) {
	const script = "pwd >&3; ls /proc/self/fd >&3; env >&3"
	envs := map[string][]string{
		"inherited": nil,
		"odd names": {"B=2", "A.B=1", "C-D=x y", "A=1", "B=3", "EMPTY="},
		"option":    {"-i=1", "X=1"},
	}
	for name, env := range envs {
		for _, nnp := range []bool{false, true} {
			t.Run(fmt.Sprint(name, " nnp=", nnp), func(t *testing.T) {
				c := Command("/bin/sh", "-c", script)
				requireNewuidmapPath(t, c)
				c.Env, c.NoNewPrivs, c.Dir = env, nnp, "/usr"
				if p, _ := c.plan(); p.shell != (!nnp && name != "option") {
					t.Errorf("shell stage %v", p.shell)
				}
				checkSameAsExec(t, c, script)
			})
		}
	}
}

func checkSameAsExec(t *testing.T, c *Cmd, script string) {
	t.Helper()
	got := readFD3(t, c.Cmd, c.Start, c.Wait)
	plain := exec.Command("/bin/sh", "-c", script)
	plain.Env, plain.Dir = c.Env, c.Dir
	want := readFD3(t, plain, plain.Start, plain.Wait)
	if got != want {
		t.Errorf("through the shell stage:\n%s\nthrough os/exec:\n%s", got, want)
	}
}

// readFD3 starts cmd with start, a pipe as its descriptor 3, and returns
// what it wrote there until wait.
func readFD3(t *testing.T, cmd *exec.Cmd, start, wait func() error) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cmd.ExtraFiles = []*os.File{w}
	if err := start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	out, _ := io.ReadAll(r)
	_ = wait()
	return string(out)
}
