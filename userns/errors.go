package userns

import (
	"errors"
	"os"
	"strconv"

	"github.com/nonroot-go/nonroot/idmap"
)

// Sentinel errors. Every error this package returns is an *[Error] whose
// errors.Is answers for one of these where it applies, and for the
// underlying cause (an errno, fs.ErrNotExist, idmap.ErrNotInParent...).
var (
	// ErrNotSupported: this system cannot create user namespaces at all
	// (not Linux, or a kernel built without CONFIG_USER_NS).
	ErrNotSupported = errors.New("user namespaces are not supported on this system")
	// ErrDisabled: the kernel supports user namespaces but a setting
	// forbids this caller to create one: user.max_user_namespaces is 0,
	// Ubuntu's kernel.apparmor_restrict_unprivileged_userns is 1, or
	// Debian's old kernel.unprivileged_userns_clone is 0.
	ErrDisabled = errors.New("user namespaces are disabled for this caller")
	// ErrNestingLimit: the new namespace would be nested deeper than the
	// kernel allows (33 levels below the initial namespace on current
	// kernels; clone fails with ENOSPC).
	ErrNestingLimit = errors.New("user namespace nesting limit reached")
	// ErrNoInit: the command needs the stage (the program re-executed
	// through /proc/self/exe) but the program did not call [Init] first
	// thing in main or TestMain.
	ErrNoInit = errors.New("userns.Init was not called")
	// ErrNoHelper: newuidmap or newgidmap is missing or not setuid root.
	ErrNoHelper = errors.New("newuidmap/newgidmap unavailable")
	// ErrNoSubIDs: a requested host range is not granted to the caller in
	// /etc/subuid or /etc/subgid. It is idmap.ErrNoSubIDs, so either name
	// matches.
	ErrNoSubIDs = idmap.ErrNoSubIDs
	// ErrSetfcap: the map maps host uid 0, which since Linux 5.12 needs
	// CAP_SETFCAP in the parent namespace.
	ErrSetfcap = errors.New("mapping uid 0 of the parent namespace needs CAP_SETFCAP")
	// ErrInvalid: the Cmd asks for something that contradicts itself or
	// the kernel's rules (ambient capabilities outside the permitted set,
	// supplementary groups with setgroups denied, ...).
	ErrInvalid = errors.New("invalid command configuration")
)

// Error is the error of every operation of this package. Op names what
// failed ("start", "newuidmap", "stage setresuid", ...), Pid the child's
// process ID once there is one, Err the cause. Kind is the sentinel the
// error answers errors.Is for, or nil; Hint says what to do about it.
type Error struct {
	Op   string
	Pid  int
	Kind error
	Err  error
	Hint string
}

func (e *Error) Error() string {
	s := "userns: " + e.Op
	if e.Pid > 0 {
		s += " (pid " + strconv.Itoa(e.Pid) + ")"
	}
	switch {
	case e.Err != nil && e.Kind != nil && e.Err != e.Kind:
		s += ": " + e.Kind.Error() + ": " + e.Err.Error()
	case e.Err != nil:
		s += ": " + e.Err.Error()
	case e.Kind != nil:
		s += ": " + e.Kind.Error()
	}
	if e.Hint != "" {
		s += " (" + e.Hint + ")"
	}
	return s
}

// Unwrap returns the sentinel and the cause, so errors.Is and errors.As
// see both.
func (e *Error) Unwrap() []error {
	var errs []error
	if e.Kind != nil {
		errs = append(errs, e.Kind)
	}
	if e.Err != nil && e.Err != e.Kind {
		errs = append(errs, e.Err)
	}
	return errs
}

// Is reports os.ErrPermission for the refusals that are a matter of
// privilege even when the library refused before the kernel could.
func (e *Error) Is(target error) bool {
	if target != os.ErrPermission {
		return false
	}
	switch e.Kind {
	case ErrDisabled, ErrNoSubIDs, ErrSetfcap, idmap.ErrNotInParent:
		return true
	}
	return false
}
