//go:build linux

package limits

import "syscall"

// rootNS makes a child that runs in a new user namespace created by the
// (root) caller, with uid and gid 0 inside mapped to uid outside.
func rootNS(uid uint32) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{
		Cloneflags:  syscall.CLONE_NEWUSER,
		UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: int(uid), Size: 1}},
		GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: int(uid), Size: 1}},
		Credential:  &syscall.Credential{Uid: 0, Gid: 0},
	}
}
