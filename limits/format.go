package limits

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// FormatValue formats one limit value: its decimal number, or "unlimited"
// for [Unlimited], as /proc/PID/limits and prlimit(1) print them.
func FormatValue(v uint64) string {
	if v == Unlimited {
		return "unlimited"
	}
	return strconv.FormatUint(v, 10)
}

// ParseValue parses one limit value: a decimal number, or "unlimited",
// "infinity" or "-1" for [Unlimited].
func ParseValue(s string) (uint64, error) {
	switch strings.ToLower(s) {
	case "unlimited", "infinity", "-1":
		return Unlimited, nil
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		// The cause stays strconv.ErrSyntax or ErrRange for errors.Is.
		return 0, &ParseError{Field: "limit value", Text: s, Err: fmt.Errorf("%w (want a decimal number below 2^64, or unlimited, infinity or -1)", errors.Unwrap(err))}
	}
	return v, nil
}

// String formats l as "soft:hard", the form docker's --ulimit and
// prlimit(1) take, with "unlimited" for [Unlimited].
func (l Rlimit) String() string {
	return FormatValue(l.Soft) + ":" + FormatValue(l.Hard)
}

// ParseRlimit parses "soft:hard" or a single value that sets both, each
// part as [ParseValue] reads it. A soft value above the hard value is an
// error ([ErrSoftAboveHard]), since the kernel refuses it.
func ParseRlimit(s string) (Rlimit, error) {
	softText, hardText, two := strings.Cut(s, ":")
	soft, err := ParseValue(softText)
	if err != nil {
		return Rlimit{}, withField(err, "soft limit")
	}
	if !two {
		return Rlimit{Soft: soft, Hard: soft}, nil
	}
	hard, err := ParseValue(hardText)
	if err != nil {
		return Rlimit{}, withField(err, "hard limit")
	}
	if soft > hard {
		return Rlimit{}, &ParseError{Field: "rlimit", Text: s, Err: ErrSoftAboveHard}
	}
	return Rlimit{Soft: soft, Hard: hard}, nil
}

func withField(err error, field string) error {
	var pe *ParseError
	if errors.As(err, &pe) {
		pe.Field = field
	}
	return err
}
