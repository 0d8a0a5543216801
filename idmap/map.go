package idmap

import (
	"io"
	"slices"
	"strconv"
)

// MaxRanges is the most extents the kernel accepts in one uid_map or
// gid_map (Linux 4.15 and later).
const MaxRanges = 340

// MaxText bounds the text of one write of a map: the kernel refuses a
// write of MaxText bytes or more (it is PAGE_SIZE, 4096 on x86_64; New
// applies 4096 on every architecture so that a Map is writable anywhere).
// New measures the text without its final newline, as [Map.WriteTo]
// writes it; writers that end the last line too, os/exec and newuidmap
// among them, have one byte less (see [Map.ToSysProcIDMap]).
const MaxText = 4096

// Range is one extent of a map: Size IDs starting at ContainerID inside
// the namespace stand for Size IDs starting at HostID in its parent.
//
// The field names and types are those of the OCI runtime-spec's
// LinuxIDMapping, so a plain conversion works in both directions.
type Range struct {
	ContainerID uint32 `json:"containerID"`
	HostID      uint32 `json:"hostID"`
	Size        uint32 `json:"size"`
}

// String formats r the way /proc/PID/uid_map holds it: "inner outer count".
func (r Range) String() string { return string(r.appendText(nil)) }

func (r Range) appendText(b []byte) []byte {
	b = strconv.AppendUint(b, uint64(r.ContainerID), 10)
	b = append(b, ' ')
	b = strconv.AppendUint(b, uint64(r.HostID), 10)
	b = append(b, ' ')
	return strconv.AppendUint(b, uint64(r.Size), 10)
}

// Map is a uid or gid map as the kernel holds it: at most 340 extents
// that overlap on neither side, none empty and none reaching 2^32, whose
// text fits one write. (Only a map read by [ReadUIDMap] or [ReadGIDMap]
// may be longer as text: the kernel shows it in the reader's IDs, which
// can have more digits than the writer's.) The zero Map has no extents;
// it maps nothing (and the kernel refuses to have it written: a written
// map has an extent).
//
// A Map is immutable and safe for concurrent use. Its extents keep the
// order they were given in, which is the order [Map.String] writes them.
type Map struct {
	ranges []Range
	// byContainer and byHost hold ranges sorted by the start of each
	// side, for binary search in ToHost and ToContainer.
	byContainer []Range
	byHost      []Range
}

// New returns the map made of ranges, or an error that says which of the
// kernel's rules they break: an empty extent ([ErrEmpty]), an extent that
// starts at 4294967295 or reaches 2^32 ([ErrRange]), extents that overlap
// on either side ([ErrOverlap]), more than 340 extents ([ErrTooMany]), or
// text too long for one write ([ErrTooLong]). The error is a *[RangeError]
// naming the first extent the kernel would refuse, in the order it reads
// them. New with no ranges returns the zero Map.
func New(ranges ...Range) (Map, error) { return newMap(ranges, true) }

// newMap is New; with text false it leaves out the length of the text,
// which limits a write, not a map the kernel shows (see ReadUIDMap).
func newMap(ranges []Range, text bool) (Map, error) {
	if len(ranges) == 0 {
		return Map{}, nil
	}
	m := Map{
		ranges:      slices.Clone(ranges),
		byContainer: slices.Clone(ranges),
		byHost:      slices.Clone(ranges),
	}
	slices.SortFunc(m.byContainer, func(a, b Range) int { return cmp32(a.ContainerID, b.ContainerID) })
	slices.SortFunc(m.byHost, func(a, b Range) int { return cmp32(a.HostID, b.HostID) })
	if err := m.check(text); err != nil {
		return Map{}, err
	}
	return m, nil
}

