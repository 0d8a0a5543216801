//go:build linux

package limits

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// The scan of /proc runs these per process; raw calls on NUL-terminated
// byte paths keep it free of allocations.

var atCWD = unix.AT_FDCWD

func openRaw(path []byte) (int, unix.Errno) {
	for {
		fd, _, e := unix.Syscall6(unix.SYS_OPENAT, uintptr(atCWD), uintptr(unsafe.Pointer(&path[0])), uintptr(unix.O_RDONLY|unix.O_CLOEXEC), 0, 0, 0)
		if e != unix.EINTR {
			return int(fd), e
		}
	}
}

func readlinkRaw(path, buf []byte) (int, unix.Errno) {
	n, _, e := unix.Syscall6(unix.SYS_READLINKAT, uintptr(atCWD), uintptr(unsafe.Pointer(&path[0])), uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)), 0, 0)
	return int(n), e
}
