package main

import (
	"errors"
	"fmt"
	"syscall"
)

// This file holds our side of each comparison: the calls into nonroot's
// packages. An API a comparison needs that is not there yet returns
// errMissing, and the table says so.

var errMissing = errors.New("API not in nonroot yet")

var errESRCH = syscall.ESRCH

// oursScan reads the capability sets of every process and returns how
// many it read.
func oursScan() (int, error) { return 0, fmt.Errorf("%w: caps.All", errMissing) }

// oursTasks counts the tasks whose real uid is uid.
func oursTasks(uid int) (int, error) {
	return 0, fmt.Errorf("%w: a task count per uid in limits", errMissing)
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
