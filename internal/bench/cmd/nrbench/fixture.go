//go:build linux

package main

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// fixture is the set of sleeping processes the scans run against: plain
// ones, ones whose capability sets setpriv reduced, and ones under one
// uid for the task count.
type fixture struct {
	cmds    []*exec.Cmd
	uid     int // the uid whose tasks comparison 5 counts
	uidN    int // processes started under uid
	reduced int // processes started with reduced capability sets
	note    string
}

// fixtureUID is the uid comparison 5 counts when run as root: one no
// account uses, so the count is exactly the processes started here.
const fixtureUID = 6667

func startFixture(plain, reduced, uidN int) (*fixture, error) {
	f := &fixture{uid: os.Geteuid()}
	setpriv, _ := exec.LookPath("setpriv")
	start := func(args ...string) error {
		c := exec.Command(args[0], args[1:]...)
		// The sleeps outlive a crashed run by at most this long.
		c.Args = append(c.Args, "sleep", "900")
		c.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		if err := c.Start(); err != nil {
			return err
		}
		f.cmds = append(f.cmds, c)
		return nil
	}
	for range plain {
		if err := start("/usr/bin/env"); err != nil {
			f.stop()
			return nil, err
		}
	}
	// Reduced sets need CAP_SETPCAP; without it these become plain sleeps.
	reducers := [][]string{
		{setpriv, "--bounding-set=-all", "--inh-caps=-all"},
		// keep a few, as a container's default set does
		{setpriv, "--bounding-set=-all,+chown,+net_bind_service,+kill", "--inh-caps=-all,+kill"},
	}
	canReduce := setpriv != "" && reduces(reducers[0]) && reduces(reducers[1])
	for i := range reduced {
		args := reducers[i%2]
		if !canReduce {
			args = []string{"/usr/bin/env"}
		}
		if err := start(args...); err != nil {
			f.stop()
			return nil, err
		}
	}
	if canReduce {
		f.reduced = reduced
	} else {
		f.note = "setpriv cannot drop the bounding set here (needs CAP_SETPCAP): no reduced sets. "
	}
	canSetID := setpriv != "" && exec.Command(setpriv, "--reuid="+strconv.Itoa(fixtureUID), "--regid="+strconv.Itoa(fixtureUID), "--clear-groups", "true").Run() == nil
	if canSetID {
		f.uid = fixtureUID
	} else {
		f.note += fmt.Sprintf("cannot start processes as uid %d (needs CAP_SETUID): counting uid %d's own tasks. ", fixtureUID, f.uid)
	}
	for range uidN {
		args := []string{"/usr/bin/env"}
		if canSetID {
			id := strconv.Itoa(fixtureUID)
			args = []string{setpriv, "--reuid=" + id, "--regid=" + id, "--clear-groups"}
		}
		if err := start(args...); err != nil {
			f.stop()
			return nil, err
		}
	}
	f.uidN = uidN
	// Every process must have reached sleep before anything counts them;
	// one that exited instead (a zombie keeps its last name) is a failure.
	deadline := time.Now().Add(20 * time.Second)
	for _, c := range f.cmds {
		for {
			b, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", c.Process.Pid))
			if err == nil && strings.TrimSpace(string(b)) == "sleep" {
				break
			}
			if time.Now().After(deadline) {
				f.stop()
				return nil, fmt.Errorf("fixture process %d (%s) did not reach sleep within 20s: %v %q", c.Process.Pid, c.Args, err, b)
			}
			time.Sleep(time.Millisecond)
		}
	}
	return f, nil
}

// stop kills the fixture's processes, by pid, and reaps them.
func (f *fixture) stop() {
	for _, c := range f.cmds {
		_ = c.Process.Kill()
	}
	for _, c := range f.cmds {
		_ = c.Wait()
	}
	f.cmds = nil
}

// reduces reports whether the command prefix args really lowers the
// bounding set: without CAP_SETPCAP, setpriv --bounding-set=-all exits 0
// and leaves the set whole (libcap-ng skips what it may not drop).
func reduces(args []string) bool {
	out, err := exec.Command(args[0], append(args[1:], "cat", "/proc/self/status")...).Output()
	if err != nil {
		return false
	}
	own, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return false
	}
	return capBnd(out) != "" && capBnd(out) != capBnd(own)
}

func capBnd(status []byte) string {
	for line := range strings.SplitSeq(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "CapBnd:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
