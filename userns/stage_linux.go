//go:build linux

package userns

// The stage is the calling program re-executed through /proc/self/exe to
// do, between the new namespace's creation and the target's execve, what
// Go's SysProcAttr cannot: wait for newuidmap, drop bounding capabilities,
// raise ambient ones, set securebits, no_new_privs and rlimits, and switch
// to a non-zero uid while keeping capabilities.
//
// Protocol between Start (the parent) and the stage (the child):
//
//  1. The parent makes an error pipe and, on the newuidmap path, a go
//     pipe. It starts /proc/self/exe in a new user namespace with the
//     target's argv and environment plus NONROOT_USERNS_STAGE=<JSON
//     stageConfig>; the pipes' child ends are the last ExtraFiles, at
//     the descriptors the config names (ErrFD, GoFD).
//  2. Init sees the variable and never returns. With Wait set it reads
//     one byte from GoFD: 'g' means both maps are written; EOF or
//     anything else means the parent gave up, and the stage exits 125
//     without a word. Its execve ran while its uid was unmapped, which
//     clears capabilities; where it needs them afterwards, the parent had
//     Go raise them all into the ambient set, which execve keeps.
//  3. It then sets rlimits, groups, gid and uid, capabilities,
//     securebits, the parent-death signal and no_new_privs, in that
//     order, marks ErrFD close-on-exec, drops the variable and executes
//     the target.
//  4. A failure on the way is written to ErrFD as one JSON stageError and
//     the stage exits 125. The parent reads ErrFD to EOF: nothing means
//     the target's execve succeeded and closed it; otherwise it waits for
//     the child and returns the decoded error.
//
// On the newuidmap path with nothing to do but wait, the stage is the
// ELF stage of elfstage_linux.go where the architecture has one and the
// kernel executes it from a memfd. It speaks the same protocol with
// GoFD and ErrFD passed in argv[1], and needs none of the shell stage's
// conditions below but an absolute path outside /proc/self.
//
// Otherwise, with nothing to do but wait, the stage is
// /bin/sh running shellStage instead of a Go program: it speaks the same
// protocol (the byte on GoFD, a JSON error on ErrFD for a target that is
// missing or not executable) and costs a fraction of a Go runtime's start.
// The shell gets an empty environment and hands the target's, as
// arguments, to env -i, so that the target's environment is exactly
// Cmd.Env in its order (a shell would drop names that are not
// identifiers, reorder the rest and add PWD). It is used only where the
// target cannot tell: argv[0] equal to the path, nothing relative to
// /proc/self, both pipes at single-digit descriptors, and no environment
// entry env(1) would read as an option.

import (
	"encoding/json"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"

	"golang.org/x/sys/unix"
)

// shellStage is the stage as a POSIX shell script. $0 is the target's
// path; $@ is the target's environment, then the path again and its
// arguments, as env -i takes them. {E} and {G} stand for ErrFD and GoFD.
// Closing both on exec keeps them from the target; env and the shell exit
// on a failed exec, so the common failures are checked first and reported
// as execve would.
const shellStage = `read -r g <&{G}; [ "$g" = g ] || exit 125
[ -e "$0" ] || { echo '{"op":"exec","errno":2}' >&{E}; exit 125; }
[ -x "$0" ] && [ ! -d "$0" ] || { echo '{"op":"exec","errno":13}' >&{E}; exit 125; }
exec {ENV} -i "$@" {E}>&- {G}<&-`

// shellPath and envPath run shellStage.
const (
	shellPath = "/bin/sh"
	envPath   = "/usr/bin/env"
)

var haveShell = sync.OnceValue(func() bool {
	for _, p := range []string{shellPath, envPath} {
		fi, err := os.Stat(p)
		if err != nil || !fi.Mode().IsRegular() || fi.Mode()&0o111 == 0 {
			return false
		}
	}
	return true
})

// shellSafe reports whether env -i reads every entry of env as an
// assignment: NAME=VALUE with a name that does not start with '-'.
func shellSafe(env []string) bool {
	for _, kv := range env {
		if k, _, ok := strings.Cut(kv, "="); !ok || k == "" || k[0] == '-' {
			return false
		}
	}
	return true
}

// stageEnv names the variable that makes Init run the stage.
const stageEnv = "NONROOT_USERNS_STAGE"

// stageExit is the stage's exit status when it fails before exec.
const stageExit = 125

// Securebits of <linux/securebits.h>, which x/sys/unix lacks.
const (
	secbitNoRoot       = 1 << 0
	secbitNoRootLocked = 1 << 1
)

// initCalled records that the program called Init, so that Start can
// use the stage.
var initCalled atomic.Bool

