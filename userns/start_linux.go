//go:build linux

package userns

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// Start starts the command in a new user namespace and returns once the
// target program runs, or with the reason it could not. It picks how the
// maps get written (see the package documentation); nothing of a failed
// start survives it: no child, descriptor or goroutine.
func (c *Cmd) Start() error {
	if c.Cmd == nil {
		return &Error{Op: "start", Kind: ErrInvalid, Err: errors.New("Cmd not made by Command")}
	}
	if c.Process != nil {
		return &Error{Op: "start", Kind: ErrInvalid, Err: errors.New("already started")}
	}
	if c.Err != nil {
		return &Error{Op: "start", Err: c.Err}
	}
	p, err := c.plan()
	if err != nil {
		return err
	}
	c.how = p.path
	if p.path != pathFast && c.SysProcAttr != nil && c.SysProcAttr.Ptrace {
		// The trace would stop at the stage's execve, not the target's.
		return &Error{Op: "start", Kind: ErrInvalid, Err: fmt.Errorf("SysProcAttr.Ptrace with a command that needs the stage (%s)", p.reason(c))}
	}
	if p.path == pathFast {
		return c.startFast(p)
	}
	if !initCalled.Load() && !p.shell && !p.elf {
		return &Error{
			Op:   "start",
			Kind: ErrNoInit,
			Err:  fmt.Errorf("this command needs the stage (%s)", p.reason(c)),
			Hint: "call userns.Init() first thing in main, or in TestMain before m.Run (usernstest.Main does it)",
		}
	}
	return c.startStage(p)
}

// reason says why the stage is needed, for ErrNoInit.
func (p *plan) reason(c *Cmd) string {
	switch {
	case p.path == pathNewuidmap:
		return "the maps are written by newuidmap while the child waits"
	case p.cfg.Caps != nil:
		return "capabilities other than the kernel's default"
	case c.NoNewPrivs:
		return "NoNewPrivs"
	}
	return "rlimits"
}

// attr returns a copy of the caller's SysProcAttr with a new user
// namespace added.
func (c *Cmd) attr() *syscall.SysProcAttr {
	a := &syscall.SysProcAttr{}
	if c.SysProcAttr != nil {
		*a = *c.SysProcAttr
	}
	a.Cloneflags |= syscall.CLONE_NEWUSER
	if c.Pdeathsig != 0 {
		a.Pdeathsig = c.Pdeathsig
	}
	return a
}

// sysMaps sets the maps Go writes from the parent.
func (p *plan) sysMaps(a *syscall.SysProcAttr) error {
	var err error
	if a.UidMappings, err = p.uidMap.ToSysProcIDMap(); err != nil {
		return &Error{Op: "start", Kind: ErrInvalid, Err: err}
	}
	if a.GidMappings, err = p.gidMap.ToSysProcIDMap(); err != nil {
		return &Error{Op: "start", Kind: ErrInvalid, Err: err}
	}
	return nil
}

func (c *Cmd) startFast(p *plan) error {
	a := c.attr()
	if err := p.sysMaps(a); err != nil {
		return err
	}
	a.GidMappingsEnableSetgroups = p.setgroups
	a.Credential = &syscall.Credential{Uid: c.UID, Gid: c.GID, Groups: c.Groups, NoSetGroups: !p.setgroups}
	saved := c.SysProcAttr
	c.SysProcAttr = a
	err := c.Cmd.Start()
	c.SysProcAttr = saved
	if err != nil {
		return c.startError("start", err, p)
	}
	return nil
}

func (c *Cmd) startError(op string, err error, p *plan) error {
	e := &Error{Op: op, Err: err}
	if c.Process != nil {
		e.Pid = c.Process.Pid
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		e.Hint, e.Kind = explain(errno)
		if errno == syscall.EPERM && e.Kind == nil {
			if _, ok := p.uidMap.ToContainer(0); ok && p.path != pathNewuidmap {
				e.Kind, e.Hint = ErrSetfcap, "map another host uid to 0, or run with CAP_SETFCAP"
			}
		}
	}
	return e
}

