package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// ExamplesEnv names the directory into which CI prebuilds the programs of
// examples/: its unprivileged modes cannot run go build, which needs the
// module cache and a build cache the ordinary user cannot reach.
const ExamplesEnv = "NONROOT_EXAMPLES_DIR"

var (
	programMu  sync.Mutex
	programDir string
	programs   = map[string]string{}
)

// Program returns the path of the example program called name whose
// package is the current directory (go test runs in it): the one prebuilt
// into $NONROOT_EXAMPLES_DIR when that is set, or one built now, once per
// test binary. Call [RemovePrograms] from TestMain after the tests.
func Program(t testing.TB, name string) string {
	t.Helper()
	if dir := os.Getenv(ExamplesEnv); dir != "" {
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("%s is set but: %v", ExamplesEnv, err)
		}
		return p
	}
	programMu.Lock()
	defer programMu.Unlock()
	if p, ok := programs[name]; ok {
		return p
	}
	p, err := buildProgram(name)
	if err != nil {
		t.Fatal(err)
	}
	programs[name] = p
	return p
}

func buildProgram(name string) (string, error) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("no go command to build %s with, and %s is not set: %w", name, ExamplesEnv, err)
	}
	if programDir == "" {
		// A 0700 directory: children under other uids never enter it, as
		// they re-execute the program through /proc/self/exe.
		if programDir, err = os.MkdirTemp("", "nonroot-examples-"); err != nil {
			return "", err
		}
	}
	p := filepath.Join(programDir, name)
	if out, err := exec.Command(gobin, "build", "-o", p, ".").CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build %s: %w\n%s", name, err, out)
	}
	return p, nil
}

// RemovePrograms removes what [Program] built.
func RemovePrograms() {
	programMu.Lock()
	defer programMu.Unlock()
	if programDir != "" {
		os.RemoveAll(programDir)
		programDir = ""
		clear(programs)
	}
}
