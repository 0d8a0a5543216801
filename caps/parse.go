package caps

import (
	"strconv"
	"strings"
)

// Dialect is a way of writing capability names.
type Dialect uint8

const (
	// Libcap is libcap's text form, cap_sys_admin (cap_to_text, getpcaps,
	// capsh --print).
	Libcap Dialect = iota
	// Kernel is the kernel's constant, CAP_SYS_ADMIN (capability.h, the
	// OCI runtime spec, containerd).
	Kernel
	// Docker is docker's --cap-add form, SYS_ADMIN.
	Docker
	// Libcapng is libcap-ng's form, sys_admin (pscap, captest, filecap).
	Libcapng
	// Number is the decimal value, 21.
	Number
)

// Name returns v's name in dialect d. Capabilities without a known name
// are written as decimal numbers in every dialect.
func Name(v Value, d Dialect) string {
	if v >= NamedCount || d == Number {
		return strconv.FormatUint(uint64(v), 10)
	}
	n := names[v]
	switch d {
	case Kernel:
		return "CAP_" + strings.ToUpper(n)
	case Docker:
		return strings.ToUpper(n)
	case Libcapng:
		return n
	}
	return "cap_" + n
}

// ParseValue parses one capability in any dialect: CAP_SYS_ADMIN,
// SYS_ADMIN, cap_sys_admin, sys_admin, in any case, or a number from 0 to
// 63 read as libcap reads it (strtoul base 0: 21, 025 and 0x15 are all
// cap_sys_admin; numbers above the name table are kept as numbers).
// Surrounding spaces are ignored. It fails with a *ParseError wrapping
// ErrUnknownName or ErrRange.
func ParseValue(s string) (Value, error) {
	v, err := parseValue(strings.TrimSpace(s))
	if err != nil {
		return 0, &ParseError{Func: "ParseValue", Text: s, Err: err}
	}
	return v, nil
}

func parseValue(s string) (Value, error) {
	if s == "" {
		return 0, ErrUnknownName
	}
	if s[0] >= '0' && s[0] <= '9' {
		n, err := parseCNumber(s)
		if err != nil {
			if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
				return 0, ErrRange
			}
			return 0, ErrUnknownName
		}
		if n > 63 {
			return 0, ErrRange
		}
		return Value(n), nil
	}
	// Names are ASCII: a cheap lower-casing avoids allocating for the
	// common lower-case input.
	l := s
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			l = strings.ToLower(s)
			break
		}
	}
	l = strings.TrimPrefix(l, "cap_")
	if v, ok := byName[l]; ok {
		return v, nil
	}
	return 0, ErrUnknownName
}

// Parse parses a list of capabilities separated by commas, each in any
// dialect [ParseValue] accepts, with spaces around the commas allowed:
// "CAP_CHOWN,sys_admin, NET_RAW, 12". It also accepts
//
//   - "ALL" (any case), as docker's --cap-add=ALL does: every capability
//     of the running kernel ([Supported]);
//   - a hex mask with a 0x prefix, as capsh --decode takes: "0xa80425fb";
//   - libcap's text form, "cap_sys_admin,cap_chown=ep" or "=ep
//     cap_sys_admin-ep": the capabilities it raises in any of the
//     effective, permitted and inheritable sets. [ParseText] keeps the
//     three apart.
//
// The empty string (or only spaces) is the empty Set, so Parse reads back
// what [Set.String] writes. An empty element ("chown,,kill") is an error.
// Errors are *ParseError wrapping ErrUnknownName, ErrRange or
// strconv.ErrSyntax.
func Parse(s string) (Set, error) {
	if strings.TrimSpace(s) == "" {
		return 0, nil
	}
	if strings.ContainsAny(s, "=+-") {
		t, err := ParseText(s)
		if err != nil {
			return 0, err
		}
		return t.Effective | t.Permitted | t.Inheritable, nil
	}
	var set Set
	for elem := range strings.SplitSeq(s, ",") {
		e := strings.TrimSpace(elem)
		switch {
		case strings.EqualFold(e, "all"):
			set |= Supported()
		case len(e) > 2 && e[0] == '0' && (e[1] == 'x' || e[1] == 'X'):
			m, err := strconv.ParseUint(e[2:], 16, 64)
			if err != nil {
				return 0, &ParseError{Func: "Parse", Field: "mask", Text: e, Err: strconv.ErrSyntax}
			}
			set |= Set(m)
		default:
			v, err := parseValue(e)
			if err != nil {
				return 0, &ParseError{Func: "Parse", Text: e, Err: err}
			}
			set |= 1 << v
		}
	}
	return set, nil
}

// MustParse is like [Parse] but panics on an error. It is meant for
// package-level variables initialised from constant text.
func MustParse(s string) Set {
	set, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return set
}

// parseCNumber reads a number as libcap does (strtoul with base 0): "0x"
// or "0X" then hex, a leading 0 then octal, else decimal; so "010" is
// capability 8 (cap_setpcap), as for setcap and capsh, and "08" is no
// number.
func parseCNumber(s string) (uint64, error) {
	base := 10
	switch {
	case len(s) > 2 && (s[:2] == "0x" || s[:2] == "0X"):
		base, s = 16, s[2:]
	case len(s) > 1 && s[0] == '0':
		base, s = 8, s[1:]
	}
	return strconv.ParseUint(s, base, 64)
}
