package main

import (
	"errors"
	"fmt"
	"syscall"

	"github.com/nonroot-go/nonroot/limits"
)

// This file holds our side of each comparison: the calls into nonroot's
// packages. An API a comparison needs that is not there yet returns
// errMissing, and the table says so.

var errMissing = errors.New("API not in nonroot yet")

var errESRCH = syscall.ESRCH

// oursScan reads the capability sets of every process and returns how
// many it read.
func oursScan() (int, error) { return 0, fmt.Errorf("%w: caps.All", errMissing) }

// oursTasks counts the processes whose real uid is uid, which is what
// pgrep counts; limits.CountTasks counts their threads in the same scan.
func oursTasks(uid int) (int, error) {
	u, err := limits.CountTasks(uint32(uid))
	return u.Processes, err
}

// oursStartSingle returns a starter of /bin/true with 0 uid 1 and 0 gid 1.
func oursStartSingle(uid, gid int) (func(int) error, error) {
	return nil, fmt.Errorf("%w: userns.Command", errMissing)
}

// oursStartMulti returns a starter of /bin/true with 0 uid 1, 1 us uc
// (and the same for gids), through newuidmap and newgidmap.
func oursStartMulti(uid, gid, us, uc, gs, gc int) (func(int) error, error) {
	return nil, fmt.Errorf("%w: userns.Command", errMissing)
}
