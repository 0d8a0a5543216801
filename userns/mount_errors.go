package userns

import "errors"

// ErrIDMapUnsupported: the kernel or the source's file system cannot make
// ID-mapped mounts. The kernel needs Linux 5.12 (ext4, xfs, fat), 5.15
// (btrfs), 5.19 (the layers of an overlay) or 6.3 (tmpfs); an overlay
// mount itself, proc, and network file systems are refused with EINVAL.
// Where this is the answer, [ShiftOwnership] does the same job by
// rewriting the owners on disk.
var ErrIDMapUnsupported = errors.New("ID-mapped mounts are not supported here")
