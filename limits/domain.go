package limits

import (
	"errors"
	"math"
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

// cNumber reads what C's strtoul and strtol read in base 10: leading
// white space, an optional sign, decimal digits. It returns the magnitude
// (stopping at limit, with over set when the digits go beyond it),
// whether a minus sign came first, and the bytes consumed (0 when no
// digits were read).
func cNumber(s string, limit uint64) (v uint64, neg, over bool, n int) {
	i := 0
	for i < len(s) && cSpace(s[i]) {
		i++
	}
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	start := i
	for ; i < len(s) && '0' <= s[i] && s[i] <= '9'; i++ {
		d := uint64(s[i] - '0')
		if over || v > (limit-d)/10 {
			over = true
			continue
		}
		v = v*10 + d
	}
	if i == start {
		return 0, false, false, 0
	}
	return v, neg, over, i
}

// strtoul mimics C's strtoul(s, &end, 10) on a 64-bit system: a minus
// negates the result modulo 2^64. It returns the value, the number of
// bytes consumed (0 when no digits were read) and false on overflow
// (ERANGE; the value is then the maximum).
func strtoul(s string) (uint64, int, bool) {
	v, neg, over, n := cNumber(s, math.MaxUint64)
	switch {
	case n == 0:
		return 0, 0, true
	case over:
		return math.MaxUint64, n, false
	case neg:
		return -v, n, true
	}
	return v, n, true
}

// strtol mimics C's strtol(s, &end, 10) on a 64-bit system, saturating at
// the int64 bounds as strtol does on ERANGE. n is 0 when no digits were
// read.
func strtol(s string) (int64, int) {
	v, neg, over, n := cNumber(s, 1<<63)
	switch {
	case n == 0:
		return 0, 0
	case neg && over:
		return math.MinInt64, n
	case neg:
		return -int64(v), n // 1<<63 wraps to MinInt64, as wanted
	case over || v > math.MaxInt64:
		return math.MaxInt64, n
	}
	return int64(v), n
}
