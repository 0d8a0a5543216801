package idmap

import (
	"fmt"
	"strconv"
	"strings"
)

// ParseUnshare parses the values of util-linux unshare's --map-users or
// --map-groups, one extent per value, in either of its two forms:
//
//   - "outer,inner,count", the only form of util-linux 2.38 and older
//     (still accepted, deprecated, by 2.39 and later). The host side comes
//     FIRST: the reverse of /proc's and podman's order, and a common
//     mistake. "100000,0,65536" maps 0..65535 inside to 100000.. outside.
//   - "inner:outer:count", the form of util-linux 2.39 and later, in the
//     kernel's order.
//
// Each number is decimal, a leading 0 included ("0100000" is 100000), and
// may follow blanks and a +, as unshare takes it; anything after its
// digits is [ErrSyntax].
//
// The keywords are not maps and are refused with [ErrSyntax]: auto
// stands for the caller's first /etc/subuid entry mapped from 0 (2.38
// here: "0 100000 65536" for nrtest:100000:65536), and the later
// versions' subids and all for that entry mapped onto itself and for the
// caller's own map, each ID onto itself; look them up with
// [LookupSubUIDs] and [ReadUIDMap]. No values is the zero Map. Errors
// are *[ParseError] whose Field is the 1-based position of the value.
func ParseUnshare(values ...string) (Map, error) {
	ranges := make([]Range, 0, len(values))
	for i, v := range values {
		perr := func(err error) error { return &ParseError{Func: "ParseUnshare", Field: i + 1, Text: v, Err: err} }
		sep, order := ",", [3]int{1, 0, 2} // outer,inner,count
		if !strings.Contains(v, ",") && strings.Contains(v, ":") {
			sep, order = ":", [3]int{0, 1, 2} // inner:outer:count
		}
		f := strings.Split(v, sep)
		switch {
		case v == "auto" || v == "subids" || v == "all":
			return Map{}, perr(fmt.Errorf("%w: %q is unshare's keyword for IDs it looks up (/etc/subuid or the caller's own map), not a map: look them up with LookupSubUIDs or ReadUIDMap", ErrSyntax, v))
		case len(f) != 3:
			return Map{}, perr(fmt.Errorf("%w: want outer,inner,count (util-linux <= 2.38) or inner:outer:count (2.39+)", ErrSyntax))
		}
		var n [3]uint32
		for j, x := range f {
			// unshare reads each number with strtoul (2.38) or sscanf's %u
			// (2.39+): leading blanks and a + are taken.
			x = strings.TrimLeft(x, cSpace)
			x = strings.TrimPrefix(x, "+")
			u, err := parseDecimal(x)
			if err != nil {
				return Map{}, perr(err)
			}
			n[order[j]] = u
		}
		r := Range{ContainerID: n[0], HostID: n[1], Size: n[2]}
		ranges = append(ranges, r)
	}
	m, err := New(ranges...)
	if err != nil {
		return Map{}, rangeToParse("ParseUnshare", err, func(i int, pe *ParseError) {
			pe.Field, pe.Text = i+1, values[i]
		}, strings.Join(values, " "))
	}
	return m, nil
}

// FormatUnshare formats m as values of unshare's --map-users or
// --map-groups, one "outer,inner,count" value per extent: host side
// first, the form every util-linux since 2.38 reads. util-linux 2.38
// keeps only the last --map-users given, so a map of more than one extent
// needs 2.39 or later. [ParseUnshare] reads the values back.
func (m Map) FormatUnshare() []string {
	out := make([]string, len(m.ranges))
	for i, r := range m.ranges {
		out[i] = strconv.FormatUint(uint64(r.HostID), 10) + "," +
			strconv.FormatUint(uint64(r.ContainerID), 10) + "," +
			strconv.FormatUint(uint64(r.Size), 10)
	}
	return out
}
