package limits

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"
)

// Expected values are what glibc's strtoul and strtol return on amd64.
func TestCNumbers(t *testing.T) {
	for _, c := range []struct {
		in  string
		u   uint64
		un  int
		uok bool
		l   int64
		ln  int
	}{
		{"10abc", 10, 2, true, 10, 2},
		{"0x10", 0, 1, true, 0, 1},
		{" +5", 5, 3, true, 5, 3},
		{"-5", math.MaxUint64 - 4, 2, true, -5, 2},
		{"abc", 0, 0, true, 0, 0},
		{"-", 0, 0, true, 0, 0},
		{"18446744073709551615", math.MaxUint64, 20, true, math.MaxInt64, 20},
		{"18446744073709551616", math.MaxUint64, 20, false, math.MaxInt64, 20},
		{"9223372036854775807", math.MaxInt64, 19, true, math.MaxInt64, 19},
		{"9223372036854775808", 1 << 63, 19, true, math.MaxInt64, 19},
		{"-9223372036854775808", 1 << 63, 20, true, math.MinInt64, 20},
		{"-9223372036854775809", 1<<63 - 1, 20, true, math.MinInt64, 20},
		{"-18446744073709551615", 1, 21, true, math.MinInt64, 21},
		{"-99999999999999999999", math.MaxUint64, 21, false, math.MinInt64, 21},
	} {
		u, un, uok := strtoul(c.in)
		if u != c.u || un != c.un || uok != c.uok {
			t.Errorf("strtoul(%q) = %d, %d, %v; want %d, %d, %v", c.in, u, un, uok, c.u, c.un, c.uok)
		}
		l, ln := strtol(c.in)
		if l != c.l || ln != c.ln {
			t.Errorf("strtol(%q) = %d, %d; want %d, %d", c.in, l, ln, c.l, c.ln)
		}
	}
}

func TestParseValueErrors(t *testing.T) {
	for in, cause := range map[string]error{"lots": strconv.ErrSyntax, "18446744073709551616": strconv.ErrRange, "": strconv.ErrSyntax, "-2": strconv.ErrSyntax} {
		_, err := ParseValue(in)
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Text != in || !errors.Is(err, cause) || !strings.Contains(err.Error(), "unlimited") {
			t.Errorf("ParseValue(%q) = %v, want a *ParseError wrapping %v that names the accepted forms", in, err, cause)
		}
	}
}
