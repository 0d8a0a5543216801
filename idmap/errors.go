package idmap

import (
	"errors"
	"fmt"
	"strconv"
)

// Sentinel errors. Every error of this package that is about a map's
// content answers errors.Is for one of them.
var (
	// ErrSyntax: text that is not a map in the dialect being parsed.
	ErrSyntax = errors.New("invalid syntax")
	// ErrRange: a number out of range, or an extent that starts at
	// 4294967295 or reaches 2^32 on either side.
	ErrRange = errors.New("out of range: IDs run from 0 to 4294967294")
	// ErrOverlap: two extents overlap inside or outside the namespace.
	ErrOverlap = errors.New("extents overlap")
	// ErrTooMany: more than 340 extents.
	ErrTooMany = errors.New("more than 340 extents")
	// ErrTooLong: the map's text does not fit one write of under 4096
	// bytes (without its final newline, which the kernel does not need).
	ErrTooLong = errors.New("map text is 4096 bytes or longer")
	// ErrEmpty: an extent of size 0.
	ErrEmpty = errors.New("extent of size 0")
	// ErrNotInParent: an extent does not lie inside one extent of the
	// writer's own map; the kernel refuses such a write with EPERM.
	ErrNotInParent = errors.New("extent not inside one extent of the parent map")
	// ErrNotSupported: the operation needs Linux.
	ErrNotSupported = errors.New("not supported on this system")
	// ErrNoSubIDs: the user has no subordinate IDs, in /etc/subuid (or
	// subgid) nor from getsubids.
	ErrNoSubIDs = errors.New("no subordinate IDs")
)

// RangeError reports an extent that breaks one of the kernel's rules for
// maps. Err is one of the sentinel errors.
type RangeError struct {
	Index int   // index of the offending extent, or -1 for the map as a whole
	Range Range // the offending extent
	Err   error

	with *overlap // for ErrOverlap from New: the earlier extent
}

func (e *RangeError) Error() string {
	switch {
	case e.Err == ErrTooLong:
		return "idmap: " + e.Err.Error() + " (the kernel takes under 4096 bytes in one write: use fewer extents)"
	case e.Err == ErrTooMany:
		return fmt.Sprintf("idmap: %v (the kernel takes at most %d: merge adjacent extents or map fewer ranges)", e.Err, MaxRanges)
	case e.Index < 0:
		return "idmap: " + e.Err.Error()
	}
	s := fmt.Sprintf("idmap: extent %d (%s): %v", e.Index, e.Range, e.Err)
	switch r := e.Range; {
	case e.Err == ErrRange && r.Size > 0 && max(r.ContainerID, r.HostID) < 1<<32-1:
		return s + fmt.Sprintf("; its last ID would be %d", uint64(max(r.ContainerID, r.HostID))+uint64(r.Size)-1)
	case e.Err == ErrNotInParent:
		return s + " (map only IDs the parent maps, and split extents at the parent's with SplitParent)"
	case e.with != nil:
		return s + fmt.Sprintf(" %s with extent %d (%s)", e.with.side(), e.with.index, e.with.r)
	}
	return s
}

func (o *overlap) side() string {
	if o.host {
		return "outside"
	}
	return "inside"
}

func (e *RangeError) Unwrap() error { return e.Err }

// ParseError reports text that could not be parsed as a map, in the style
// of strconv.NumError. Err answers errors.Is for [ErrSyntax], [ErrRange] or
// another sentinel of this package.
type ParseError struct {
	Func  string // the parser, such as "ParseProc"
	Line  int    // 1-based line of the offending text, or 0
	Field int    // 1-based field (or extent, for one-line dialects), or 0
	Text  string // the offending text
	Err   error
}

func (e *ParseError) Error() string {
	s := "idmap." + e.Func + ": "
	if e.Line > 0 {
		s += "line " + strconv.Itoa(e.Line) + ": "
	}
	if e.Field > 0 {
		s += "field " + strconv.Itoa(e.Field) + ": "
	}
	return s + "parsing " + strconv.Quote(e.Text) + ": " + e.Err.Error()
}

func (e *ParseError) Unwrap() error { return e.Err }
