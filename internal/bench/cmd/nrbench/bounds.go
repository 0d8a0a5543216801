//go:build linux

package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
)

// The floors: what each kind of comparison cannot go below on this
// machine, measured in the same interleaved rounds as the comparison
// they bound and reported in its note.

// plainSpawn is fork+execve of /bin/true through os/exec, no namespace.
func plainSpawn(n int) error {
	for range n {
		if err := exec.Command("/bin/true").Run(); err != nil {
			return err
		}
	}
	return nil
}

// helperExec runs the setuid newuidmap with no arguments: it only prints
// its usage and exits 1, so this is the price of one exec of a setuid
// helper (the kernel's secure-exec path and the dynamic loader).
func helperExec(path string) func(int) error {
	return func(n int) error {
		for range n {
			c := exec.Command(path)
			c.Stdout, c.Stderr = io.Discard, io.Discard
			if err := c.Run(); err != nil {
				if _, ok := err.(*exec.ExitError); !ok {
					return err
				}
			}
		}
		return nil
	}
}

// readAllStatus reads /proc/PID/status of every process once, with one
// buffer: the least a scan of every process's credentials or
// capabilities must do.
func readAllStatus(n int) error {
	buf := make([]byte, 4096)
	for range n {
		list, err := pids()
		if err != nil {
			return err
		}
		for _, pid := range list {
			f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
			if err != nil {
				continue // gone since the listing
			}
			_, _ = f.Read(buf)
			f.Close()
		}
	}
	return nil
}

func floorNote(what string, s samples) string {
	return fmt.Sprintf("floor, %s: %s", what, fmtDur(s.median()))
}

// selfExec re-executes this program to do nothing: the floor of a start
// that needs userns's Go stage, the calling program re-executed (on the
// newuidmap path when the command's identity or capabilities change).
func selfExec(n int) error {
	for range n {
		if err := exec.Command("/proc/self/exe", "-noop").Run(); err != nil {
			return err
		}
	}
	return nil
}

// shellChain runs what userns's shell stage runs, without the namespace
// or the wait: /bin/sh, which execs env -i, which execs /bin/true.
func shellChain(n int) error {
	for range n {
		if err := exec.Command("/bin/sh", "-c", "exec /usr/bin/env -i /bin/true").Run(); err != nil {
			return err
		}
	}
	return nil
}
