//go:build linux

package main

import (
	"iter"

	"github.com/nonroot-go/nonroot/caps"
	"github.com/nonroot-go/nonroot/idmap"
	"github.com/nonroot-go/nonroot/limits"
	"github.com/nonroot-go/nonroot/userns"
)

// This file holds our side of each comparison: the calls into nonroot's
// packages.

// oursScan reads the capability sets of every process and returns how
// many it read.
func oursScan() (int, error) { return scanWith(caps.All()) }

// oursScanLight is caps.Scan asked for what pscap shows and no more: no
// start time, threads or namespaces.
func oursScanLight() (int, error) {
	return scanWith(caps.Scan(caps.ScanOptions{SkipThreads: true, SkipNamespaces: true, SkipStartTime: true}))
}

func scanWith(seq iter.Seq2[caps.Process, error]) (int, error) {
	n := 0
	for p, err := range seq {
		if err != nil {
			return n, err
		}
		sink += uint64(p.Effective)
		n++
	}
	return n, nil
}

// oursTasks counts the processes whose real uid is uid, which is what
// pgrep counts; limits.CountTasks counts their threads in the same scan.
func oursTasks(uid int) (int, error) {
	u, err := limits.CountTasks(uint32(uid))
	return u.Processes, err
}

// oursStartSingle returns a starter of /bin/true with the maps 0 uid 1
// and 0 gid 1, which userns starts without its stage (the fast path).
func oursStartSingle(uid, gid int) (func(int) error, error) {
	um, err := idmap.Single(0, uint32(uid), 1)
	if err != nil {
		return nil, err
	}
	gm, err := idmap.Single(0, uint32(gid), 1)
	if err != nil {
		return nil, err
	}
	return usernsTrue(um, gm), nil
}

// oursStartMulti returns a starter of /bin/true with 0 uid 1, 1 us uc
// (and the same for gids), which userns writes through newuidmap and
// newgidmap.
func oursStartMulti(uid, gid, us, uc, gs, gc int) (func(int) error, error) {
	um, err := idmap.New(idmap.Range{ContainerID: 0, HostID: uint32(uid), Size: 1}, idmap.Range{ContainerID: 1, HostID: uint32(us), Size: uint32(uc)})
	if err != nil {
		return nil, err
	}
	gm, err := idmap.New(idmap.Range{ContainerID: 0, HostID: uint32(gid), Size: 1}, idmap.Range{ContainerID: 1, HostID: uint32(gs), Size: uint32(gc)})
	if err != nil {
		return nil, err
	}
	return usernsTrue(um, gm), nil
}

func usernsTrue(um, gm idmap.Map) func(int) error {
	return func(n int) error {
		for range n {
			c := userns.Command("/bin/true")
			c.UIDMap, c.GIDMap = um, gm
			if err := c.Run(); err != nil {
				return err
			}
		}
		return nil
	}
}