// check applies the kernel's rules in the kernel's order (map_write in
// kernel/user_namespace.c): the length of the whole text first, then each
// line in turn, and the count when a 341st line follows.
func (m Map) check(text bool) error {
	if text && m.tooLong() {
		return &RangeError{Index: -1, Err: ErrTooLong}
	}
	bad := len(m.ranges)
	var badErr error
	for i, r := range m.ranges {
		if err := checkRange(r); err != nil {
			bad, badErr = i, err
			break
		}
	}
	// Overlap is found in O(n log n) on the sorted sides; only when there
	// is one is the first offending line looked for in O(n²).
	var with *overlap
	if overlaps(m.byContainer, false) || overlaps(m.byHost, true) {
		for i := 1; i < bad; i++ {
			if with = overlapsEarlier(m.ranges, i); with != nil {
				bad, badErr = i, ErrOverlap
				break
			}
		}
	}
	if bad >= MaxRanges && len(m.ranges) > MaxRanges {
		return &RangeError{Index: MaxRanges, Range: m.ranges[MaxRanges], Err: ErrTooMany}
	}
	if badErr != nil {
		return &RangeError{Index: bad, Range: m.ranges[bad], Err: badErr, with: with}
	}
	return nil
}

// MustNew is like [New] but panics on error. It is for maps written as
// literals in programs and tests.
func MustNew(ranges ...Range) Map {
	m, err := New(ranges...)
	if err != nil {
		panic(err)
	}
	return m
}

// Single returns the map of one extent of size IDs from container to host.
func Single(container, host, size uint32) (Map, error) {
	return New(Range{ContainerID: container, HostID: host, Size: size})
}

func checkRange(r Range) error {
	// In the kernel's order: a start at 4294967295 (the invalid id,
	// (uid_t)-1) on either side, then a count of 0, then an end that wraps
	// past 2^32 on either side. The last ID of an extent is thus at most
	// 4294967294.
	if r.ContainerID == 1<<32-1 || r.HostID == 1<<32-1 {
		return ErrRange
	}
	if r.Size == 0 {
		return ErrEmpty
	}
	if uint64(r.ContainerID)+uint64(r.Size) > 1<<32-1 || uint64(r.HostID)+uint64(r.Size) > 1<<32-1 {
		return ErrRange
	}
	return nil
}

func cmp32(a, b uint32) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// overlaps reports whether two extents of sorted overlap on the side
// host picks, sorted being sorted by the start of that side.
func overlaps(sorted []Range, host bool) bool {
	for i := 1; i < len(sorted); i++ {
		prev := sorted[i-1]
		if uint64(side(prev, host))+uint64(prev.Size) > uint64(side(sorted[i], host)) {
			return true
		}
	}
	return false
}

// overlap names the earlier extent an extent overlaps, for the error.
type overlap struct {
	index int
	r     Range
	host  bool // outside, not inside
}

// overlapsEarlier returns the first of ranges[:i] that ranges[i]
// overlaps on either side, as the kernel's mappings_overlap checks each
// new line, or nil.
func overlapsEarlier(ranges []Range, i int) *overlap {
	r := ranges[i]
	for j, p := range ranges[:i] {
		switch {
		case within(r.ContainerID, r.Size, p.ContainerID, p.Size):
			return &overlap{j, p, false}
		case within(r.HostID, r.Size, p.HostID, p.Size):
			return &overlap{j, p, true}
		}
	}
	return nil
}

func within(a, an, b, bn uint32) bool {
	return uint64(a) < uint64(b)+uint64(bn) && uint64(b) < uint64(a)+uint64(an)
}

// Ranges returns a copy of m's extents in the order they were given.
func (m Map) Ranges() []Range { return slices.Clone(m.ranges) }

// Len returns the number of extents in m.
func (m Map) Len() int { return len(m.ranges) }

// IsZero reports whether m has no extents.
func (m Map) IsZero() bool { return len(m.ranges) == 0 }

// Size returns the number of IDs m maps: at most 4294967295, since
// extents do not overlap inside and the last ID is 4294967294.
func (m Map) Size() uint64 {
	var n uint64
	for _, r := range m.ranges {
		n += uint64(r.Size)
	}
	return n
}

