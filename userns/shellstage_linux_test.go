//go:build linux

package userns

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
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

// featureELFStage: this architecture has the ELF stage and the kernel
// executes it from a sealed memfd.
const featureELFStage = "userns-elf-stage"

// forEachWaitStage runs f once with the ELF stage and once with the shell
// stage, the two stages of a newuidmap path where the child only waits.
func forEachWaitStage(t *testing.T, f func(t *testing.T, elf bool)) {
	for _, elf := range []bool{true, false} {
		t.Run(map[bool]string{true: "elf", false: "shell"}[elf], func(t *testing.T) {
			if elf {
				_, err := elfStage()
				testenv.Require(t, featureELFStage, err)
			}
			forceShellStage.Store(!elf)
			t.Cleanup(func() { forceShellStage.Store(false) })
			f(t, elf)
		})
	}
}

// The shell stage is used only where the target cannot tell it from the
// Go stage: argv[0] stays what Args[0] says either way. The ELF stage
// passes any argv[0] through.
func TestShellStageArgv0(t *testing.T) {
	forEachWaitStage(t, func(t *testing.T, elf bool) {
		for _, tc := range []struct {
			name  string
			shell bool
		}{{"/bin/cat", true}, {"cat", false}} {
			c := Command(tc.name, "/proc/self/cmdline")
			p := requireNewuidmapPath(t, c)
			if p.shell != (tc.shell && !elf) || p.elf != elf {
				t.Errorf("%s: shell stage %v, ELF stage %v", tc.name, p.shell, p.elf)
			}
			out, err := c.Output()
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if got := strings.Split(string(out), "\x00")[0]; got != tc.name {
				t.Errorf("argv[0] = %q, want %q", got, tc.name)
			}
		}
	})
}

// The target's argv and environment arrive byte for byte as os/exec
// passes them: any argv[0], names a shell would drop, duplicates removed
// the same way, the order kept.
func TestELFStageArgvEnviron(t *testing.T) {
	// The shell stage takes only argv[0] equal to the path and names
	// env(1) accepts.
	forEachWaitStage(t, func(t *testing.T, elf bool) {
		if !elf {
			return
		}
		for _, env := range [][]string{nil, {}, {"B=2", "A.B=1", "-i=1", "=x", "noequals", "B=3", "é=ü"}} {
			args := []string{"/bin/cat", "/proc/self/cmdline", "/proc/self/environ"}
			c := Command(args[0], args[1:]...)
			c.Args[0] = "argv0 with spaces"
			c.Env = env
			if p := requireNewuidmapPath(t, c); !p.elf {
				t.Fatalf("env %q: not the ELF stage", env)
			}
			got, err := c.Output()
			if err != nil {
				t.Fatal(err)
			}
			plain := exec.Command(args[0], args[1:]...)
			plain.Args[0], plain.Env = c.Args[0], env
			want, err := plain.Output()
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != string(want) {
				t.Errorf("env %q:\nthrough the ELF stage %q\nthrough os/exec      %q", env, got, want)
			}
		}
	})
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
	notExec := filepath.Join(t.TempDir(), "garbage")
	if err := os.WriteFile(notExec, []byte("\x00\x01 neither ELF nor script"), 0o755); err != nil {
		t.Fatal(err)
	}
	// The temporary directory is the caller's; the stage executes the
	// target before its uid is mapped, still as the caller.
	forEachWaitStage(t, func(t *testing.T, elf bool) {
		for _, tc := range []struct {
			path    string
			want    error
			elfOnly bool
		}{
			{"/nonexistent/program", fs.ErrNotExist, false},
			{"/etc/passwd", fs.ErrPermission, false},
			{"/etc", fs.ErrPermission, false},
			// The shell stage checks only what test(1) can; the ELF stage
			// reports execve's own errno, as os/exec does.
			{notExec, syscall.ENOEXEC, true},
		} {
			if tc.elfOnly && !elf {
				continue
			}
			c := Command(tc.path)
			if p := requireNewuidmapPath(t, c); p.shell == elf || p.elf != elf {
				t.Fatalf("%s: shell stage %v, ELF stage %v", tc.path, p.shell, p.elf)
			}
			var stderr strings.Builder
			c.Stderr = &stderr
			err := c.Run()
			var pe *os.PathError
			if !errors.Is(err, tc.want) || !errors.As(err, &pe) || pe.Path != tc.path {
				t.Errorf("%s: Run = %v, want %v naming the path", tc.path, err, tc.want)
			}
			if plain := exec.Command(tc.path).Run(); !errors.Is(plain, tc.want) {
				t.Errorf("%s: os/exec says %v, not %v", tc.path, plain, tc.want)
			}
			if stderr.Len() > 0 {
				t.Errorf("%s: the stage wrote to the command's stderr: %q", tc.path, stderr.String())
			}
		}
	})
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
	forEachWaitStage(t, func(t *testing.T, elf bool) {
		for name, env := range envs {
			for _, nnp := range []bool{false, true} {
				t.Run(fmt.Sprint(name, " nnp=", nnp), func(t *testing.T) {
					c := Command("/bin/sh", "-c", script)
					requireNewuidmapPath(t, c)
					c.Env, c.NoNewPrivs, c.Dir = env, nnp, "/usr"
					// Extra files move the stage's own descriptors up.
					c.ExtraFiles = []*os.File{nil, os.Stdin, nil, nil, nil}
					p, _ := c.plan()
					if p.elf != (elf && !nnp) || p.shell != (!elf && !nnp && name != "option") {
						t.Errorf("shell stage %v, ELF stage %v", p.shell, p.elf)
					}
					checkSameAsExec(t, c, script)
				})
			}
		}
	})
}

func checkSameAsExec(t *testing.T, c *Cmd, script string) {
	t.Helper()
	got := readFD3(t, c.Cmd, c.Start, c.Wait)
	plain := exec.Command("/bin/sh", "-c", script)
	plain.Env, plain.Dir, plain.ExtraFiles = c.Env, c.Dir, c.ExtraFiles
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
	// w replaces the first extra file; the others stay where they are.
	cmd.ExtraFiles = append([]*os.File{w}, cmd.ExtraFiles[min(1, len(cmd.ExtraFiles)):]...)
	if err := start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	out, _ := io.ReadAll(r)
	_ = wait()
	return string(out)
}
