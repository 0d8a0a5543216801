package caps

import (
	"errors"
	"strconv"
	"strings"

	"github.com/nonroot-go/nonroot/internal/nsfs"
)

// Process is what a process can do and over what: its capability sets,
// what limits them, who it runs as, and the user namespace its
// capabilities belong to.
type Process struct {
	Pid  int
	PPid int
	// StartTime is the start time in clock ticks since boot (field 22 of
	// /proc/PID/stat). Pid and StartTime together name one process: a
	// reused pid has another start time. See [Process.Refresh].
	StartTime uint64
	// Command is the command name (comm): at most 15 bytes for a user
	// process, longer for kernel threads and workqueue workers
	// ("kworker/0:1-events"), whose names the kernel composes.
	Command string
	// Uid and Gid are as seen from the reader's user namespace; an id
	// unmapped there shows as the overflow id 65534.
	Uid, Gid IDs
	// Sets are the main thread's capability sets, in Namespace.
	Sets
	// NoNewPrivs is the no_new_privs bit: execve grants no capabilities.
	NoNewPrivs bool
	// Seccomp is the seccomp mode of the main thread.
	Seccomp Seccomp
	// Securebits are known only for the caller ([Self]); nil otherwise: no
	// /proc file shows another process's securebits.
	Securebits *Securebits
	// Namespace is the user namespace the capability sets belong to.
	Namespace Namespace
	// Threads lists the threads whose capability sets, no_new_privs or
	// seccomp mode differ from the main thread's; empty when all agree. A
	// scan compares only effective, permitted and inheritable unless told
	// otherwise: see [ScanOptions].
	Threads []Thread
}

// ScanOptions tune [Scan]. The zero value reads every process fully and
// checks its threads cheaply.
type ScanOptions struct {
	// SkipThreads reads only the main thread of each process.
	SkipThreads bool
	// ThreadStatus reads the status of every thread of a multi-threaded
	// process, so that a thread differing only in its bounding or ambient
	// set, no_new_privs or seccomp mode is reported too. By default the
	// other threads' effective, permitted and inheritable sets are compared
	// through capget(2), and only a thread that differs there has its
	// status read: reading every thread's status costs as much as reading
	// that many processes. Where /proc belongs to another pid namespace
	// than the caller's, capget cannot name the threads and every status
	// is read. [Of] and [Self] always read every thread.
	ThreadStatus bool
	// SkipNamespaces leaves Process.Namespace zero, saving a readlink of
	// /proc/PID/ns/user per process.
	SkipNamespaces bool
	// SkipStartTime leaves Process.StartTime zero, saving the read of
	// /proc/PID/stat, a third of a scan's cost. The scan still cannot mix
	// two processes under one pid (each process is read through its own
	// /proc/PID handle), but the caller cannot tell later whether the pid
	// still names the process: [Process.Refresh] refuses a zero StartTime.
	SkipStartTime bool
}

// IDs are the real, effective, saved and filesystem user or group ids.
type IDs struct{ Real, Effective, Saved, FS uint32 }

// Thread is a thread whose sets differ from its process's main thread.
type Thread struct {
	TID int
	Sets
	NoNewPrivs bool
	Seccomp    Seccomp
}

// Seccomp is a seccomp mode, as the Seccomp: line of /proc/PID/status.
type Seccomp uint8

const (
	SeccompDisabled Seccomp = 0 // no seccomp
	SeccompStrict   Seccomp = 1 // SECCOMP_MODE_STRICT: read, write, exit, sigreturn only
	SeccompFilter   Seccomp = 2 // SECCOMP_MODE_FILTER: BPF filters
	// SeccompDead is the kernel's internal SECCOMP_MODE_DEAD: seccomp is
	// killing the thread. A process whose main thread was killed that way
	// while others live on shows it for as long as they do.
	SeccompDead Seccomp = 3
)

var seccompNames = [...]string{"disabled", "strict", "filter", "dead"}

// String returns "disabled", "strict", "filter", "dead", or "seccomp(N)"
// for a mode newer than this package.
func (m Seccomp) String() string {
	if int(m) < len(seccompNames) {
		return seccompNames[m]
	}
	return "seccomp(" + strconv.Itoa(int(m)) + ")"
}

