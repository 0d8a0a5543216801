package limits

import (
	"errors"
	"strings"
)

type domainKind int

const (
	domName    domainKind = iota // a user name, or a uid range
	domGroup                     // @group, @:gid, @min:max, @min:
	domPercent                   // %group, %:gid, %
	domDefault                   // *
)

type rangeKind int

const (
	rangeNone rangeKind = iota // no colon
	rangeOne                   // :n
	rangeMin                   // min:
	rangeMM                    // min:max
)

// domain is a parsed limits.conf domain.
type domain struct {
	kind     domainKind
	rng      rangeKind
	name     string // group name after @ or %, or the whole domain
	min, max uint32
}

var (
	errRangeMin = errors.New("bad minimum")
	errRangeMax = errors.New("bad maximum")
)

// parseDomain reads a domain as pam_limits' parse_uid_range does: the
// first colon makes a range; numbers go through strtoul and are then
// truncated to 32 bits, as the C code stores them in a uid_t.
func parseDomain(s string) (domain, error) {
	d := domain{name: s}
	switch {
	case s == "*":
		d.kind = domDefault
	case strings.HasPrefix(s, "@"):
		d.kind, d.name = domGroup, s[1:]
	case strings.HasPrefix(s, "%"):
		d.kind, d.name = domPercent, s[1:]
	}
	colon := strings.IndexByte(s, ':')
	if colon < 0 {
		return d, nil
	}
	rng := s
	if rng[0] == '@' || rng[0] == '%' {
		rng = rng[1:]
		colon--
	}
	maxText := rng[colon+1:]
	if colon == 0 {
		d.rng = rangeOne
	} else {
		v, n, ok := strtoul(rng)
		if !ok || n == 0 || n != colon {
			return d, errRangeMin
		}
		d.min = uint32(v)
		d.rng = rangeMM
	}
	if maxText == "" {
		if d.rng == rangeOne {
			return d, errRangeMax
		}
		d.rng = rangeMin
		return d, nil
	}
	v, n, ok := strtoul(maxText)
	if !ok || n == 0 || n != len(maxText) {
		return d, errRangeMax
	}
	d.max = uint32(v)
	if d.rng == rangeOne {
		d.min = d.max
	}
	return d, nil
}

// strtoul mimics C's strtoul(s, &end, 10) on a 64-bit system: leading
// white space, an optional sign (a minus negates the result modulo 2^64),
// then decimal digits. It returns the value, the number of bytes
// consumed (0 when no digits were read) and false on overflow (ERANGE;
// the value is then the maximum).
func strtoul(s string) (v uint64, n int, ok bool) {
	i := 0
	for i < len(s) && cSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	start := i
	ok = true
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		d := uint64(s[i] - '0')
		if v > (^uint64(0)-d)/10 {
			ok = false
		}
		if ok {
			v = v*10 + d
		}
		i++
	}
	if i == start {
		return 0, 0, true
	}
	if !ok {
		return ^uint64(0), i, false
	}
	if neg {
		v = -v
	}
	return v, i, true
}

// strtol mimics C's strtol(s, &end, 10) on a 64-bit system, saturating at
// the int64 bounds as strtol does on ERANGE. n is 0 when no digits were
// read.
func strtol(s string) (v int64, n int) {
	i := 0
	for i < len(s) && cSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	start := i
	var u uint64
	over := false
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		d := uint64(s[i] - '0')
		if u > (1<<63-d)/10 {
			over = true
		} else {
			u = u*10 + d
		}
		i++
	}
	if i == start {
		return 0, 0
	}
	switch {
	case neg && (over || u > 1<<63):
		return -1 << 63, i
	case neg:
		return -int64(u), i
	case over || u > 1<<63-1:
		return 1<<63 - 1, i
	}
	return int64(u), i
}
