//go:build linux

package idmap

import (
	"fmt"
	"syscall"
)

// ToSysProcIDMap returns m as the UidMappings or GidMappings of a
// syscall.SysProcAttr, for os/exec. Go writes them to the child's
// uid_map in one write, which needs CAP_SETUID (CAP_SETGID for gid_map)
// over the parent namespace unless the map is "0 <euid> 1".
//
// Go ends every line of that write with a newline, the last one
// included, so a map whose text is exactly 4096 bytes with it, which [New]
// accepts and [Map.WriteTo] writes in 4095, would fail in the child's
// start with EINVAL: ToSysProcIDMap refuses it ([ErrTooLong], in a
// *[RangeError]). It also fails where int has 32 bits and an ID or size
// is above 2147483647 ([ErrRange]).
func (m Map) ToSysProcIDMap() ([]syscall.SysProcIDMap, error) {
	if m.IsZero() {
		return nil, nil
	}
	if m.textLen() >= MaxText {
		return nil, &RangeError{Index: -1, Err: ErrTooLong}
	}
	out := make([]syscall.SysProcIDMap, len(m.ranges))
	for i, r := range m.ranges {
		if uint64(max(r.ContainerID, r.HostID, r.Size)) > maxInt {
			return nil, &RangeError{Index: i, Range: r, Err: ErrRange}
		}
		out[i] = syscall.SysProcIDMap{ContainerID: int(r.ContainerID), HostID: int(r.HostID), Size: int(r.Size)}
	}
	return out, nil
}

const maxInt = uint64(^uint(0) >> 1)

// FromSysProcIDMap returns the map of s, as [New] checks it. Its fields
// are ints: a value below 0 or above 4294967295 is an error
// ([ErrRange]), never truncated. Errors are *[ParseError] whose Line is
// the 1-based index in s and whose Field is 1 for ContainerID, 2 for
// HostID and 3 for Size.
func FromSysProcIDMap(s []syscall.SysProcIDMap) (Map, error) {
	ranges := make([]Range, len(s))
	for i, e := range s {
		var v [3]uint32
		for j, x := range [3]int{e.ContainerID, e.HostID, e.Size} {
			if x < 0 || uint64(x) > 1<<32-1 {
				return Map{}, &ParseError{Func: "FromSysProcIDMap", Line: i + 1, Field: j + 1, Text: fmt.Sprint(x), Err: ErrRange}
			}
			v[j] = uint32(x)
		}
		ranges[i] = Range{ContainerID: v[0], HostID: v[1], Size: v[2]}
	}
	m, err := New(ranges...)
	if err != nil {
		return Map{}, rangeToParse("FromSysProcIDMap", err, func(i int, pe *ParseError) {
			pe.Line, pe.Text = i+1, fmt.Sprintf("%+v", s[i])
		}, fmt.Sprint(s))
	}
	return m, nil
}
