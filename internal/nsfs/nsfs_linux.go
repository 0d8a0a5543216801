//go:build linux

package nsfs

import (
	"bytes"
	"errors"
	"os"
	"strconv"
	"sync"

	"golang.org/x/sys/unix"
)

// maxDepth bounds the parent walk: the kernel allows 32 levels below the
// initial namespace (33 measured), so 64 steps cannot be legitimate.
const maxDepth = 64

func path(pid int) string {
	if pid == 0 {
		return "/proc/self/ns/user"
	}
	return "/proc/" + strconv.Itoa(pid) + "/ns/user"
}

func fromStat(st *unix.Stat_t) ID { return ID{Dev: uint64(st.Dev), Ino: st.Ino} }

// UserNS returns the identity of the user namespace of process pid; pid 0
// is the caller. It costs one stat(2).
func UserNS(pid int) (ID, error) {
	var st unix.Stat_t
	p := path(pid)
	if err := ignoringEINTR(func() error { return unix.Stat(p, &st) }); err != nil {
		return ID{}, &os.PathError{Op: "stat", Path: p, Err: err}
	}
	return fromStat(&st), nil
}

// self is the caller's own user namespace. A multithreaded process (every
// Go program) cannot change its user namespace: setns and unshare with
// CLONE_NEWUSER fail with EINVAL. So it is read once.
var self = sync.OnceValues(func() (ID, error) { return UserNS(0) })

// Self returns the identity of the caller's user namespace.
func Self() (ID, error) { return self() }

// IsInitial reports whether the caller runs in the initial user namespace,
// from the fixed inode number of that namespace.
func IsInitial() (bool, error) {
	id, err := Self()
	if err != nil {
		return false, err
	}
	return id.Ino == InitialIno, nil
}

// FullIdentityMap reports whether /proc/self/uid_map is "0 0 4294967295",
// the map the initial namespace shows. A namespace created by a root that
// wrote the same map also shows it, which is why [IsInitial] goes by inode.
func FullIdentityMap() (bool, error) {
	b, err := os.ReadFile("/proc/self/uid_map")
	if err != nil {
		return false, err
	}
	f := bytes.Fields(b)
	return len(f) == 3 && string(f[0]) == "0" && string(f[1]) == "0" && string(f[2]) == "4294967295", nil
}

func open(pid int) (int, string, error) {
	p := path(pid)
	var fd int
	err := ignoringEINTR(func() (err error) {
		fd, err = unix.Open(p, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		return err
	})
	if err != nil {
		return -1, p, &os.PathError{Op: "open", Path: p, Err: err}
	}
	return fd, p, nil
}

// OwnerUID returns the effective uid of the creator of the user namespace
// of process pid, as seen from the caller's namespace (ioctl
// NS_GET_OWNER_UID); pid 0 is the caller.
func OwnerUID(pid int) (uint32, error) {
	fd, _, err := open(pid)
	if err != nil {
		return 0, err
	}
	defer unix.Close(fd)
	return ownerUID(fd)
}

func ownerUID(fd int) (uint32, error) {
	uid, err := unix.IoctlGetUint32(fd, unix.NS_GET_OWNER_UID)
	if err != nil {
		return 0, os.NewSyscallError("ioctl NS_GET_OWNER_UID", err)
	}
	return uid, nil
}

// Relate says where the user namespace of process pid lies relative to the
// caller's and how deep below it; pid 0 is the caller.
func Relate(pid int) (Relation, int, error) {
	info, err := Describe(pid)
	return info.Relation, info.Depth, err
}

// Describe returns the identity, owner and relation of the user namespace
// of process pid, all from one open file descriptor, so the answers belong
// to the same namespace even if the process exits meanwhile.
func Describe(pid int) (Info, error) {
	fd, p, err := open(pid)
	if err != nil {
		return Info{}, err
	}
	defer unix.Close(fd)
	return describe(fd, p)
}

// DescribeFile is [Describe] for an open nsfs file of a user namespace,
// such as /proc/PID/ns/user opened earlier or received from another
// process. Reading it needs no access to any process.
func DescribeFile(f *os.File) (Info, error) {
	sc, err := f.SyscallConn()
	if err != nil {
		return Info{}, err
	}
	var info Info
	cerr := sc.Control(func(fd uintptr) { info, err = describe(int(fd), f.Name()) })
	if cerr != nil {
		return Info{}, cerr
	}
	return info, err
}

// DescribeFD is [DescribeFile] for a raw file descriptor; name is used in
// error messages. The descriptor stays open.
func DescribeFD(fd int, name string) (Info, error) { return describe(fd, name) }

func describe(fd int, p string) (Info, error) {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return Info{}, &os.PathError{Op: "fstat", Path: p, Err: err}
	}
	info := Info{ID: fromStat(&st)}
	var err error
	if info.Owner, err = ownerUID(fd); err != nil {
		return info, err
	}
	info.Relation, info.Depth, info.TopOwner, err = relate(fd, info.ID)
	return info, err
}

// relate walks the parents of the namespace open at fd (whose identity is
// id) until it meets the caller's namespace or the kernel refuses, and
// returns the owner of the last namespace below the caller's on the way.
func relate(fd int, id ID) (Relation, int, uint32, error) {
	const none = ^uint32(0)
	me, err := Self()
	if err != nil {
		return Unknown, 0, none, err
	}
	if id == me {
		return Same, 0, none, nil
	}
	cur := fd
	defer func() {
		if cur != fd {
			unix.Close(cur)
		}
	}()
	for depth := 1; depth <= maxDepth; depth++ {
		parent, err := unix.IoctlRetInt(cur, unix.NS_GET_PARENT)
		if errors.Is(err, unix.EPERM) {
			// ns_get_owner: the parent is outside the caller's scope
			// (the initial namespace has no parent and fails the same way).
			return Elsewhere, -1, none, nil
		}
		if err != nil {
			return Unknown, 0, none, os.NewSyscallError("ioctl NS_GET_PARENT", err)
		}
		var st unix.Stat_t
		if err := unix.Fstat(parent, &st); err != nil {
			unix.Close(parent)
			return Unknown, 0, none, os.NewSyscallError("fstat", err)
		}
		if fromStat(&st) == me {
			unix.Close(parent)
			top, err := ownerUID(cur)
			if err != nil {
				return Unknown, 0, none, err
			}
			return Below, depth, top, nil
		}
		if cur != fd {
			unix.Close(cur)
		}
		cur = parent
	}
	return Unknown, 0, none, os.NewSyscallError("ioctl NS_GET_PARENT", unix.ELOOP)
}

func ignoringEINTR(fn func() error) error {
	for {
		err := fn()
		if err != unix.EINTR {
			return err
		}
	}
}