// NamespaceID identifies a user namespace: device and inode of
// /proc/PID/ns/user. Its String is the link text, "user:[4026531837]".
type NamespaceID = nsfs.ID

// Relation says where a user namespace lies relative to the reader's.
type Relation = nsfs.Relation

const (
	// Unknown: the reader may not look at the process's namespace
	// (/proc/PID/ns/user needs ptrace read access: the reader's own
	// processes, or CAP_SYS_PTRACE).
	Unknown = nsfs.Unknown
	// Same: the reader's own namespace; the capabilities count here.
	Same = nsfs.Same
	// Below: a namespace nested under the reader's; the capabilities count
	// only over what that namespace owns, never over the reader's objects.
	Below = nsfs.Below
	// Elsewhere: an ancestor of the reader's namespace or another branch.
	// An ancestor's capabilities outrank the reader's; a sibling's count
	// for nothing here. The kernel does not tell the two apart from below.
	Elsewhere = nsfs.Elsewhere
)

// InitialNamespace is the inode of the initial user namespace, the host's.
const InitialNamespace = nsfs.InitialIno

// Namespace describes the user namespace a process's capabilities belong
// to, as the reader sees it.
type Namespace struct {
	ID NamespaceID
	// Owner is the effective uid of the namespace's creator, in the
	// reader's namespace (65534 when unmapped there).
	Owner uint32
	// Relation to the reader's namespace; Unknown when it could not be read.
	Relation Relation
	// Depth below the reader's namespace: 0 for Same, 1 for a child, -1
	// for Elsewhere.
	Depth int
}

// Initial reports whether this is the initial (host) user namespace.
func (n Namespace) Initial() bool { return n.ID.Ino == InitialNamespace }

// String describes n as pscaps prints it: "user:[4026532177] below(1)
// owner 1001", "user:[4026531837] same owner 0", or "unknown".
func (n Namespace) String() string {
	switch n.Relation {
	case Unknown:
		if n.ID == (NamespaceID{}) {
			return "unknown"
		}
		return n.ID.String()
	case Below:
		return n.ID.String() + " below(" + strconv.Itoa(n.Depth) + ") owner " + strconv.FormatUint(uint64(n.Owner), 10)
	}
	return n.ID.String() + " " + n.Relation.String() + " owner " + strconv.FormatUint(uint64(n.Owner), 10)
}

// ProcessError reports a failure to read a process.
// errors.Is(err, ErrNoProcess) is true when the process is gone or its pid
// was reused.
type ProcessError struct {
	Pid int
	Op  string // "read status", "read stat", "refresh"...
	Err error
}

// Error says which pid failed, doing what, and why.
func (e *ProcessError) Error() string {
	if e.Pid == 0 {
		return "caps: " + e.Op + ": " + e.Err.Error()
	}
	return "caps: pid " + strconv.Itoa(e.Pid) + ": " + e.Op + ": " + e.Err.Error()
}

// Unwrap returns the cause: an *os.PathError or *os.SyscallError carrying
// the errno, a *ParseError, or why a refresh was refused.
func (e *ProcessError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrNoProcess) true for a process that is gone.
func (e *ProcessError) Is(target error) bool {
	return target == ErrNoProcess && (gone(e.Err) || e.Err == errReused)
}

var (
	errReused      = errors.New("pid reused by another process (start time differs)")
	errNoStartTime = errors.New("no start time to check the pid against (scanned with SkipStartTime)")
)

// MarshalText encodes m as its String form.
func (m Seccomp) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalText decodes the String form of a Seccomp mode, "seccomp(N)"
// included.
func (m *Seccomp) UnmarshalText(b []byte) error {
	for i, name := range seccompNames {
		if string(b) == name {
			*m = Seccomp(i)
			return nil
		}
	}
	if n, ok := strings.CutPrefix(string(b), "seccomp("); ok {
		if n, ok := strings.CutSuffix(n, ")"); ok {
			if v, err := strconv.ParseUint(n, 10, 8); err == nil {
				*m = Seccomp(v)
				return nil
			}
		}
	}
	return &ParseError{Func: "Seccomp.UnmarshalText", Text: string(b), Err: errors.New("want disabled, strict, filter, dead or seccomp(N)")}
}
