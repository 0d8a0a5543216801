package idmap

// Inverse returns m with the two sides swapped: the map of the parent's
// IDs to the namespace's. The kernel's rules are symmetric, so the
// inverse of a valid map is valid.
func (m Map) Inverse() Map {
	if m.IsZero() {
		return Map{}
	}
	return Map{
		ranges:      swapped(m.ranges),
		byContainer: swapped(m.byHost),
		byHost:      swapped(m.byContainer),
	}
}

func swapped(rs []Range) []Range {
	out := make([]Range, len(rs))
	for i, r := range rs {
		out[i] = Range{ContainerID: r.HostID, HostID: r.ContainerID, Size: r.Size}
	}
	return out
}

// piece is a run of IDs [start, start+size) on one side of a map, found
// inside one extent e of it.
type piece struct {
	start, size uint32
	e           Range
}

// walk calls fn for each piece of [start, start+size) inside one extent
// of m's container side (host side if host is true), in order. It stops
// and returns false at the first ID m does not map.
func (m Map) walk(start, size uint32, host bool, fn func(piece)) bool {
	s := m.byContainer
	if host {
		s = m.byHost
	}
	cur, end := uint64(start), uint64(start)+uint64(size)
	for cur < end {
		// cur < end <= 2^32, so cur fits a uint32.
		e, ok := find(s, uint32(cur), host)
		if !ok {
			return false
		}
		eEnd := uint64(side(e, host)) + uint64(e.Size)
		n := min(eEnd, end) - cur
		fn(piece{start: uint32(cur), size: uint32(n), e: e})
		cur += n
	}
	return true
}

// Compose returns the map of the IDs of a namespace nested inside
// another straight to the outer namespace's parent (usually the host):
// m is the inner namespace's map, relative to the middle namespace, and
// outer is the middle namespace's map, relative to the host. An extent of
// m that spans several extents of outer is split at their boundaries.
//
// Every ID of m's host side must be mapped by outer, as the kernel
// requires when m is written (it says EPERM otherwise); an ID that is not
// is reported as a *[RangeError] with [ErrNotInParent] naming m's extent,
// never dropped. The result can also break the limits on the number of
// extents or on the text length ([ErrTooMany], [ErrTooLong]) when
// splitting adds extents.
//
// For a nested namespace that exists, Compose(m, outer) is what
// /proc/PID/uid_map shows when read from the host: the kernel keeps each
// extent with its host IDs, and the reader's view translates them.
func (m Map) Compose(outer Map) (Map, error) { return m.through(outer, true) }

// through splits each extent of m where its host side crosses from one
// extent of parent's container side to the next; with translate it also
// carries the host side through parent to parent's own host side.
func (m Map) through(parent Map, translate bool) (Map, error) {
	var out []Range
	for i, r := range m.ranges {
		// r's host side is on parent's container side.
		ok := parent.walk(r.HostID, r.Size, false, func(p piece) {
			host := p.start
			if translate {
				host = p.e.HostID + (p.start - p.e.ContainerID)
			}
			out = append(out, Range{ContainerID: r.ContainerID + (p.start - r.HostID), HostID: host, Size: p.size})
		})
		if !ok {
			return Map{}, &RangeError{Index: i, Range: r, Err: ErrNotInParent}
		}
	}
	return New(out...)
}

// CheckParent reports whether m can be written by a process whose own
// map is parent: the kernel requires every extent of m to lie inside a
// single extent of parent's container side and refuses the write with
// EPERM otherwise. The error is a *[RangeError] with [ErrNotInParent]
// for the first extent that does not; [Map.SplitParent] splits such
// extents where parent's extents are only adjacent.
//
// The kernel has further rules for a writer without CAP_SETUID over the
// parent namespace (only "0 <euid> 1"), which CheckParent does not know.
func (m Map) CheckParent(parent Map) error {
	for i, r := range m.ranges {
		pieces := 0
		if !parent.walk(r.HostID, r.Size, false, func(piece) { pieces++ }) || pieces != 1 {
			return &RangeError{Index: i, Range: r, Err: ErrNotInParent}
		}
	}
	return nil
}

// SplitParent returns m with every extent split where it crosses from
// one extent of parent's container side to the next, so that the
// kernel accepts it from a writer whose own map is parent (see
// [Map.CheckParent]). It maps the same IDs the same way. It fails with
// [ErrNotInParent] when parent does not map some ID of m's host side at
// all, and with [ErrTooMany] or [ErrTooLong] when the split map does not
// fit one write.
func (m Map) SplitParent(parent Map) (Map, error) { return m.through(parent, false) }

// ContainsRange reports whether m maps every ID of r the way r does:
// r.Size IDs from r.ContainerID inside to r.HostID outside, possibly
// across several adjacent extents of m. A Range of size 0, or one that
// breaks the kernel's rules, is contained in no map.
func (m Map) ContainsRange(r Range) bool {
	if checkRange(r) != nil {
		return false
	}
	same := true
	ok := m.walk(r.ContainerID, r.Size, false, func(p piece) {
		if p.e.HostID+(p.start-p.e.ContainerID) != r.HostID+(p.start-r.ContainerID) {
			same = false
		}
	})
	return ok && same
}

// Contains reports whether m maps every ID that o maps, the same way: o
// is a part of m. Every map contains the zero Map.
func (m Map) Contains(o Map) bool {
	for _, r := range o.ranges {
		if !m.ContainsRange(r) {
			return false
		}
	}
	return true
}

// Equivalent reports whether m and o map the same IDs the same way,
// however their extents are split or ordered. [Map.Equal] compares the
// extents themselves.
func (m Map) Equivalent(o Map) bool { return m.Size() == o.Size() && m.Contains(o) }

// CoversContainer reports whether m maps every one of the size IDs from
// first inside the namespace. It is false for size 0.
func (m Map) CoversContainer(first, size uint32) bool { return m.covers(first, size, false) }

// CoversHost reports whether every one of the size IDs from first in the
// parent namespace stands for an ID inside the namespace under m. It is
// false for size 0.
func (m Map) CoversHost(first, size uint32) bool { return m.covers(first, size, true) }

func (m Map) covers(first, size uint32, host bool) bool {
	if size == 0 || uint64(first)+uint64(size) > 1<<32 {
		return false
	}
	return m.walk(first, size, host, func(piece) {})
}
