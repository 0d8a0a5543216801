//go:build linux

package caps

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// child is a process a test started and waits to reach its final program.
type child struct {
	cmd *exec.Cmd
	pid int
	err error // why it did not get there
}

// startChild starts argv and waits until the process runs comm (after any
// setpriv or unshare in front of it have exec'ed it). When it exits
// before that, child.err says why, with its stderr.
func startChild(t testing.TB, attr *syscall.SysProcAttr, comm string, argv ...string) child {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.SysProcAttr = attr
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return child{err: err}
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})
	pid := cmd.Process.Pid
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		select {
		case err := <-exited:
			exited <- err
			return child{err: fmt.Errorf("%s exited: %v: %s", strings.Join(argv, " "), err, bytes.TrimSpace(stderr.Bytes()))}
		case <-time.After(2 * time.Millisecond):
		}
		b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/comm")
		if err == nil && strings.TrimSpace(string(b)) == comm {
			return child{cmd: cmd, pid: pid}
		}
	}
	t.Fatalf("%s never ran %s", strings.Join(argv, " "), comm)
	return child{}
}

// userNSAttr maps uid and gid 0 of a new user namespace to the caller's.
func userNSAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{
		Cloneflags:  syscall.CLONE_NEWUSER,
		UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Geteuid(), Size: 1}},
		GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getegid(), Size: 1}},
	}
}
