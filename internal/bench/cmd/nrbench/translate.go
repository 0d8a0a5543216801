//go:build linux

package main

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/moby/sys/user"

	"github.com/nonroot-go/nonroot/idmap"
)

// extents builds a map of n extents, the same for uids and gids. The
// numbers are kept short so that 340 extents still fit the kernel's
// 4096-byte write, as a real 340-extent map must.
func extents(n int) []idmap.Range {
	rs := make([]idmap.Range, n)
	for i := range rs {
		rs[i] = idmap.Range{ContainerID: uint32(i * 5), HostID: uint32(5000 + i*5), Size: 5}
	}
	if n == 1 { // one extent: the common rootless map, 65536 wide
		rs[0] = idmap.Range{ContainerID: 0, HostID: 100000, Size: 65536}
	}
	return rs
}

var sink uint64

// newMap is idmap.New that turns a panic into an error, so that one
// broken row does not cost the rest of the table.
func newMap(rs []idmap.Range) (m idmap.Map, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panicked on %d valid extents: %v", len(rs), p)
		}
	}()
	return idmap.New(rs...)
}

// translate compares one ToHost and one ToContainer of a uid and a gid
// (four lookups) with idmap against moby/sys/user's IdentityMapping,
// which does the same four lookups in its ToHost(uid, gid) and
// ToContainer(uid, gid). The IDs cycle over every extent of the map.
func translate(cfg config, n int) row {
	r := row{
		ID:     fmt.Sprintf("3/%d", n),
		What:   fmt.Sprintf("ToHost+ToContainer of uid and gid, %d extent(s)", n),
		Ours:   "idmap.Map",
		Theirs: "moby/sys/user IdentityMapping",
		Rounds: cfg.rounds,
		Batch:  cfg.translateBatch,
	}
	if n == 340 {
		r.MaxRatio, r.ZeroAllocs = 0.2, true
		r.Target = "≤ 0.2 (5× faster), 0 allocs"
	}
	rs := extents(n)
	m, err := newMap(rs)
	if err != nil {
		r.Skipped = "idmap.New: " + err.Error()
		return r
	}
	var moby user.IdentityMapping
	for _, e := range rs {
		x := user.IDMap{ID: int64(e.ContainerID), ParentID: int64(e.HostID), Count: int64(e.Size)}
		moby.UIDMaps = append(moby.UIDMaps, x)
		moby.GIDMaps = append(moby.GIDMaps, x)
	}
	// 1024 container IDs spread over all extents, in a scattered order.
	ids := make([]uint32, 1024)
	for i := range ids {
		e := rs[(i*7919)%len(rs)]
		ids[i] = e.ContainerID + uint32(i*31)%e.Size
	}
	// Both sides must agree before their speed means anything.
	for _, id := range ids {
		h, ok := m.ToHost(id)
		mh, mg, err := moby.ToHost(int(id), int(id))
		if !ok || err != nil || int(h) != mh || int(h) != mg {
			r.Skipped = fmt.Sprintf("sides disagree on ToHost(%d): %d,%v vs %d,%v", id, h, ok, mh, err)
			return r
		}
		c, ok := m.ToContainer(h)
		mc, _, err := moby.ToContainer(mh, mg)
		if !ok || err != nil || c != id || int(c) != mc {
			r.Skipped = fmt.Sprintf("sides disagree on ToContainer(%d)", h)
			return r
		}
	}
	oursOp := func(id uint32) {
		h, _ := m.ToHost(id) // uid
		g, _ := m.ToHost(id) // gid: the same map stands in for gid_map
		c, _ := m.ToContainer(h)
		d, _ := m.ToContainer(g)
		sink += uint64(c + d)
	}
	theirsOp := func(id uint32) {
		h, g, _ := moby.ToHost(int(id), int(id))
		c, d, _ := moby.ToContainer(h, g)
		sink += uint64(c + d)
	}
	loop := func(op func(uint32)) func(int) error {
		return func(k int) error {
			for i := range k {
				op(ids[i&1023])
			}
			return nil
		}
	}
	s, err := interleave(cfg.rounds, cfg.translateBatch,
		side{"idmap", loop(oursOp)}, side{"moby", loop(theirsOp)})
	if err != nil {
		r.Skipped = err.Error()
		return r
	}
	runtime.KeepAlive(sink)
	r.setOurs(s[0])
	r.setTheirs(s[1])
	i := 0
	r.OursAllocs = testing.AllocsPerRun(1000, func() { oursOp(ids[i&1023]); i++ })
	r.TheirsAllocs = testing.AllocsPerRun(1000, func() { theirsOp(ids[i&1023]); i++ })
	return r
}
