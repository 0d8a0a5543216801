//go:build linux

package main

import (
	"bytes"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
)

// tasks compares counting the tasks of one uid.
func tasks(cfg config, f *fixture) row {
	r := row{
		ID: "5", What: fmt.Sprintf("count the tasks of uid %d (%d started)", f.uid, f.uidN),
		Ours: "limits task count", Theirs: "pgrep -c -U",
		Rounds: cfg.rounds, Batch: 1, MaxRatio: 0.33, Target: "≤ 0.33",
		Note: f.note, OursAllocs: -1, TheirsAllocs: -1,
	}
	pgrep, err := tool("pgrep", cfg.install)
	if err != nil {
		r.Skipped = err.Error()
		return r
	}
	uid := strconv.Itoa(f.uid)
	// pgrep counts processes, the kernel's RLIMIT_NPROC counts tasks;
	// the fixture's sleeps have one thread each, so both must agree
	// when this uid runs nothing else.
	out, err := exec.Command(pgrep, "-c", "-U", uid).Output()
	if err != nil {
		r.Skipped = fmt.Sprintf("pgrep -c -U %s: %v", uid, err)
		return r
	}
	theirs, _ := strconv.Atoi(strings.TrimSpace(string(out)))
	var sides []side
	if ours, err := oursTasks(f.uid); err != nil {
		r.Skipped = "ours: " + err.Error()
	} else if f.uid == fixtureUID && ours != theirs {
		r.Skipped = fmt.Sprintf("sides disagree: ours counts %d tasks, pgrep %d processes", ours, theirs)
	} else {
		sides = append(sides, side{"limits", func(n int) error {
			for range n {
				if _, err := oursTasks(f.uid); err != nil {
					return err
				}
			}
			return nil
		}})
	}
	sides = append(sides, side{"read every status", readAllStatus}, side{"pgrep", func(n int) error {
		for range n {
			var b bytes.Buffer
			c := exec.Command(pgrep, "-c", "-U", uid)
			c.Stdout = &b
			// pgrep exits 1 when it counts nothing; that is an answer.
			if err := c.Run(); err != nil && b.Len() == 0 {
				return err
			}
		}
		return nil
	}})
	s, err := interleave(cfg.rounds, 1, sides...)
	if err != nil {
		r.Skipped = err.Error()
		return r
	}
	last := s[len(s)-1]
	r.setTheirs(last)
	// Not a floor here: CountTasks may read no status file at all.
	r.Note = join(r.Note, "for reference, one read of every /proc/PID/status: "+fmtDur(s[len(s)-2].median()))
	if len(s) == 3 {
		r.setOurs(s[0])
	}
	return r
}
