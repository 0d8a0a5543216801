//go:build linux

package limits

import (
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/nonroot-go/nonroot/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// testUID is the uid this package's tests run their tasks as when they
// may switch uids: not 6667, which other packages' probes use, so that
// counts are exact.
const testUID = 6689

// sleeper starts a sleep that is killed when the test ends.
func sleeper(t testing.TB, cmd *exec.Cmd) *exec.Cmd {
	t.Helper()
	if err := cmd.Start(); err != nil {
		t.Fatalf("%v: %v", cmd.Args, err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	return cmd
}

func sleepAs(uid uint32) *exec.Cmd {
	cmd := exec.Command("sleep", "300")
	if uid != uint32(os.Getuid()) {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uid, Gid: uid}}
	}
	return cmd
}

// waitExec waits until pid has executed path, so that /proc shows the
// final process and not the forked Go child.
func waitExec(t testing.TB, pid int, path string) {
	t.Helper()
	for range 500 {
		if exe, err := os.Readlink("/proc/" + itoa(pid) + "/exe"); err == nil && exe == path {
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
	// Another user's exe link is unreadable; give it a moment instead.
	time.Sleep(50 * time.Millisecond)
}
