package userns

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"syscall"

	"github.com/nonroot-go/nonroot/caps"
	"github.com/nonroot-go/nonroot/idmap"
	"github.com/nonroot-go/nonroot/limits"
)

// Cmd is a command to run in a new user namespace. It wraps an
// *exec.Cmd: Path, Args, Env, Dir, Stdin, Stdout, Stderr, ExtraFiles,
// Cancel, WaitDelay, Process and ProcessState work as there. The fields
// below say what the command is inside the namespace; each zero value is
// what `unshare -r` would give.
//
// SysProcAttr may be set for what this package does not manage (Setsid,
// Setpgid, Noctty, Ctty, Chroot, further Cloneflags such as CLONE_NEWNS
// or CLONE_NEWPID); Start refuses one that sets UidMappings, GidMappings,
// Credential, AmbientCaps or CLONE_NEWUSER in Unshareflags, which are this
// type's business, and Ptrace where the stage runs (the trace would stop
// at the stage's execve).
type Cmd struct {
	*exec.Cmd

	// UIDMap and GIDMap map IDs inside the namespace to IDs of the
	// caller's namespace. The zero Map stands for the caller's own uid
	// (gid) mapped to 0, like unshare -r, which any caller may write.
	// Wider maps need CAP_SETUID (CAP_SETGID) over the caller's namespace
	// and host IDs that namespace maps, or else newuidmap/newgidmap and
	// ranges granted in /etc/subuid and /etc/subgid. Mapping host uid 0
	// needs CAP_SETFCAP.
	UIDMap, GIDMap idmap.Map

	// SubIDs, when true and UIDMap and GIDMap are zero, maps 0 to the
	// caller's uid (gid) and 1..N to the caller's ranges in /etc/subuid
	// (/etc/subgid) in file order, as rootless podman does.
	SubIDs bool

	// UID and GID are the IDs the command runs as inside the namespace.
	// Zero: root of the namespace. Either must be mapped. On the newuidmap
	// path, IDs other than what the caller's own IDs map to (or any, when
	// the map leaves the caller's IDs out) take the Go stage ([Init]).
	UID, GID uint32

	// Setgroups leaves setgroups(2) allowed in the namespace
	// (/proc/PID/setgroups "allow"). False writes "deny", which the kernel
	// requires of an unprivileged writer of the single map "0 <uid> 1";
	// with "deny" the command keeps the caller's supplementary groups,
	// which it can never drop (they show as the overflow gid 65534).
	Setgroups bool

	// Groups are the supplementary groups inside, set only when Setgroups
	// is true; nil then means none. Groups with Setgroups false is an
	// error.
	Groups []uint32

	// Caps are the capability sets the command starts with. Nil is what
	// the kernel gives: for UID 0 every capability, effective over this
	// namespace only; for any other UID none. Anything else needs the Go
	// stage ([Init]) and no privilege beyond creating the namespace.
	Caps *Capabilities

	// NoNewPrivs sets no_new_privs (PR_SET_NO_NEW_PRIVS) before exec:
	// setuid bits and file capabilities then grant nothing. No privilege
	// needed; it takes the Go stage ([Init]).
	NoNewPrivs bool

	// Rlimits are set on the command before exec; nil leaves the caller's.
	// Lowering needs nothing; raising a hard limit needs CAP_SYS_RESOURCE
	// over the initial namespace, which no capability inside a namespace
	// gives. Non-nil takes the Go stage ([Init]).
	Rlimits map[limits.Resource]limits.Rlimit

	// Pdeathsig is the signal the command gets when the thread that
	// started it dies, as syscall.SysProcAttr.Pdeathsig; it is set again
	// after the identity changes, which clears it. Zero: none.
	Pdeathsig syscall.Signal

	// how records the path Start took, for tests and benchmarks.
	how path
	// context is CommandContext's, for newuidmap and newgidmap.
	context context.Context
}