func (c *Cmd) startStage(p *plan) (err error) {
	errR, errW, err := os.Pipe()
	if err != nil {
		return &Error{Op: "start", Err: err}
	}
	var goR, goW *os.File
	// closeAll undoes the pipes when the child never started.
	closeAll := func() {
		for _, f := range []*os.File{errR, errW, goR, goW} {
			if f != nil {
				f.Close()
			}
		}
	}
	if p.path == pathNewuidmap {
		if goR, goW, err = os.Pipe(); err != nil {
			closeAll()
			return &Error{Op: "start", Err: err}
		}
	}
	cfg := p.cfg
	cfg.Path = c.Path
	extra := append(slices.Clip(c.ExtraFiles), errW)
	cfg.ErrFD = 2 + len(extra)
	if goR != nil {
		extra = append(extra, goR)
		cfg.GoFD = cfg.ErrFD + 1
	}
	var stageFile *os.File
	if p.elf {
		if stageFile, err = elfStage(); err != nil {
			closeAll()
			return &Error{Op: "start", Err: err}
		}
		// Go's child dup3s onto numbers above the highest of its files:
		// one above the memfd keeps them off it.
		hi, err := unix.FcntlInt(goR.Fd(), unix.F_DUPFD_CLOEXEC, int(stageFile.Fd())+1)
		if err != nil {
			closeAll()
			return &Error{Op: "start", Err: os.NewSyscallError("fcntl F_DUPFD_CLOEXEC", err)}
		}
		goR.Close()
		goR = os.NewFile(uintptr(hi), "|0")
		extra[len(extra)-1] = goR
	}
	dir := c.Dir
	if c.SysProcAttr != nil && c.SysProcAttr.Chroot != "" {
		// The stage must reach /proc/self/exe first: it changes root and
		// then directory itself.
		cfg.Chroot, cfg.Dir, dir = c.SysProcAttr.Chroot, c.Dir, ""
	}
	b, err := json.Marshal(&cfg)
	if err != nil {
		closeAll()
		return &Error{Op: "start", Err: err}
	}
	// Environ is what os/exec would give the target: deduplicated, with
	// PWD set to Dir when Env is nil.
	target := withoutStageEnv(c.Environ())
	env := append(slices.Clip(target), stageEnv+"="+string(b))

	a := c.attr()
	a.Chroot = ""
	if p.path == pathStage {
		if err := p.sysMaps(a); err != nil {
			closeAll()
			return err
		}
		a.GidMappingsEnableSetgroups = p.setgroups
		switch {
		case p.runAsZero:
			a.Credential = &syscall.Credential{NoSetGroups: true}
		case p.ambient:
			// The stage sets the identity: a switch away from the
			// caller's IDs, which are not the namespace's root, keeps
			// the capabilities the ambient set carries.
		default:
			a.Credential = &syscall.Credential{Uid: c.UID, Gid: c.GID, Groups: c.Groups, NoSetGroups: !p.setgroups}
		}
	}
	if p.ambient {
		a.AmbientCaps = make([]uintptr, lastCap()+1)
		for i := range a.AmbientCaps {
			a.AmbientCaps[i] = uintptr(i)
		}
	}
	savedPath, savedArgs, savedEnv, savedExtra, savedAttr, savedDir := c.Path, c.Args, c.Env, c.ExtraFiles, c.SysProcAttr, c.Dir
	c.Path, c.Env, c.ExtraFiles, c.SysProcAttr, c.Dir = "/proc/self/exe", env, extra, a, dir
	if len(savedArgs) == 0 {
		// The target's argv[0] is its path, as os/exec makes it, not
		// the stage's.
		c.Args = []string{savedPath}
	}
	if p.elf {
		c.Path = "/proc/self/fd/" + strconv.Itoa(int(stageFile.Fd()))
		argv := savedArgs
		if len(argv) == 0 {
			argv = []string{savedPath} // as os/exec does
		}
		c.Args = elfStageArgs(cfg.ErrFD, cfg.GoFD, savedPath, argv)
		c.Env = target
	}
	if p.shell {
		script := strings.NewReplacer("{E}", strconv.Itoa(cfg.ErrFD), "{G}", strconv.Itoa(cfg.GoFD), "{ENV}", envPath).Replace(shellStage)
		c.Path = shellPath
		c.Args = append(append(append([]string{"sh", "-c", script, savedPath}, target...), savedPath), savedArgs[1:]...)
		c.Env = []string{}
	}
	err = c.Cmd.Start()
	c.Path, c.Args, c.Env, c.ExtraFiles, c.SysProcAttr, c.Dir = savedPath, savedArgs, savedEnv, savedExtra, savedAttr, savedDir
	errW.Close()
	if goR != nil {
		goR.Close()
	}
	if err != nil {
		errR.Close()
		if goW != nil {
			goW.Close()
		}
		return c.startError("start", err, p)
	}
	pid := c.Process.Pid
	// abort undoes a half-done start: the child is killed and reaped, so
	// exec.Cmd's copying goroutines end and no zombie stays.
	abort := func(e error) error {
		if goW != nil {
			goW.Close()
		}
		_ = c.Process.Kill()
		_, _ = io.Copy(io.Discard, errR)
		errR.Close()
		_ = c.Cmd.Wait()
		return e
	}
	if p.path == pathNewuidmap {
		if err := writeMaps(c.ctx(), pid, p); err != nil {
			if cerr := c.ctx().Err(); cerr != nil {
				// The helpers were killed for the context, not refused.
				err = &Error{Op: "start", Pid: pid, Err: cerr}
			}
			return abort(err)
		}
		if _, err := goW.Write([]byte{'g'}); err != nil {
			return abort(&Error{Op: "start", Pid: pid, Err: err})
		}
		goW.Close()
		goW = nil
	}
	msg, err := io.ReadAll(errR)
	errR.Close()
	if err != nil {
		return abort(&Error{Op: "start", Pid: pid, Err: err})
	}
	if len(msg) == 0 {
		return nil
	}
	_ = c.Cmd.Wait()
	var se stageError
	if err := json.Unmarshal(msg, &se); err != nil {
		return &Error{Op: "stage", Pid: pid, Err: fmt.Errorf("undecodable report %q: %w", msg, err)}
	}
	if se.Op == "exec" && se.Path == "" {
		se.Path = c.Path
	}
	e := &Error{Op: "stage " + se.Op, Pid: pid, Err: se.err()}
	if se.Op == "setgroups" && se.Errno == int(syscall.EPERM) {
		e.Hint = "setgroups is denied in this namespace"
	}
	if len(se.Op) > 9 && se.Op[:9] == "setrlimit" && se.Errno == int(syscall.EPERM) {
		e.Hint = "raising a hard limit needs CAP_SYS_RESOURCE over the initial user namespace"
	}
	return e
}