type stageConfig struct {
	Path       string         `json:"path"`
	ErrFD      int            `json:"errfd"`
	GoFD       int            `json:"gofd,omitempty"`
	Wait       bool           `json:"wait,omitempty"`
	SetID      bool           `json:"setid,omitempty"`
	UID        uint32         `json:"uid"`
	GID        uint32         `json:"gid"`
	SetGroups  bool           `json:"setgroups,omitempty"`
	Groups     []uint32       `json:"groups,omitempty"`
	Caps       *stageCaps     `json:"caps,omitempty"`
	NoNewPrivs bool           `json:"nnp,omitempty"`
	Rlimits    []stageRlimit  `json:"rlimits,omitempty"`
	Pdeathsig  syscall.Signal `json:"pdeathsig,omitempty"`
	// Chroot and Dir: SysProcAttr.Chroot, done here rather than before
	// the stage's own execve, which needs /proc/self/exe.
	Chroot string `json:"chroot,omitempty"`
	Dir    string `json:"dir,omitempty"`
}

type stageCaps struct {
	Bounding    uint64 `json:"bnd"`
	Inheritable uint64 `json:"inh"`
	Ambient     uint64 `json:"amb"`
	NoRoot      bool   `json:"noroot,omitempty"`
	LastCap     int    `json:"lastcap"`
}

type stageRlimit struct {
	Resource int    `json:"res"`
	Soft     uint64 `json:"soft"`
	Hard     uint64 `json:"hard"`
}

// stageError is what the stage reports on ErrFD.
type stageError struct {
	Op    string `json:"op"`
	Errno int    `json:"errno,omitempty"`
	Path  string `json:"path,omitempty"`
	Msg   string `json:"msg,omitempty"`
}

func (e *stageError) err() error {
	switch {
	case e.Path != "":
		return &os.PathError{Op: e.Op, Path: e.Path, Err: syscall.Errno(e.Errno)}
	case e.Errno != 0:
		return os.NewSyscallError(e.Op, syscall.Errno(e.Errno))
	}
	return &Error{Op: e.Op, Err: stageMsg(e.Msg)}
}

type stageMsg string

func (m stageMsg) Error() string { return string(m) }

// Init must be called first thing in main, or in TestMain, by a program
// that runs commands needing the stage (see the package documentation).
// In the program itself it only records the call and returns. In a stage
// process it takes over and never returns: it ends in the target's
// execve or in exit status 125.
//
// Package init functions run before main, and so before the stage; they
// should not start goroutines that touch credentials or write to
// inherited descriptors.
func Init() {
	v, ok := os.LookupEnv(stageEnv)
	if !ok {
		initCalled.Store(true)
		return
	}
	// Credentials are per thread: everything from here to execve runs on
	// this one thread, and execve takes its credentials.
	runtime.LockOSThread()
	var cfg stageConfig
	if err := json.Unmarshal([]byte(v), &cfg); err != nil {
		os.Exit(stageExit)
	}
	runStage(&cfg)
	os.Exit(stageExit)
}

