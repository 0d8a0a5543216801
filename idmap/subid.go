package idmap

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// SubIDRange is one entry of /etc/subuid or /etc/subgid (subuid(5)):
// Count subordinate IDs from Start that newuidmap and newgidmap let
// Owner map into its namespaces.
type SubIDRange struct {
	Owner string // a user name or a decimal uid, as written in the file
	Start uint32
	Count uint32
}

// String formats r as a line of /etc/subuid: "owner:start:count".
func (r SubIDRange) String() string {
	return r.Owner + ":" + strconv.FormatUint(uint64(r.Start), 10) + ":" + strconv.FormatUint(uint64(r.Count), 10)
}

// ParseSubIDs parses the content of /etc/subuid or /etc/subgid: one
// "owner:start:count" entry per line, the owner a user name or a decimal
// uid, a user possibly on several lines. Blank lines and lines whose
// first non-blank character is # are skipped (shadow-utils skips them as
// unreadable).
//
// Numbers are read as shadow-utils reads them (strtoll with base 0): a
// leading 0x is hexadecimal and a leading 0 is OCTAL, so "0100000" is
// 32768, and leading blanks are allowed. Fields after the third are
// ignored, as shadow-utils ignores them. Where shadow-utils silently
// skips a line it cannot read, ParseSubIDs fails: a missing field or a
// bad number is [ErrSyntax], a negative number or a range that does not
// fit below 4294967295 is [ErrRange], and a count of 0 is [ErrEmpty].
// Errors are *[ParseError] naming the line and the field (1 owner, 2
// start, 3 count).
func ParseSubIDs(r io.Reader) ([]SubIDRange, error) {
	var out []SubIDRange
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	sc.Split(scanLF)
	line := 0
	for sc.Scan() {
		line++
		e, ok, err := parseSubIDLine(sc.Text(), line)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, e)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

func parseSubIDLine(l string, line int) (SubIDRange, bool, error) {
	if t := strings.TrimLeft(l, cSpace); t == "" || t[0] == '#' {
		return SubIDRange{}, false, nil
	}
	perr := func(field int, text string, err error) error {
		return &ParseError{Func: "ParseSubIDs", Line: line, Field: field, Text: text, Err: err}
	}
	f := strings.SplitN(l, ":", 4)
	if len(f) < 3 {
		return SubIDRange{}, false, perr(len(f)+1, l, fmt.Errorf("%w: want owner:start:count", ErrSyntax))
	}
	if f[0] == "" {
		return SubIDRange{}, false, perr(1, l, fmt.Errorf("%w: empty owner", ErrSyntax))
	}
	start, err := parseShadowNumber(f[1])
	if err != nil {
		return SubIDRange{}, false, perr(2, f[1], err)
	}
	count, err := parseShadowNumber(f[2])
	if err != nil {
		return SubIDRange{}, false, perr(3, f[2], err)
	}
	if count == 0 {
		return SubIDRange{}, false, perr(3, f[2], ErrEmpty)
	}
	// The kernel maps no ID at or past 4294967295.
	if uint64(start)+uint64(count) > 1<<32-1 {
		return SubIDRange{}, false, perr(3, f[2], fmt.Errorf("%w; the last of %d IDs from %d would be %d", ErrRange, count, start, uint64(start)+uint64(count)-1))
	}
	return SubIDRange{Owner: f[0], Start: start, Count: count}, true, nil
}

// parseShadowNumber reads a number as shadow-utils' getulong does with
// strtoll(s, &end, 0): leading blanks and one sign allowed, 0x for hex,
// a leading 0 for octal, nothing after the digits. strconv's base 0 also
// takes 0b, 0o and underscores, which strtoll does not.
func parseShadowNumber(s string) (uint32, error) {
	t := strings.TrimLeft(s, cSpace)
	neg := false
	if t != "" && (t[0] == '+' || t[0] == '-') {
		neg = t[0] == '-'
		t = t[1:]
	}
	base := 10
	switch {
	case len(t) > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X'):
		base, t = 16, t[2:]
	case len(t) > 1 && t[0] == '0':
		base, t = 8, t[1:]
	}
	if t == "" || strings.ContainsAny(t, "_+-") {
		return 0, ErrSyntax
	}
	v, err := strconv.ParseUint(t, base, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return 0, ErrRange
		}
		return 0, ErrSyntax
	}
	if neg && v != 0 {
		return 0, ErrRange
	}
	if v > 1<<32-1 {
		return 0, ErrRange
	}
	return uint32(v), nil
}

// FormatSubIDs formats entries as the content of /etc/subuid, one line
// each. [ParseSubIDs] reads it back.
func FormatSubIDs(entries []SubIDRange) string {
	var b strings.Builder
	for _, e := range entries {
		b.WriteString(e.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// SelectSubIDs returns the entries owned by the user named name or by its
// decimal uid, in the order of the file, as shadow-utils 4.13 lists them
// (getsubids, newuidmap; checked against getsubids). Either may be empty
// when unknown.
func SelectSubIDs(entries []SubIDRange, name, uid string) []SubIDRange {
	var out []SubIDRange
	for _, e := range entries {
		if (name != "" && e.Owner == name) || (uid != "" && e.Owner == uid) {
			out = append(out, e)
		}
	}
	return out
}

// RootlessMap returns the map rootless podman builds for a user (its
// "first mapping step"): the user's own uid as 0, then each subordinate
// range in turn from 1. It fails if the ranges overlap each other or uid,
// or do not fit ([New]'s errors).
//
// util-linux unshare builds other maps from the same file, from the first
// entry only: --map-auto maps it from 0 and leaves the user's own uid
// unmapped, and --map-auto --map-root-user maps the uid as 0 and the
// entry from 1 less its last ID (2.38: "0 1000 1" then "1 100000 65535").
func RootlessMap(uid uint32, subs []SubIDRange) (Map, error) {
	ranges := []Range{{ContainerID: 0, HostID: uid, Size: 1}}
	next := uint64(1)
	for _, s := range subs {
		if next+uint64(s.Count) > 1<<32-1 {
			return Map{}, &RangeError{Index: len(ranges), Range: Range{ContainerID: uint32(next), HostID: s.Start, Size: s.Count}, Err: ErrRange}
		}
		ranges = append(ranges, Range{ContainerID: uint32(next), HostID: s.Start, Size: s.Count})
		next += uint64(s.Count)
	}
	return New(ranges...)
}

// scanLF splits at '\n' only: bufio.ScanLines also drops a '\r', which
// shadow-utils keeps (and then refuses the line).
func scanLF(data []byte, atEOF bool) (int, []byte, error) {
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		return i + 1, data[:i], nil
	}
	if atEOF && len(data) > 0 {
		return len(data), data, nil
	}
	return 0, nil, nil
}
