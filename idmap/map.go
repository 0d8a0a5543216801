package idmap

import (
	"slices"
	"strconv"
	"strings"
)

// MaxRanges is the most extents the kernel accepts in one uid_map or
// gid_map (Linux 4.15 and later).
const MaxRanges = 340

// MaxText is the size of the kernel's buffer for one write of a map. The
// text written must be shorter than this.
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
func (r Range) String() string {
	return strconv.FormatUint(uint64(r.ContainerID), 10) + " " +
		strconv.FormatUint(uint64(r.HostID), 10) + " " +
		strconv.FormatUint(uint64(r.Size), 10)
}

// Map is a uid or gid map as the kernel holds it: at most 340 extents
// that overlap on neither side, none empty and none reaching 2^32. The
// zero Map has no extents; it maps nothing.
//
// A Map is immutable and safe for concurrent use. Its extents keep the
// order they were given in, which is the order [Map.String] writes them.
type Map struct {
	ranges []Range
	// byContainer and byHost index ranges sorted by the start of each
	// side, for binary search in ToHost and ToContainer.
	byContainer []Range
	byHost      []Range
}

// New returns the map made of ranges, or an error that says which of the
// kernel's rules they break: an empty extent ([ErrEmpty]), an extent that
// starts at 4294967295 or reaches 2^32 ([ErrRange]), extents that overlap
// on either side ([ErrOverlap]), more than 340 extents ([ErrTooMany]), or
// text too long for one write ([ErrTooLong]). The error is a *[RangeError].
func New(ranges ...Range) (Map, error) {
	if len(ranges) > MaxRanges {
		return Map{}, &RangeError{Index: MaxRanges, Err: ErrTooMany}
	}
	for i, r := range ranges {
		if err := checkRange(r); err != nil {
			return Map{}, &RangeError{Index: i, Range: r, Err: err}
		}
	}
	m := Map{
		ranges:      slices.Clone(ranges),
		byContainer: slices.Clone(ranges),
		byHost:      slices.Clone(ranges),
	}
	slices.SortFunc(m.byContainer, func(a, b Range) int { return cmp32(a.ContainerID, b.ContainerID) })
	slices.SortFunc(m.byHost, func(a, b Range) int { return cmp32(a.HostID, b.HostID) })
	if err := overlap(ranges, m.byContainer, func(r Range) uint32 { return r.ContainerID }); err != nil {
		return Map{}, err
	}
	if err := overlap(ranges, m.byHost, func(r Range) uint32 { return r.HostID }); err != nil {
		return Map{}, err
	}
	if n := m.textLen(); n >= MaxText {
		return Map{}, &RangeError{Index: -1, Err: ErrTooLong}
	}
	return m, nil
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
	if r.Size == 0 {
		return ErrEmpty
	}
	// The kernel refuses an extent whose last ID is 4294967295 (the
	// invalid id, (uid_t)-1) or that wraps, on either side.
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

// overlap reports the first pair of extents in sorted that overlap on the
// side start picks, naming the later one's index in given.
func overlap(given, sorted []Range, start func(Range) uint32) error {
	for i := 1; i < len(sorted); i++ {
		prev, cur := sorted[i-1], sorted[i]
		if uint64(start(prev))+uint64(prev.Size) > uint64(start(cur)) {
			idx := max(slices.Index(given, cur), slices.Index(given, prev))
			return &RangeError{Index: idx, Range: given[idx], Err: ErrOverlap}
		}
	}
	return nil
}

// Ranges returns a copy of m's extents in the order they were given.
func (m Map) Ranges() []Range { return slices.Clone(m.ranges) }

// Len returns the number of extents in m.
func (m Map) Len() int { return len(m.ranges) }

// IsZero reports whether m has no extents.
func (m Map) IsZero() bool { return len(m.ranges) == 0 }

// Size returns the number of IDs m maps. It is a uint64 because 340
// extents can map more than 2^32-1 IDs in total.
func (m Map) Size() uint64 {
	var n uint64
	for _, r := range m.ranges {
		n += uint64(r.Size)
	}
	return n
}

// ToHost returns the ID in the parent namespace that id inside the
// namespace stands for, and false if m does not map id.
// It does not allocate and takes O(log n) in the number of extents.
func (m Map) ToHost(id uint32) (uint32, bool) {
	r, ok := find(m.byContainer, id, containerStart)
	if !ok {
		return 0, false
	}
	return r.HostID + (id - r.ContainerID), true
}

// ToContainer returns the ID inside the namespace that stands for id of
// the parent namespace, and false if no extent of m covers id.
// It does not allocate and takes O(log n) in the number of extents.
func (m Map) ToContainer(id uint32) (uint32, bool) {
	r, ok := find(m.byHost, id, hostStart)
	if !ok {
		return 0, false
	}
	return r.ContainerID + (id - r.HostID), true
}

func containerStart(r Range) uint32 { return r.ContainerID }
func hostStart(r Range) uint32      { return r.HostID }

// find returns the extent of sorted whose side picked by start covers id.
func find(sorted []Range, id uint32, start func(Range) uint32) (Range, bool) {
	// The first extent that starts after id; the one before it is the
	// only candidate.
	lo, hi := 0, len(sorted)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if start(sorted[mid]) <= id {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo == 0 {
		return Range{}, false
	}
	r := sorted[lo-1]
	if uint64(id) < uint64(start(r))+uint64(r.Size) {
		return r, true
	}
	return Range{}, false
}

// String formats m as the kernel reads and shows it in /proc/PID/uid_map:
// one "inner outer count" line per extent, each ending in a newline. This
// is the text to write to uid_map or gid_map, in one write.
func (m Map) String() string {
	var b strings.Builder
	b.Grow(m.textLen())
	for _, r := range m.ranges {
		b.WriteString(r.String())
		b.WriteByte('\n')
	}
	return b.String()
}

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
func (m Map) Equal(o Map) bool { return slices.Equal(m.ranges, o.ranges) }
