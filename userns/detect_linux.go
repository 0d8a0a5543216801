//go:build linux

package userns

import (
	"bytes"
	"errors"
	"os"
	"strconv"
	"sync"
	"syscall"

	"github.com/nonroot-go/nonroot/idmap"
	"github.com/nonroot-go/nonroot/internal/nsfs"
)

func isInitial() (bool, error) { return nsfs.IsInitial() }

var runningInUserNS = sync.OnceValue(func() bool {
	if initial, err := nsfs.IsInitial(); err == nil {
		return !initial
	}
	// Without access to /proc/self/ns/user, fall back to the map the
	// initial namespace shows (as runc and moby do).
	b, err := os.ReadFile("/proc/self/uid_map")
	if err != nil {
		return false
	}
	f := bytes.Fields(b)
	return !(len(f) == 3 && string(f[0]) == "0" && string(f[1]) == "0" && string(f[2]) == "4294967295")
})

// RunningInUserNS reports whether the calling process runs in a user
// namespace other than the initial one. It is computed once (a process
// cannot change its user namespace once it has threads, and every Go
// program has) and costs nothing after. It needs no privilege.
func RunningInUserNS() bool { return runningInUserNS() }

// Inspect reports where process pid stands: its maps, its user namespace
// and that namespace's place in the tree. Pid 0 is the caller. Reading
// another process needs ptrace read access to it (the same user, or
// CAP_SYS_PTRACE).
func Inspect(pid int) (*Report, error) {
	dir := "/proc/self"
	if pid != 0 {
		dir = "/proc/" + strconv.Itoa(pid)
	}
	r := &Report{PID: pid}
	if pid == 0 {
		r.PID = os.Getpid()
	}
	var err error
	if r.UIDMap, err = idmap.ReadUIDMap(pid); err != nil {
		return nil, &Error{Op: "inspect", Pid: r.PID, Err: err}
	}
	if r.GIDMap, err = idmap.ReadGIDMap(pid); err != nil {
		return nil, &Error{Op: "inspect", Pid: r.PID, Err: err}
	}
	b, err := os.ReadFile(dir + "/setgroups")
	if err != nil {
		return nil, &Error{Op: "inspect", Pid: r.PID, Err: err}
	}
	r.Setgroups = string(trimSpace(b)) == "allow"
	info, err := nsfs.Describe(pid)
	if err != nil {
		return nil, &Error{Op: "inspect", Pid: r.PID, Err: err}
	}
	r.Namespace = NamespaceID{Dev: info.ID.Dev, Ino: info.ID.Ino}
	r.Initial = info.ID.Ino == nsfs.InitialIno
	r.Owner = info.Owner
	r.Depth = info.Depth
	if callerInitial, err := nsfs.IsInitial(); err == nil && callerInitial {
		r.DepthFromInitial = true
	}
	return r, nil
}

// supported keeps a success; a failure is tried again on the next call,
// since the sysctl may be raised or a transient limit (EAGAIN, ENOMEM)
// pass while the program runs.
var supported = func() func() error {
	o := &okOnce[struct{}]{fn: func() (struct{}, error) { return struct{}{}, probeUserNS() }}
	return func() error { _, err := o.get(); return err }
}()

func probeUserNS() error {
	// Exec a path that does not exist: ENOENT can only come from execve,
	// after clone and the map writes succeeded, and no program runs.
	const probe = "/proc/self/nonexistent-userns-probe"
	p, err := os.StartProcess(probe, []string{probe}, &os.ProcAttr{Sys: &syscall.SysProcAttr{
		Cloneflags:  syscall.CLONE_NEWUSER,
		UidMappings: []syscall.SysProcIDMap{{HostID: os.Geteuid(), Size: 1}},
		GidMappings: []syscall.SysProcIDMap{{HostID: os.Getegid(), Size: 1}},
	}})
	if err == nil {
		_, _ = p.Wait()
		return nil
	}
	if errors.Is(err, syscall.ENOENT) {
		return nil
	}
	e := &Error{Op: "create user namespace", Err: err}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		e.Hint, e.Kind = explain(errno)
	}
	return e
}

// Supported reports whether this caller can create a user namespace with
// the map of its own uid and gid, found by trying (once per process if it
// works; again on each call while it does not), or the reason it cannot: an *Error answering errors.Is for ErrDisabled (with
// the sysctl to change), ErrNestingLimit or ErrNotSupported. It needs no
// privilege.
func Supported() error { return supported() }
