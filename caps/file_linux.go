//go:build linux

package caps

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

const xattrName = "security.capability"

// GetFile reads the file capabilities of path (following symbolic links).
// A file without them gives an error for which errors.Is(err,
// ErrNoFileCaps) is true. Reading needs no privilege. The kernel hides
// version 3 capabilities whose root uid is unmapped in the caller's user
// namespace: that is EOVERFLOW.
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

// SetFile writes fc as the file capabilities of path, in fc.Version (0:
// version 2, or 3 when RootUID is set). A version 3 RootUID is taken in
// the caller's user namespace and must be mapped there.
//
// Writing needs CAP_SETFCAP in a user namespace that owns the file: real
// root on the host; or root of a user namespace in which the file's owner
// and group are mapped, in which case the kernel stores version 3 with
// the root uid of that namespace, whatever version was written.
func SetFile(path string, fc FileCaps) error {
	b, err := fc.Marshal()
	if err != nil {
		return err
	}
	err = retry0(func() error { return unix.Setxattr(path, xattrName, b, 0) })
	if err != nil {
		return fileError("setxattr", path, err)
	}
	return nil
}

// RemoveFile removes the file capabilities of path; removing absent ones
// is not an error. It needs the privilege [SetFile] needs.
func RemoveFile(path string) error {
	err := retry0(func() error { return unix.Removexattr(path, xattrName) })
	if err != nil && !errors.Is(err, unix.ENODATA) {
		return fileError("removexattr", path, err)
	}
	return nil
}

func fileError(op, path string, errno error) error {
	err := error(&os.PathError{Op: op + " " + xattrName, Path: path, Err: os.NewSyscallError(op, errno)})
	switch {
	case errors.Is(errno, unix.ENODATA):
		return fmt.Errorf("%w: %w", ErrNoFileCaps, err)
	case errors.Is(errno, unix.EOVERFLOW):
		return fmt.Errorf("%w (the capabilities are for a root uid that is not mapped in this user namespace)", err)
	case errors.Is(errno, unix.EPERM) && op != "getxattr":
		return fmt.Errorf("%w (writing file capabilities needs CAP_SETFCAP in a user namespace where the file's owner and group are mapped: run as root, or inside a user namespace that maps them)", err)
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
