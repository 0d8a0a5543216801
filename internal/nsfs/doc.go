// Package nsfs tells user namespaces apart and relates them to the
// reader's own, through the files /proc/PID/ns/user and the ioctls of the
// kernel's nsfs (ioctl_ns(2)).
//
// # Identity
//
// A namespace is identified by the device and inode of /proc/PID/ns/user
// ([UserNS]); the link text "user:[4026531837]" shows only the inode, and
// [ID.String] prints it the same way. The initial user namespace always has
// the inode 4026531837 (PROC_USER_INIT_INO); namespaces created later get
// inodes from 0xF0000000 up, so [IsInitial] can answer exactly.
//
// # Relations
//
// ioctl NS_GET_PARENT hands out the parent of a user namespace only while
// that parent is the caller's namespace or one of its descendants; above
// that it fails with EPERM. Walking parents from a process's namespace
// therefore ends either at the reader's own namespace ([Below], with the
// number of steps as the depth) or at EPERM ([Elsewhere]: an ancestor of
// the reader's namespace or a sibling branch). [Same] is the reader's own.
//
// # Privilege
//
// Opening or stat'ing /proc/PID/ns/user needs ptrace read access to the
// process (PTRACE_MODE_READ_FSCREDS): an ordinary user reaches only its own
// processes, root (CAP_SYS_PTRACE) all of them. The ioctls need nothing
// more. Failures carry the errno, wrapped in *os.PathError for opening and
// stat'ing and in *os.SyscallError for the ioctls; errors.Is(err,
// fs.ErrNotExist) is true when the process has gone and errors.Is(err,
// fs.ErrPermission) when ptrace access is refused.
package nsfs
