package limits

import (
	"errors"
	"fmt"
	"strconv"
)

var (
	// ErrNotSupported is returned where the operating system has no
	// rlimits of other processes, /proc or pam_limits: everywhere but Linux.
	ErrNotSupported = errors.New("limits: not supported on this operating system")

	// ErrUnknownResource is wrapped by a [ResourceError].
	ErrUnknownResource = errors.New("unknown resource")

	// ErrUnknownUser is returned by [LookupUser] and [LookupUID] when the
	// user is not in <root>/etc/passwd.
	ErrUnknownUser = errors.New("user not found")

	// ErrNeedsCapSysResource is wrapped by the error of [Set] when the
	// kernel refused to raise a hard limit. Raising a hard limit takes
	// CAP_SYS_RESOURCE in the initial user namespace; root inside a
	// container or a user namespace (unshare -r) usually does not have it.
	ErrNeedsCapSysResource = errors.New("raising a hard limit needs CAP_SYS_RESOURCE in the initial user namespace")

	// ErrNotYours is wrapped by the error of [Set] and [Get] when the
	// target process belongs to another user: prlimit(2) on another
	// process needs the caller's real, effective and saved uids (and gids)
	// to match the target's, or CAP_SYS_RESOURCE in the target's user
	// namespace.
	ErrNotYours = errors.New("the process belongs to another user (prlimit on it needs matching uids and gids, or CAP_SYS_RESOURCE over its user namespace)")

	// ErrSoftAboveHard is returned by [ParseRlimit] for a soft value above the
	// hard value, which the kernel rejects with EINVAL.
	ErrSoftAboveHard = errors.New("soft limit above hard limit")
)

// ResourceError reports a resource name that [ParseResource] does not
// know.
type ResourceError struct {
	Name string
}

// Error names the resource and the names that work.
func (e *ResourceError) Error() string {
	return fmt.Sprintf("limits: unknown resource %q (use a limits.conf name such as nofile or nproc, or RLIMIT_NOFILE)", e.Name)
}

// Unwrap returns [ErrUnknownResource].
func (e *ResourceError) Unwrap() error { return ErrUnknownResource }

// ParseError reports text that could not be parsed, in the manner of
// strconv.NumError: where it is (File and Line, when the text came from a
// file), which field, the text itself and why.
type ParseError struct {
	File  string // file name, or "" when not parsing a file
	Line  int    // 1-based line number, or 0
	Field string // what was being parsed: "domain", "value", "soft limit", ...
	Text  string // the offending text
	Err   error  // the reason
}

// Error returns "limits: file:line: parsing field \"text\": reason".
func (e *ParseError) Error() string {
	where := "limits: "
	if e.File != "" {
		where += e.File
		if e.Line > 0 {
			where += ":" + strconv.Itoa(e.Line)
		}
		where += ": "
	}
	return fmt.Sprintf("%sparsing %s %q: %v", where, e.Field, e.Text, e.Err)
}

// Unwrap returns the reason.
func (e *ParseError) Unwrap() error { return e.Err }

// OpError reports a failed operation on the limits of a process.
type OpError struct {
	Op       string   // "prlimit", "read", ...
	Pid      int      // the process, 0 for the caller
	Resource Resource // the resource concerned, or -1
	Err      error    // the cause; often an *os.SyscallError
	Hint     string   // what to do about it, or ""
}

// Error returns the operation, pid, resource, cause and hint.
func (e *OpError) Error() string {
	s := "limits: " + e.Op
	if e.Pid != 0 {
		s += " pid " + strconv.Itoa(e.Pid)
	}
	if e.Resource >= 0 {
		s += " " + e.Resource.String()
	}
	s += ": " + e.Err.Error()
	if e.Hint != "" {
		s += " (" + e.Hint + ")"
	}
	return s
}

// Unwrap returns the cause.
func (e *OpError) Unwrap() error { return e.Err }

// causeError pairs a system error with the sentinel that explains it;
// errors.Is finds both.
type causeError struct{ err, why error }

func because(err, why error) error { return &causeError{err, why} }

func (e *causeError) Error() string   { return e.err.Error() + ": " + e.why.Error() }
func (e *causeError) Unwrap() []error { return []error{e.err, e.why} }
