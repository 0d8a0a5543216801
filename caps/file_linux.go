//go:build linux

package caps

import (
	"errors"
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

const xattrName = "security.capability"

// GetFile reads the file capabilities of path (following symbolic links,
// as getcap does). A file without them gives an error for which
// errors.Is(err, ErrNoFileCaps) is true. The kernel hands back version 2
// and 3 values only: a stored version 1 value or a malformed one is EINVAL
// here as for getcap, though execve may still apply it. Reading needs no
// privilege.
//
// The kernel translates the stored root uid for the reader
// (cap_inode_getsecurity): a root that maps to a uid other than 0 in the
// reader's user namespace reads as version 3 with that uid; a root that
// is uid 0 of the reader's namespace or of any of its ancestors reads as
// version 2; any other root is EOVERFLOW.
func GetFile(path string) (FileCaps, error) {
	var buf [vfsSize3 + 8]byte
	n, err := retry(func() (int, error) { return unix.Getxattr(path, xattrName, buf[:]) })
	if err != nil {
		return FileCaps{}, fileError("getxattr", path, err)
	}
	fc, err := ParseFileCaps(buf[:n])
	if err != nil {
		return FileCaps{}, &os.PathError{Op: "parse " + xattrName, Path: path, Err: err}
	}
	return fc, nil
}

// SetFile writes fc as the file capabilities of path, which must be a
// regular file (a symbolic link there is not followed, as setcap refuses
// to), in fc.Version (0:
// version 2, or 3 when RootUID is set); the kernel accepts no version 1
// (cap_convert_nscap), so that is an error here. A version 3 RootUID is
// taken in the caller's user namespace and must be mapped there (EINVAL
// otherwise); the kernel stores it translated to the file system's
// namespace.
//
// Writing needs CAP_SETFCAP in a user namespace in which the file's owner
// and group are mapped: real root on the host, or root of a user
// namespace that maps them. Version 2 written by the latter is stored as
// version 3 with that namespace's root uid, so it grants nothing outside.
func SetFile(path string, fc FileCaps) error {
	if fc.Version == 1 {
		return &os.PathError{Op: "setxattr " + xattrName, Path: path, Err: errWriteV1}
	}
	b, err := fc.Marshal()
	if err != nil {
		return err
	}
	return onRegular("setxattr", path, func(p string) error {
		return retry0(func() error { return unix.Setxattr(p, xattrName, b, 0) })
	})
}

// errNotRegular: setcap and libcap put file capabilities on regular files
// only, never through a symbolic link.
var errNotRegular = errors.New("not a regular file: file capabilities go on the program itself, not on a symbolic link to it, a directory or a device (as setcap requires)")

// onRegular runs op on path's inode after checking, without following a
// final symbolic link, that it is a regular file: through an O_PATH
// descriptor and its /proc/self/fd link, so that nothing swapped in
// meanwhile is written; where /proc is missing, through path with the
// l*xattr calls, which do not follow a link either.
func onRegular(name, path string, op func(string) error) error {
	fd, err := unix.Open(path, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return fileError(name, path, err)
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return fileError(name, path, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return &os.PathError{Op: name + " " + xattrName, Path: path, Err: errNotRegular}
	}
	via := "/proc/self/fd/" + strconv.Itoa(fd)
	if _, err := os.Stat("/proc/self/fd"); err != nil {
		via = path
	}
	if err := op(via); err != nil {
		return fileError(name, path, err)
	}
	return nil
}

// RemoveFile removes the file capabilities of path, which must be a
// regular file, as for [SetFile]; removing absent ones is not an error,
// for anyone. Removing present ones needs the privilege
// [SetFile] needs.
func RemoveFile(path string) error {
	err := onRegular("removexattr", path, func(p string) error {
		return retry0(func() error { return unix.Removexattr(p, xattrName) })
	})
	if errors.Is(err, unix.EPERM) {
		// cap_inode_removexattr checks CAP_SETFCAP before the attribute is
		// looked up: without privilege, absent caps fail with EPERM too.
		var b [vfsSize3]byte
		if _, gerr := retry(func() (int, error) { return unix.Getxattr(path, xattrName, b[:]) }); errors.Is(gerr, unix.ENODATA) {
			return nil
		}
	}
	if err != nil && !errors.Is(err, unix.ENODATA) {
		return err
	}
	return nil
}

var errWriteV1 = errors.New("the kernel writes no version 1 file capabilities: use version 2 or 3")

func fileError(op, path string, errno error) error {
	err := error(&os.PathError{Op: op + " " + xattrName, Path: path, Err: os.NewSyscallError(op, errno)})
	switch {
	case errors.Is(errno, unix.ENODATA):
		return fmt.Errorf("%w: %w", ErrNoFileCaps, err)
	case errors.Is(errno, unix.EOVERFLOW):
		return fmt.Errorf("%w (the capabilities are for the root of a user namespace that is neither mapped here nor an ancestor of this one: read them from the host or from that namespace)", err)
	case errors.Is(errno, unix.EPERM) && op != "getxattr":
		return fmt.Errorf("%w (writing file capabilities needs CAP_SETFCAP in a user namespace where the file's owner and group are mapped: run as root, or inside a user namespace that maps them)", err)
	case errors.Is(errno, unix.EINVAL) && op == "getxattr":
		return fmt.Errorf("%w (the stored value is one the kernel does not hand back: version 1, or malformed; getcap cannot read it either, but the kernel may still apply it at execve: rewrite it with SetFile or remove it with RemoveFile)", err)
	case errors.Is(errno, unix.EINVAL) && op == "setxattr":
		return fmt.Errorf("%w (a version 3 root uid must be mapped in the writer's user namespace)", err)
	case errors.Is(errno, unix.ENOTSUP):
		return fmt.Errorf("%w (the filesystem does not support security.* extended attributes)", err)
	}
	return err
}

func retry(fn func() (int, error)) (int, error) {
	for {
		n, err := fn()
		if err != unix.EINTR {
			return n, err
		}
	}
}

func retry0(fn func() error) error {
	_, err := retry(func() (int, error) { return 0, fn() })
	return err
}
