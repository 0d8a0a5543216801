package caps

import (
	"errors"
	"strconv"
)

var (
	// ErrNotSupported is returned outside Linux.
	ErrNotSupported = errors.New("caps: capabilities are only supported on Linux")
	// ErrUnknownName is wrapped by a *ParseError for a name that is no
	// capability in any dialect.
	ErrUnknownName = errors.New("unknown capability name (want one such as CAP_SYS_ADMIN, SYS_ADMIN, cap_sys_admin or sys_admin, or a number 0-63)")
	// ErrRange is wrapped by a *ParseError for a capability number above
	// 63, which the kernel's two 32-bit words cannot hold.
	ErrRange = errors.New("capability number out of range 0-63")
	// ErrNoProcess reports that the process does not exist (any more), or
	// that its pid now belongs to another process.
	ErrNoProcess = errors.New("no such process")
	// ErrNoFileCaps reports that a file has no security.capability
	// attribute.
	ErrNoFileCaps = errors.New("file has no capabilities")
)

// ParseError reports text that could not be parsed, in the manner of
// strconv.NumError: what was being parsed, where, and why.
type ParseError struct {
	Func  string // the function: "Parse", "ParseText", "ParseStatus"...
	Line  int    // 1-based line of multi-line input, 0 otherwise
	Field string // the field or element that failed, if any
	Text  string // the offending text
	Err   error  // the reason: ErrUnknownName, ErrRange, strconv.ErrSyntax...
}

// Error writes "caps.Func: line N: field: parsing "text": reason".
func (e *ParseError) Error() string {
	s := "caps." + e.Func + ": "
	if e.Line > 0 {
		s += "line " + strconv.Itoa(e.Line) + ": "
	}
	if e.Field != "" {
		s += e.Field + ": "
	}
	return s + "parsing " + strconv.Quote(e.Text) + ": " + e.Err.Error()
}

// Unwrap returns the reason, for errors.Is(err, ErrUnknownName) and the
// like.
func (e *ParseError) Unwrap() error { return e.Err }