// ToHost returns the ID in the parent namespace that id inside the
// namespace stands for, and false if m does not map id.
// It does not allocate; it scans a map of up to 8 extents and binary-searches
// a larger one, O(log n) in the number of extents.
func (m Map) ToHost(id uint32) (uint32, bool) {
	if s := m.byContainer; len(s) <= linearMax {
		for _, r := range s {
			// id-start wraps around for an id below start, so one
			// unsigned comparison tests both ends of the extent.
			if off := id - r.ContainerID; off < r.Size {
				return r.HostID + off, true
			}
		}
		return 0, false
	}
	r, ok := find(m.byContainer, id, false)
	if !ok {
		return 0, false
	}
	return r.HostID + (id - r.ContainerID), true
}

// ToContainer returns the ID inside the namespace that stands for id of
// the parent namespace, and false if no extent of m covers id.
// It does not allocate; it scans a map of up to 8 extents and binary-searches
// a larger one, O(log n) in the number of extents.
func (m Map) ToContainer(id uint32) (uint32, bool) {
	if s := m.byHost; len(s) <= linearMax {
		for _, r := range s {
			if off := id - r.HostID; off < r.Size {
				return r.ContainerID + off, true
			}
		}
		return 0, false
	}
	r, ok := find(m.byHost, id, true)
	if !ok {
		return 0, false
	}
	return r.ContainerID + (id - r.HostID), true
}

// linearMax is the most extents ToHost and ToContainer scan in order
// rather than search: for a few extents, most maps, a scan is cheaper than
// the search's bookkeeping (measured with BenchmarkToHost).
const linearMax = 8

// find returns the extent of s that covers id on one side (the host side
// if host is true), s being sorted by the start of that side. Only the
// last extent that starts at or below id can cover it.
func find(s []Range, id uint32, host bool) (Range, bool) {
	lo, hi := 0, len(s)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if side(s[mid], host) <= id {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo == 0 {
		return Range{}, false
	}
	r := s[lo-1]
	return r, id-side(r, host) < r.Size
}

// side returns the first ID of r inside (host false) or outside.
func side(r Range, host bool) uint32 {
	if host {
		return r.HostID
	}
	return r.ContainerID
}

// String formats m as /proc/PID/uid_map holds it, less the padding: one
// "inner outer count" line per extent, each ending in a newline.
// [ParseProc] reads it back. To write m to uid_map use [Map.WriteTo],
// which leaves out the final newline that a map at the length limit has
// no room for.
func (m Map) String() string {
	b, _ := m.AppendText(nil)
	return string(b)
}

// AppendText appends the text of [Map.String] to b.
func (m Map) AppendText(b []byte) ([]byte, error) {
	b = slices.Grow(b, m.textLen())
	for _, r := range m.ranges {
		b = r.appendText(b)
		b = append(b, '\n')
	}
	return b, nil
}

// WriteTo writes m to w in the one write the kernel takes for uid_map and
// gid_map: the lines of [Map.String] without the final newline, which the
// kernel does not need. It implements io.WriterTo. It refuses, without
// writing, a map whose text does not fit one write ([ErrTooLong]), which
// only a map read by [ReadUIDMap] can be.
func (m Map) WriteTo(w io.Writer) (int64, error) {
	if m.tooLong() {
		return 0, &RangeError{Index: -1, Err: ErrTooLong}
	}
	b, _ := m.AppendText(nil)
	if len(b) > 0 {
		b = b[:len(b)-1]
	}
	n, err := w.Write(b)
	return int64(n), err
}

// tooLong reports whether m's text does not fit one write; the final
// newline may be left out.
func (m Map) tooLong() bool { return m.textLen()-1 >= MaxText }

func (m Map) textLen() int {
	n := 0
	for _, r := range m.ranges {
		n += digits(r.ContainerID) + digits(r.HostID) + digits(r.Size) + 3
	}
	return n
}

func digits(v uint32) int {
	n := 1
	for v >= 10 {
		v /= 10
		n++
	}
	return n
}

// Equal reports whether m and o hold the same extents in the same order.
// [Map.Equivalent] compares what they map instead.
func (m Map) Equal(o Map) bool { return slices.Equal(m.ranges, o.ranges) }