// runStage returns only after it reported a failure.
func runStage(cfg *stageConfig) {
	report := func(e stageError) {
		b, _ := json.Marshal(e)
		// One write under PIPE_BUF is atomic; the parent reads to EOF.
		_, _ = unix.Write(cfg.ErrFD, b)
	}
	fail := func(op string, err error) {
		e := stageError{Op: op, Msg: err.Error()}
		if errno, ok := err.(syscall.Errno); ok {
			e.Errno = int(errno)
		}
		report(e)
	}
	// Go's fork made sure the parent lived when Pdeathsig was first set.
	ppid := unix.Getppid()
	if cfg.Wait {
		var b [1]byte
		n, _ := unix.Read(cfg.GoFD, b[:])
		if n != 1 || b[0] != 'g' {
			return
		}
		_ = unix.Close(cfg.GoFD)
	}
	for _, r := range cfg.Rlimits {
		lim := syscall.Rlimit{Cur: r.Soft, Max: r.Hard}
		// syscall.Setrlimit, not prlimit: for RLIMIT_NOFILE it also stops
		// syscall.Exec from restoring the soft limit Go saved at start.
		if err := syscall.Setrlimit(r.Resource, &lim); err != nil {
			report(stageError{Op: "setrlimit " + rlimitName(r.Resource), Errno: errnoOf(err)})
			return
		}
	}
	if cfg.Chroot != "" {
		// Before the identity changes: it needs CAP_SYS_CHROOT.
		if err := unix.Chroot(cfg.Chroot); err != nil {
			report(stageError{Op: "chroot", Path: cfg.Chroot, Errno: errnoOf(err)})
			return
		}
		dir := cfg.Dir
		if dir == "" {
			dir = "/"
		}
		if err := unix.Chdir(dir); err != nil {
			report(stageError{Op: "chdir", Path: dir, Errno: errnoOf(err)})
			return
		}
	}
	if cfg.SetID {
		if cfg.Caps != nil && cfg.UID != 0 {
			// Without keep-caps, leaving uid 0 clears the permitted set
			// the ambient set is raised from.
			if err := unix.Prctl(unix.PR_SET_KEEPCAPS, 1, 0, 0, 0); err != nil {
				fail("prctl PR_SET_KEEPCAPS", err)
				return
			}
		}
		if cfg.SetGroups {
			gids := make([]int, len(cfg.Groups))
			for i, g := range cfg.Groups {
				gids[i] = int(g)
			}
			// x/sys/unix calls are raw, per thread: this thread is the one
			// that executes the target.
			if err := unix.Setgroups(gids); err != nil {
				fail("setgroups", err)
				return
			}
		}
		if err := unix.Setresgid(int(cfg.GID), int(cfg.GID), int(cfg.GID)); err != nil {
			fail("setresgid", err)
			return
		}
		if err := unix.Setresuid(int(cfg.UID), int(cfg.UID), int(cfg.UID)); err != nil {
			fail("setresuid", err)
			return
		}
	}
	if c := cfg.Caps; c != nil {
		if op, err := applyCaps(c); err != nil {
			fail(op, err)
			return
		}
	}
	if cfg.Pdeathsig != 0 {
		// Changing the effective uid or gid cleared it.
		if err := unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(cfg.Pdeathsig), 0, 0, 0); err != nil {
			fail("prctl PR_SET_PDEATHSIG", err)
			return
		}
		// A parent that died while the signal was cleared sent nothing:
		// deliver it now, as Go's own fork does for the same race.
		if unix.Getppid() != ppid {
			_ = unix.Kill(unix.Getpid(), cfg.Pdeathsig)
		}
	}
	if cfg.NoNewPrivs {
		if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
			fail("prctl PR_SET_NO_NEW_PRIVS", err)
			return
		}
	}
	syscall.CloseOnExec(cfg.ErrFD)
	err := syscall.Exec(cfg.Path, os.Args, withoutStageEnv(os.Environ()))
	report(stageError{Op: "exec", Path: cfg.Path, Errno: errnoOf(err)})
}

// applyCaps sets the thread's capability sets so that the coming execve
// leaves exactly what c asks: inheritable and ambient as given, bounding
// cut down, and with NoRoot the securebits that stop uid 0 from gaining
// the bounding set at execve (its permitted set is then the ambient one).
func applyCaps(c *stageCaps) (string, error) {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return "capget", err
	}
	// setresuid away from 0 cleared the effective set; permitted survived
	// through keep-caps. Raise effective again for CAP_SETPCAP.
	for i := range data {
		data[i].Effective = data[i].Permitted
		data[i].Inheritable = uint32(c.Inheritable >> (32 * i))
	}
	if err := unix.Capset(&hdr, &data[0]); err != nil {
		return "capset", err
	}
	if err := unix.Prctl(unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0); err != nil {
		return "prctl PR_CAP_AMBIENT_CLEAR_ALL", err
	}
	for n := 0; n <= c.LastCap; n++ {
		if c.Ambient&(1<<n) != 0 {
			if err := unix.Prctl(unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_RAISE, uintptr(n), 0, 0); err != nil {
				return "prctl PR_CAP_AMBIENT_RAISE " + capName(n), err
			}
		}
	}
	if c.NoRoot {
		// Needs CAP_SETPCAP, so before the bounding set loses it.
		bits := secbitNoRoot | secbitNoRootLocked
		if err := unix.Prctl(unix.PR_SET_SECUREBITS, uintptr(bits), 0, 0, 0); err != nil {
			return "prctl PR_SET_SECUREBITS", err
		}
	}
	for n := 0; n <= c.LastCap; n++ {
		if c.Bounding&(1<<n) == 0 {
			if err := unix.Prctl(unix.PR_CAPBSET_DROP, uintptr(n), 0, 0, 0); err != nil {
				return "prctl PR_CAPBSET_DROP " + capName(n), err
			}
		}
	}
	return "", nil
}

func withoutStageEnv(env []string) []string {
	out := env[:0:0]
	for _, kv := range env {
		if !strings.HasPrefix(kv, stageEnv+"=") {
			out = append(out, kv)
		}
	}
	return out
}

func errnoOf(err error) int {
	if errno, ok := err.(syscall.Errno); ok {
		return int(errno)
	}
	return int(syscall.EINVAL)
}
