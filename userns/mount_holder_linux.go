//go:build linux

package userns

import (
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
func holdUserNS(uids, gids idmap.Map) (*os.File, error) {
	cmd := &exec.Cmd{
		Path: "/proc/self/exe",
		Args: []string{"nonroot-userns-holder"},
		Env:  []string{},
		SysProcAttr: &syscall.SysProcAttr{
			Cloneflags:  syscall.CLONE_NEWUSER,
			UidMappings: sysMaps(uids),
			GidMappings: sysMaps(gids),
			Ptrace:      true,
			Pdeathsig:   syscall.SIGKILL,
		},
	}
	if err := cmd.Start(); err != nil {
		return nil, err
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
