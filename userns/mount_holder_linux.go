//go:build linux

package userns

import (
	"errors"
	"os"
	"os/exec"
	"strconv"
	"syscall"

	"github.com/nonroot-go/nonroot/idmap"
)

// holdUserNS returns a descriptor of a new user namespace with the given
// maps. The namespace needs a process to be born in: the holder, a child
// started with PTRACE_TRACEME so that it stops at its execve before
// running a single instruction of the new program (runc does the same).
// Once the descriptor is open the namespace lives on without it, so the
// holder is killed and reaped before returning. Pdeathsig covers the
// tracer thread dying first, which would otherwise let the holder run.
//
// The maps go through the planner of [Cmd]: split at the extents of the
// caller's own maps, checked against them, refused without CAP_SETFCAP
// for host uid 0, with the same errors. Only maps the caller writes
// itself will do: the holder cannot wait for newuidmap.
func holdUserNS(uids, gids idmap.Map) (*os.File, error) {
	plan := &Cmd{Cmd: &exec.Cmd{Path: "/proc/self/exe"}, UIDMap: uids, GIDMap: gids}
	if !uids.IsZero() && !gids.IsZero() {
		// The holder runs as no one in particular: any mapped ID will do.
		plan.UID, plan.GID = uids.Ranges()[0].ContainerID, gids.Ranges()[0].ContainerID
	}
	p, err := plan.plan()
	if err == nil && p.path == pathNewuidmap {
		err = &Error{
			Op: "start", Kind: ErrInvalid,
			Err:  errors.New("the maps hold IDs beyond the caller's own, which only newuidmap could write, and the holder cannot wait for it"),
			Hint: "ID-map with CAP_SETUID and CAP_SETGID (root of the namespace), or pass MountOptions.UserNS of a namespace made with userns.Cmd",
		}
	}
	if err != nil {
		return nil, err
	}
	cmd := &exec.Cmd{
		Path: "/proc/self/exe",
		Args: []string{"nonroot-userns-holder"},
		Env:  []string{},
		SysProcAttr: &syscall.SysProcAttr{
			Cloneflags:  syscall.CLONE_NEWUSER,
			UidMappings: sysMaps(p.uidMap),
			GidMappings: sysMaps(p.gidMap),
			Ptrace:      true,
			Pdeathsig:   syscall.SIGKILL,
		},
	}
	if err := cmd.Start(); err != nil {
		return nil, plan.startError("start the namespace's holder", err, p)
	}
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()
	return os.Open("/proc/" + strconv.Itoa(cmd.Process.Pid) + "/ns/user")
}

func sysMaps(m idmap.Map) []syscall.SysProcIDMap {
	var out []syscall.SysProcIDMap
	for _, r := range m.Ranges() {
		out = append(out, syscall.SysProcIDMap{ContainerID: int(r.ContainerID), HostID: int(r.HostID), Size: int(r.Size)})
	}
	return out
}
