package idmap

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// errShownUnmapped is what ParseProc reports for a host ID of
// 4294967295: what /proc shows for an extent whose first host ID the
// reader's own namespace does not map.
var errShownUnmapped = fmt.Errorf("%w; /proc shows 4294967295 where the reader's namespace does not map the ID; read the map from the namespace's parent or the host", ErrRange)

// ParseProc parses the text of /proc/PID/uid_map or gid_map, or text to
// be written there: one extent per line as "inner outer count", fields
// separated by any of C's blanks (space, tab, \r, \v, \f), as the kernel
// takes them (it shows them right-aligned in columns of 10), the last
// newline optional. It reads what
// the kernel reads, except that a number above 4294967295 is an error
// ([ErrRange]) where the kernel silently keeps its low 32 bits, and a NUL
// byte is [ErrSyntax] where the kernel silently stops reading.
//
// Empty text is the zero Map: the map of a namespace whose map has not
// been written. A blank line, or a line without exactly three decimal
// numbers, is [ErrSyntax], as the kernel refuses it. The resulting map
// must obey the rules [New] checks; the length limit applies to the text
// [Map.WriteTo] would write, not to s, so the padded text /proc shows of
// a map of 340 extents parses. Errors are *[ParseError] naming the line
// and field.
func ParseProc(s string) (Map, error) { return parseProc(s, true) }

// parseProc is ParseProc; with text false it accepts a map whose text
// is too long for one write, as the kernel may show one (ReadUIDMap).
func parseProc(s string, checkText bool) (Map, error) {
	if s == "" {
		return Map{}, nil
	}
	text := strings.TrimSuffix(s, "\n")
	ranges := make([]Range, 0, strings.Count(text, "\n")+1)
	line := 0
	for l := range strings.SplitSeq(text, "\n") {
		line++
		r, err := parseProcLine(l, line)
		if err != nil {
			return Map{}, err
		}
		ranges = append(ranges, r)
	}
	m, err := newMap(ranges, checkText)
	if err != nil {
		return Map{}, rangeToParse("ParseProc", err, func(i int, pe *ParseError) {
			pe.Line, pe.Text = i+1, nthLine(text, i)
		}, s)
	}
	return m, nil
}

// nthLine returns line i (from 0) of text, for an error.
func nthLine(text string, i int) string {
	for l := range strings.SplitSeq(text, "\n") {
		if i == 0 {
			return l
		}
		i--
	}
	return ""
}

func parseProcLine(l string, line int) (Range, error) {
	var f [3]uint32
	n := 0
	for i := 0; ; {
		for i < len(l) && isCSpace(l[i]) {
			i++
		}
		if i == len(l) {
			break
		}
		start := i
		for i < len(l) && !isCSpace(l[i]) {
			i++
		}
		field := l[start:i]
		n++
		if n > 3 {
			return Range{}, &ParseError{Func: "ParseProc", Line: line, Field: n, Text: field, Err: ErrSyntax}
		}
		v, err := parseDecimal(field)
		if err == nil && n == 2 && v == 1<<32-1 {
			err = errShownUnmapped
		}
		if err != nil {
			return Range{}, &ParseError{Func: "ParseProc", Line: line, Field: n, Text: field, Err: err}
		}
		f[n-1] = v
	}
	if n != 3 {
		return Range{}, &ParseError{Func: "ParseProc", Line: line, Field: n + 1, Text: l, Err: fmt.Errorf("%w: want three fields \"inner outer count\"", ErrSyntax)}
	}
	return Range{ContainerID: f[0], HostID: f[1], Size: f[2]}, nil
}

func isCSpace(c byte) bool { return c == ' ' || c-'\t' <= '\r'-'\t' }

// cSpace is C's isspace set, which the kernel's parser uses.
const cSpace = " \t\n\v\f\r"

// parseDecimal parses digits only: no sign, no base prefix, no
// underscores (strconv.ParseUint with base 10 takes none of these
// either, but says so less precisely).
func parseDecimal(s string) (uint32, error) {
	if s == "" {
		return 0, ErrSyntax
	}
	var v uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, ErrSyntax
		}
		v = v*10 + uint64(c-'0')
		if v > 1<<32-1 {
			// Keep scanning so that "99999x" is a syntax error, not a range one.
			for _, c := range []byte(s[i:]) {
				if c < '0' || c > '9' {
					return 0, ErrSyntax
				}
			}
			return 0, ErrRange
		}
	}
	return uint32(v), nil
}

// rangeToParse turns a *RangeError from New into a *ParseError of fn;
// locate fills in where the offending extent of index i was written.
func rangeToParse(fn string, err error, locate func(i int, pe *ParseError), input string) error {
	var re *RangeError
	if !errors.As(err, &re) {
		return err
	}
	pe := &ParseError{Func: fn, Text: abbreviate(input), Err: re.Err}
	if re.Index >= 0 {
		locate(re.Index, pe)
	}
	if re.with != nil {
		var other ParseError
		locate(re.with.index, &other)
		where := "field " + strconv.Itoa(other.Field)
		if other.Line > 0 {
			where = "line " + strconv.Itoa(other.Line)
		}
		pe.Err = fmt.Errorf("%w %s with %s", re.Err, re.with.side(), where)
	}
	return pe
}

func abbreviate(s string) string {
	if len(s) <= 40 {
		return s
	}
	return s[:37] + "..."
}