func (c *Cmd) ctx() context.Context {
	if c.context == nil {
		return context.Background()
	}
	return c.context
}

// Capabilities are the capability sets a command holds when it starts, as
// /proc/PID/status shows them. A program without file capabilities gets
// the same permitted and effective sets, so one field stands for both.
//
// The kernel's rules at execve limit what may be asked: Effective,
// Inheritable and Ambient must lie inside Bounding, Ambient inside both
// Effective and Inheritable; a command whose UID is not 0 gets its
// permitted and effective sets only through the ambient set, so for it
// Effective must equal Ambient. For UID 0, Effective equal to Bounding is
// root's ordinary state; anything else is made with the securebits
// SECBIT_NOROOT (locked) and then also needs Effective equal to Ambient.
type Capabilities struct {
	Bounding    caps.Set
	Effective   caps.Set
	Inheritable caps.Set
	Ambient     caps.Set
}

// path is how Start spawns the command.
type path uint8

const (
	pathNone      path = iota
	pathFast           // SysProcAttr only, no stage
	pathStage          // maps written by Go, then the stage
	pathNewuidmap      // stage held until newuidmap/newgidmap ran
)

func (p path) String() string {
	switch p {
	case pathFast:
		return "fast"
	case pathStage:
		return "stage"
	case pathNewuidmap:
		return "newuidmap"
	}
	return "none"
}

// Command returns a Cmd to run the named program with args in a new user
// namespace, resolving name as exec.Command does.
func Command(name string, args ...string) *Cmd {
	return &Cmd{Cmd: exec.Command(name, args...)}
}

// CommandContext is like Command but the command is killed (by
// exec.Cmd's Cancel, SIGKILL by default) when ctx is done before it exits.
func CommandContext(ctx context.Context, name string, args ...string) *Cmd {
	return &Cmd{Cmd: exec.CommandContext(ctx, name, args...), context: ctx}
}

// Run starts the command and waits for it.
func (c *Cmd) Run() error {
	if err := c.Start(); err != nil {
		return err
	}
	return c.Wait()
}

// Wait waits for the command to exit, as exec.Cmd.Wait: a command that ran
// and failed gives an *exec.ExitError, as there.
func (c *Cmd) Wait() error {
	if c.Cmd == nil {
		return &Error{Op: "wait", Kind: ErrInvalid, Err: errors.New("Cmd not made by Command")}
	}
	return c.Cmd.Wait()
}

// Output runs the command and returns its standard output. Like
// exec.Cmd.Output, a failure's *exec.ExitError carries the standard error
// in Stderr when c.Stderr was nil.
func (c *Cmd) Output() ([]byte, error) {
	if c.Cmd == nil {
		return nil, &Error{Op: "output", Kind: ErrInvalid, Err: errors.New("Cmd not made by Command")}
	}
	if c.Stdout != nil {
		return nil, &Error{Op: "output", Kind: ErrInvalid, Err: errors.New("its Stdout is already set")}
	}
	var stdout, stderr bytes.Buffer
	c.Stdout = &stdout
	captureErr := c.Stderr == nil
	if captureErr {
		c.Stderr = &stderr
	}
	err := c.Run()
	var ee *exec.ExitError
	if captureErr && errors.As(err, &ee) {
		ee.Stderr = stderr.Bytes()
	}
	return stdout.Bytes(), err
}

// CombinedOutput runs the command and returns its standard output and
// standard error together.
func (c *Cmd) CombinedOutput() ([]byte, error) {
	if c.Cmd == nil {
		return nil, &Error{Op: "combined output", Kind: ErrInvalid, Err: errors.New("Cmd not made by Command")}
	}
	if c.Stdout != nil || c.Stderr != nil {
		return nil, &Error{Op: "combined output", Kind: ErrInvalid, Err: errors.New("its Stdout or Stderr is already set")}
	}
	var b bytes.Buffer
	c.Stdout = &b
	c.Stderr = &b
	err := c.Run()
	return b.Bytes(), err
}
