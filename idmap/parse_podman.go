package idmap

import (
	"fmt"
	"strconv"
	"strings"
)

// ParsePodman parses the --uidmap and --gidmap values of podman and
// buildah: extents "container:host[:amount]" (amount defaults to 1),
// several of them separated by commas, in the order of the kernel's own
// text (inside first). Join the values of a flag given several times
// with commas. Empty text is the zero Map.
//
// Rootless podman reads the host field as an ID of its own namespace
// (the "intermediate" one), and "container:@host:amount" as an ID of
// the host; ParsePodman refuses the @ form, which needs the caller's
// map: use [ParsePodmanRelative]. Podman's other flags (u, g and + before
// the container ID) change podman's default map and are not a map
// themselves; they are refused with [ErrSyntax].
//
// Errors are *[ParseError] whose Field is the 1-based position of the
// extent in the list.
func ParsePodman(s string) (Map, error) { return parsePodman("ParsePodman", s, nil) }

// ParsePodmanRelative is [ParsePodman] for a caller whose own map is
// parent, which resolves podman's @ form: in "0:@1000:1" the host ID
// 1000 is an ID of parent's host side and stands for whatever ID of the
// caller's namespace parent maps to it. An @ extent that spans several
// extents of parent is split; host IDs that parent does not map are an
// error ([ErrNotInParent]). Read the caller's map with [ReadUIDMap](0).
func ParsePodmanRelative(s string, parent Map) (Map, error) {
	return parsePodman("ParsePodmanRelative", s, &parent)
}

func parsePodman(fn, s string, parent *Map) (Map, error) {
	if s == "" {
		return Map{}, nil
	}
	var ranges []Range
	var where []int // the entry each range came from, for errors
	entries := strings.Split(s, ",")
	for i, e := range entries {
		perr := func(err error) error { return &ParseError{Func: fn, Field: i + 1, Text: e, Err: err} }
		f := strings.Split(e, ":")
		if len(f) < 2 || len(f) > 3 {
			return Map{}, perr(fmt.Errorf("%w: want container:host[:amount]", ErrSyntax))
		}
		if f[0] != "" && strings.ContainsRune("ug+", rune(f[0][0])) {
			return Map{}, perr(fmt.Errorf("%w: podman's %q flag changes podman's default map and is no map by itself", ErrSyntax, f[0][:1]))
		}
		at := strings.HasPrefix(f[1], "@")
		if at {
			if parent == nil {
				return Map{}, perr(fmt.Errorf("%w: a host ID with @ is relative to the caller's map: use ParsePodmanRelative", ErrSyntax))
			}
			f[1] = f[1][1:]
		}
		var v [3]uint32
		v[2] = 1
		for j, x := range f {
			n, err := parseDecimal(x)
			if err != nil {
				return Map{}, perr(err)
			}
			v[j] = n
		}
		r := Range{ContainerID: v[0], HostID: v[1], Size: v[2]}
		if err := checkRange(r); err != nil {
			return Map{}, perr(err)
		}
		if !at {
			ranges = append(ranges, r)
			where = append(where, i)
			continue
		}
		// r's host side is on parent's host side: go through the inverse.
		one, _ := New(r)
		res, err := one.Compose(parent.Inverse())
		if err != nil {
			return Map{}, rangeToParse(fn, err, func(_ int, pe *ParseError) { pe.Field, pe.Text = i+1, e }, s)
		}
		for _, p := range res.ranges {
			ranges = append(ranges, p)
			where = append(where, i)
		}
	}
	m, err := New(ranges...)
	if err != nil {
		err = rangeToParse(fn, err, func(k int, pe *ParseError) { pe.Field, pe.Text = where[k]+1, entries[where[k]] }, s)
		return Map{}, err
	}
	return m, nil
}

// FormatPodman formats m as a podman --uidmap value:
// "container:host:amount" extents separated by commas. [ParsePodman]
// reads it back.
func (m Map) FormatPodman() string {
	var b []byte
	for i, r := range m.ranges {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendUint(b, uint64(r.ContainerID), 10)
		b = append(b, ':')
		b = strconv.AppendUint(b, uint64(r.HostID), 10)
		b = append(b, ':')
		b = strconv.AppendUint(b, uint64(r.Size), 10)
	}
	return string(b)
}
