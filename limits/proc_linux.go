//go:build linux

package limits

import (
	"errors"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// ReadProcLimits reads /proc/PID/limits (pid 0: the caller). Any user
// may read any process's limits.
func ReadProcLimits(pid int) (map[Resource]Rlimit, error) {
	path := "/proc/self/limits"
	if pid != 0 {
		path = "/proc/" + strconv.Itoa(pid) + "/limits"
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &OpError{Op: "read", Pid: pid, Resource: -1, Err: err}
	}
	m, err := ParseProcLimits(data)
	if err != nil {
		var pe *ParseError
		if errors.As(err, &pe) {
			pe.File = path
		}
		return nil, err
	}
	return m, nil
}

func prlimit(pid int, r Resource, set, old *unix.Rlimit) error {
	for {
		err := unix.Prlimit(pid, int(r), set, old)
		if err != unix.EINTR {
			if err != nil {
				return os.NewSyscallError("prlimit", err)
			}
			return nil
		}
	}
}

// Get returns the soft and hard limit of resource r of process pid (0:
// the caller) with prlimit(2). Reading another process's limits needs
// the same real, effective and saved uids and gids as it, or
// CAP_SYS_RESOURCE; [ReadProcLimits] needs nothing.
//
// A Go program's own soft RLIMIT_NOFILE is not what it inherited: the
// runtime raises it to the hard limit at start and restores the original
// for the children it starts (unless the program sets RLIMIT_NOFILE
// itself).
func Get(pid int, r Resource) (Rlimit, error) {
	if !r.valid() {
		return Rlimit{}, &ResourceError{Name: r.String()}
	}
	var old unix.Rlimit
	if err := prlimit(pid, r, nil, &old); err != nil {
		return Rlimit{}, opError("prlimit", pid, r, err, Rlimit{}, false)
	}
	return Rlimit{Soft: old.Cur, Hard: old.Max}, nil
}

// Set sets resource r of process pid (0: the caller) to l with
// prlimit(2). Lowering needs no privilege over one's own processes;
// raising a hard limit needs CAP_SYS_RESOURCE in the initial user
// namespace, which root in a container or user namespace usually lacks
// (the error then wraps [ErrNeedsCapSysResource]); another user's
// process needs CAP_SYS_RESOURCE too ([ErrNotYours]). The kernel also
// refuses a soft value above the hard one, and a nofile above
// /proc/sys/fs/nr_open (EINVAL, EPERM).
func Set(pid int, r Resource, l Rlimit) error {
	if !r.valid() {
		return &ResourceError{Name: r.String()}
	}
	if l.Soft > l.Hard {
		return &OpError{Op: "prlimit", Pid: pid, Resource: r, Err: ErrSoftAboveHard, Hint: "the kernel refuses it with EINVAL"}
	}
	set := unix.Rlimit{Cur: l.Soft, Max: l.Hard}
	var old unix.Rlimit
	if err := prlimit(pid, r, &set, &old); err != nil {
		return opError("prlimit", pid, r, err, l, true)
	}
	return nil
}

// opError explains an EPERM from prlimit.
func opError(op string, pid int, r Resource, err error, want Rlimit, setting bool) error {
	e := &OpError{Op: op, Pid: pid, Resource: r, Err: err}
	if !errors.Is(err, unix.EPERM) {
		if errors.Is(err, unix.ESRCH) {
			e.Hint = "no such process"
		}
		return e
	}
	if !setting {
		e.Err = because(err, ErrNotYours)
		e.Hint = "read /proc/PID/limits instead, which needs no privilege"
		return e
	}
	cur, gerr := Get(pid, r)
	switch {
	case r == NOFILE && want.Hard > nrOpen():
		// The kernel checks this before any capability: no one may.
		e.Hint = "fs.nr_open is " + FormatValue(nrOpen()) + " and the kernel refuses a nofile limit above it (" + FormatValue(want.Hard) +
			") to every process, root included; ask for at most that, or raise the sysctl fs.nr_open first"
	case gerr == nil && want.Hard > cur.Hard:
		e.Err = because(err, ErrNeedsCapSysResource)
		e.Hint = "hard limit " + FormatValue(cur.Hard) + " -> " + FormatValue(want.Hard) + "; root in a container, in unshare -r or under a bounding set without it lacks it (bit 24 of CapEff in /proc/self/status); lower limits only, or raise from a process that has it"
	default:
		e.Err = because(err, ErrNotYours)
	}
	return e
}

// Apply sets every limit of m on process pid, in resource order, going on
// after a failure; it returns the failures joined. It is how a parent
// gives a child started by package userns its limits before the child
// runs; the needs are those of [Set].
func Apply(pid int, m map[Resource]Rlimit) error {
	var errs []error
	for _, r := range Resources() {
		if l, ok := m[r]; ok {
			if err := Set(pid, r, l); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// Apply sets the limits of r on process pid as pam_limits of r's flavour
// would: it tries every resource, as setup_limits does; Debian skips a
// limit the kernel refuses with EPERM (returned in skipped), upstream
// counts it as a failure, which fails the whole session. The failures
// come back joined. An exempt user gets nothing. Priority, nonewprivs
// and chroot are not applied.
func (r Result) Apply(pid int) (skipped []Resource, err error) {
	m := r.Rlimits()
	var errs []error
	for _, res := range Resources() {
		l, ok := m[res]
		if !ok {
			continue
		}
		if err := Set(pid, res, l); err != nil {
			if r.Flavor == Debian && errors.Is(err, unix.EPERM) {
				skipped = append(skipped, res)
				continue
			}
			errs = append(errs, err)
		}
	}
	return skipped, errors.Join(errs...)
}

// SystemStart reads what pam_limits starts from on the running system:
// PID 1's limits, /proc/sys/fs/nr_open, and as the caller's limits this
// process's own (with the soft RLIMIT_NOFILE the Go runtime raised: see
// [Get]). It returns what it could read with the errors joined.
func SystemStart() (Start, error) {
	var s Start
	var errs []error
	var err error
	if s.PID1, err = ReadProcLimits(1); err != nil {
		errs = append(errs, err)
	}
	if s.Caller, err = ReadProcLimits(0); err != nil {
		errs = append(errs, err)
	}
	if s.NrOpen, err = readNrOpen(); err != nil {
		errs = append(errs, err)
	}
	return s, errors.Join(errs...)
}

// OpenFiles counts the open file descriptors of process pid (0: the
// caller) in /proc/PID/fd and returns them with its RLIMIT_NOFILE, read
// from /proc/PID/limits. Listing another user's descriptors needs
// ptrace access to it (root, or CAP_SYS_PTRACE).
func OpenFiles(pid int) (int, Rlimit, error) {
	dir := "/proc/self/fd"
	if pid != 0 {
		dir = "/proc/" + strconv.Itoa(pid) + "/fd"
	}
	f, err := os.Open(dir)
	if err != nil {
		return 0, Rlimit{}, &OpError{Op: "count fds", Pid: pid, Resource: NOFILE, Err: err}
	}
	names, err := f.Readdirnames(-1)
	f.Close()
	if err != nil {
		return 0, Rlimit{}, &OpError{Op: "count fds", Pid: pid, Resource: NOFILE, Err: err}
	}
	n := len(names)
	if pid == 0 || pid == os.Getpid() {
		n-- // the descriptor that read the directory
	}
	m, err := ReadProcLimits(pid)
	if err != nil {
		return n, Rlimit{}, err
	}
	return n, m[NOFILE], nil
}

// readNrOpen reads /proc/sys/fs/nr_open, the highest nofile limit the
// kernel takes.
func readNrOpen() (uint64, error) {
	b, err := os.ReadFile("/proc/sys/fs/nr_open")
	if err != nil {
		return 0, err
	}
	return strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
}

// nrOpen is readNrOpen, or Unlimited where it cannot say.
func nrOpen() uint64 {
	n, err := readNrOpen()
	if err != nil {
		return Unlimited
	}
	return n
}
