//go:build linux

package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"syscall"

	"github.com/moby/sys/capability"
)

// pids lists the processes now running, as every scanner must.
func pids() ([]int, error) {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	var out []int
	for _, e := range ents {
		if n, err := strconv.Atoi(e.Name()); err == nil {
			out = append(out, n)
		}
	}
	return out, nil
}

// runTool runs a whole external program, as a user of it pays for it,
// and discards what it prints.
func runTool(path string, args ...string) func(int) error {
	return func(n int) error {
		for range n {
			c := exec.Command(path, args...)
			c.Stdout, c.Stderr = io.Discard, io.Discard
			if err := c.Run(); err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
		}
		return nil
	}
}

// scan compares reading the capability sets of every process.
func scan(cfg config, f *fixture) []row {
	base := row{What: fmt.Sprintf("capability sets of every process (%d started, %d reduced)", len(f.cmds), f.reduced), Ours: "caps.All", Rounds: cfg.rounds, Batch: 1, Note: f.note, OursAllocs: -1, TheirsAllocs: -1}
	rows := []row{base, base, base}
	rows[0].ID, rows[0].Theirs, rows[0].MaxRatio, rows[0].Target = "4a", "pscap -a", 0.5, "≤ 0.5"
	rows[1].ID, rows[1].Theirs = "4b", "getpcaps on the same pids"
	rows[2].ID, rows[2].Theirs = "4c", "moby/sys/capability NewPid2+Load per pid"

	var sides []side
	oursOK := false
	if n, err := oursScan(); err != nil {
		for i := range rows {
			rows[i].Skipped = "ours: " + err.Error()
		}
	} else if n < len(f.cmds) {
		for i := range rows {
			rows[i].Skipped = fmt.Sprintf("caps.All saw %d processes, fewer than the %d started", n, len(f.cmds))
		}
	} else {
		oursOK = true
		sides = append(sides, side{"caps.All", func(n int) error {
			for range n {
				if _, err := oursScan(); err != nil {
					return err
				}
			}
			return nil
		}})
	}
	idx := []int{-1, -1, -1}
	if p, err := tool("pscap", cfg.install); err != nil {
		rows[0].Skipped = join(rows[0].Skipped, err.Error())
	} else {
		idx[0] = len(sides)
		sides = append(sides, side{"pscap", runTool(p, "-a")})
	}
	if p, err := tool("getpcaps", cfg.install); err != nil {
		rows[1].Skipped = join(rows[1].Skipped, err.Error())
	} else {
		list, err := pids()
		if err != nil {
			rows[1].Skipped = join(rows[1].Skipped, err.Error())
		} else {
			args := make([]string, len(list))
			for i, pid := range list {
				args[i] = strconv.Itoa(pid)
			}
			idx[1] = len(sides)
			sides = append(sides, side{"getpcaps", func(n int) error {
				for range n {
					// getpcaps exits 1 when a pid of the list has
					// gone since; what it printed still counts.
					var out bytes.Buffer
					c := exec.Command(p, args...)
					c.Stdout, c.Stderr = &out, io.Discard
					if err := c.Run(); err != nil && out.Len() == 0 {
						return fmt.Errorf("getpcaps: %w", err)
					}
				}
				return nil
			}})
		}
	}
	floor := len(sides)
	sides = append(sides, side{"read every status", readAllStatus})
	light := -1
	lightErr := ""
	if oursOK {
		if n, err := oursScanLight(); err != nil {
			lightErr = "caps.Scan: " + err.Error()
		} else if n < len(f.cmds) {
			lightErr = fmt.Sprintf("caps.Scan saw %d processes, fewer than the %d started", n, len(f.cmds))
		}
	}
	if oursOK && lightErr == "" {
		light = len(sides)
		sides = append(sides, side{"caps.Scan light", func(n int) error {
			for range n {
				if _, err := oursScanLight(); err != nil {
					return err
				}
			}
			return nil
		}})
	}
	idx[2] = len(sides)
	sides = append(sides, side{"moby", func(n int) error {
		for range n {
			if err := mobyScan(); err != nil {
				return err
			}
		}
		return nil
	}})

	// Without our side, theirs still run: the table then shows what we
	// are measured against.
	s, err := interleave(cfg.rounds, 1, sides...)
	for i := range rows {
		if err != nil {
			rows[i].Skipped = err.Error()
			continue
		}
		if oursOK {
			rows[i].setOurs(s[0])
		}
		rows[i].Note = join(rows[i].Note, floorNote("read /proc/PID/status of every process", s[floor]))
		if light >= 0 {
			rows[i].Note = join(rows[i].Note, fmt.Sprintf("caps.Scan of what pscap shows (no start time, threads, namespaces): %s", fmtDur(s[light].median())))
		}
		if idx[i] >= 0 {
			rows[i].setTheirs(s[idx[i]])
		}
	}
	// The target is for the same information as pscap's: the sets,
	// pid, ppid, uid and command, without the start time, threads and
	// user namespace that caps.All adds.
	same := base
	same.ID, same.Ours, same.Theirs, same.MaxRatio, same.Target = "4d", "caps.Scan, pscap's information only", "pscap -a", 0.5, "≤ 0.5"
	switch {
	case err != nil:
		same.Skipped = err.Error()
	case light < 0 || idx[0] < 0:
		same.Skipped = join(join(rows[0].Skipped, lightErr), "needs both caps.Scan and pscap")
	default:
		same.setOurs(s[light])
		same.setTheirs(s[idx[0]])
	}
	return append(rows, same)
}

// mobyScan loads every process's sets with moby/sys/capability, the
// way a Go program that uses it would scan them.
func mobyScan() error {
	list, err := pids()
	if err != nil {
		return err
	}
	for _, pid := range list {
		c, err := capability.NewPid2(pid)
		if err == nil {
			err = c.Load()
		}
		// A process that exited since the listing is not a failure.
		if err != nil && !errors.Is(err, os.ErrNotExist) && !errors.Is(err, syscall.ESRCH) {
			return fmt.Errorf("pid %d: %w", pid, err)
		}
	}
	return nil
}
