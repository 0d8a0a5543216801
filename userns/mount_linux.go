//go:build linux

package userns

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/nonroot-go/nonroot/idmap"
	"github.com/nonroot-go/nonroot/internal/proc"
)

// MountOptions adjusts [MountIDMapped] and [OpenIDMapped]. The zero
// value (or nil) maps source alone, writable, in a namespace made for the
// purpose.
type MountOptions struct {
	// Recursive also clones and maps the mounts below source, as
	// mount --rbind does. Without it they are left out of the new mount.
	Recursive bool
	// ReadOnly makes the new mount read-only.
	ReadOnly bool
	// UserNS, when not nil, is a user namespace descriptor (such as an
	// open /proc/PID/ns/user of a running container) whose maps the
	// mount takes; the uids and gids arguments must then be zero Maps.
	// It saves starting a holder process per mount.
	UserNS *os.File
}

// MountIDMapped bind-mounts the directory (or file) source at target with
// its owners translated by uids and gids, without touching the files.
//
// uids and gids are the maps of a user namespace, read the kernel's way:
// a file whose owner on disk is Range.ContainerID+k is seen as owned by
// Range.HostID+k, and a file created through the mount by HostID+k is
// stored on disk as owned by ContainerID+k. Two common cases:
//
//   - Handing a host directory to a container whose namespace maps
//     0→100000 (its uid_map is "0 100000 65536"): pass the container's own
//     maps. Files owned by root on disk are owned by the container's root,
//     and what the container creates lands on disk owned by root.
//   - Moving a volume written by a container that had host IDs 100000+ to
//     one that has 300000+: pass "100000 300000 65536". Files owned by
//     100000 on disk are seen as 300000, the new container's root.
//
// A file whose owner on disk lies outside the map is seen as owned by the
// overflow uid (65534, /proc/sys/fs/overflowuid), and cannot be chowned
// through the mount. Creating a file through the mount as a user whose
// uid is not on the HostID side of the map fails with EOVERFLOW: the
// kernel has no on-disk owner to write. (Root on the host is such a user
// for the maps above; the container's processes are not.)
//
// Security: in the first case above, what the container's root creates
// is root's on disk, setuid bits included. Keep source where no other
// user of the host can reach it (under a directory of mode 0700, as
// /var/lib/containers is) or on a nosuid mount, or a host user may run
// a setuid-root file the container made. target is resolved as a path,
// following symbolic links; where a container can write the directories
// on the way, resolve it first (openat2 with RESOLVE_IN_ROOT) and pass
// /proc/self/fd/N, or attach the mount yourself with [OpenIDMapped].
//
// A source in a shared mount peer group stays in it: a mount made later
// below the source also shows below target, without the ID-mapping.
// Make source a private mount first where that matters.
//
// Privilege: CAP_SYS_ADMIN over the caller's mount namespace (to clone a
// mount) and over the user namespace that mounted source's file system:
// root on the host for a disk file system; inside a user namespace, only
// a file system mounted there, such as its own tmpfs. Those refusals are
// errors answering errors.Is(err, os.ErrPermission). Kernel support is
// Linux 5.12 for ext4, xfs and fat, 5.15 for btrfs, 6.3 for tmpfs; where
// it is missing the error answers errors.Is(err, [ErrIDMapUnsupported]).
//
// The namespace the maps need is created for the call in a holder process
// that never runs any code and is reaped before MountIDMapped returns
// (about 1 ms); the mount keeps a reference to the namespace, so nothing
// stays behind but the mount. Undo it with unix.Unmount(target, 0) or
// umount(8). The mount lands in the caller's mount namespace; a program
// that means to mount into a container mounts from inside the container's
// mount namespace, or uses [OpenIDMapped] and passes the descriptor on.
func MountIDMapped(source, target string, uids, gids idmap.Map, opts *MountOptions) error {
	f, err := OpenIDMapped(source, uids, gids, opts)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := retryEINTR(func() error {
		return unix.MoveMount(int(f.Fd()), "", unix.AT_FDCWD, target, unix.MOVE_MOUNT_F_EMPTY_PATH)
	}); err != nil {
		e := &Error{Op: "move_mount " + source + " to " + target, Err: os.NewSyscallError("move_mount", err)}
		switch err {
		case unix.ENOENT, unix.ENOTDIR, unix.EINVAL:
			// A kind mismatch and a symbolic link as the target's last
			// component (never followed) both come back as EINVAL.
			e.Hint = "the target must exist, be of the same kind as the source (a directory for a directory, a file for a file) and not be a symbolic link"
		case unix.EPERM:
			e.Hint = "attaching a mount needs CAP_SYS_ADMIN over the caller's mount namespace: run as root, or unshare a mount namespace inside a user namespace"
		}
		return e
	}
	return nil
}

// OpenIDMapped is [MountIDMapped] without the last step: it returns a
// descriptor of a detached ID-mapped clone of source, which the caller
// attaches where it likes with move_mount(2) (unix.MoveMount with
// MOVE_MOUNT_F_EMPTY_PATH), possibly after passing it to a process in
// another mount namespace. Files are reachable through the descriptor
// with the *at system calls meanwhile. Closing an unattached descriptor
// unmounts the clone. The privilege needed is that of MountIDMapped.
func OpenIDMapped(source string, uids, gids idmap.Map, opts *MountOptions) (*os.File, error) {
	if opts == nil {
		opts = &MountOptions{}
	}
	op := "ID-mapped mount of " + source
	if opts.UserNS == nil && (uids.IsZero() || gids.IsZero()) {
		return nil, &Error{
			Op: op, Kind: ErrInvalid, Err: errors.New("a uid map and a gid map are needed"),
			Hint: "pass the maps of the namespace the files are for, or MountOptions.UserNS",
		}
	}
	if opts.UserNS != nil && (!uids.IsZero() || !gids.IsZero()) {
		return nil, &Error{
			Op: op, Kind: ErrInvalid, Err: errors.New("maps given along with MountOptions.UserNS"),
			Hint: "the namespace's own maps apply; pass zero Maps",
		}
	}
	if opts.UserNS != nil {
		if err := checkUserNS(opts.UserNS); err != nil {
			return nil, &Error{
				Op: op, Kind: ErrInvalid, Err: err,
				Hint: "MountOptions.UserNS must be an open user namespace, such as /proc/PID/ns/user of the container",
			}
		}
	}

	// The clone first: the privilege it needs is what most callers lack,
	// and the error should say so before anything about maps.
	flags := uint(unix.OPEN_TREE_CLONE | unix.OPEN_TREE_CLOEXEC)
	var setFlags uint = unix.AT_EMPTY_PATH
	if opts.Recursive {
		flags |= unix.AT_RECURSIVE
		setFlags |= unix.AT_RECURSIVE
	}
	var fd int
	err := retryEINTR(func() (err error) {
		fd, err = unix.OpenTree(unix.AT_FDCWD, source, flags)
		return err
	})
	if err != nil {
		e := &Error{Op: op, Err: os.NewSyscallError("open_tree", err)}
		switch err {
		case unix.ENOSYS:
			e.Kind, e.Hint = ErrIDMapUnsupported, "open_tree needs Linux 5.2 and ID-mapped mounts Linux 5.12; shift the owners with ShiftOwnership instead"
		case unix.EPERM:
			e.Hint = "cloning a mount needs CAP_SYS_ADMIN over the caller's mount namespace: run as root"
		case unix.EINVAL:
			if !opts.Recursive && RunningInUserNS() {
				e.Hint = "inside a user namespace, a mount with mounts below it that came from the parent namespace can only be cloned with them: set MountOptions.Recursive"
			}
		}
		return nil, e
	}
	f := os.NewFile(uintptr(fd), source)

	ns := opts.UserNS
	if ns == nil {
		if ns, err = holdUserNS(uids, gids); err != nil {
			f.Close()
			e := &Error{Op: op + ": creating the user namespace for the maps", Err: err, Hint: holderHint()}
			// The planner's verdict, or its reading of the errno, says
			// more than the generic hint, unless the holder's ptrace is
			// what failed.
			if ue := (*Error)(nil); errors.As(err, &ue) && (ue.Kind != nil || ue.Hint != "") && tracerOrYama() == "" {
				e.Err, e.Kind, e.Hint = ue.Err, ue.Kind, ue.Hint
			}
			return nil, e
		}
		defer ns.Close()
	}

	attr := unix.MountAttr{Attr_set: unix.MOUNT_ATTR_IDMAP, Userns_fd: uint64(ns.Fd())}
	if opts.ReadOnly {
		attr.Attr_set |= unix.MOUNT_ATTR_RDONLY
	}
	err = retryEINTR(func() error { return unix.MountSetattr(fd, "", setFlags, &attr) })
	if err != nil {
		f.Close()
		return nil, setattrError(op, source, opts, err)
	}
	return f, nil
}

// nsGetNSType is NS_GET_NSTYPE, _IO(0xb7, 0x3) of linux/nsfs.h.
const nsGetNSType = 0xb703

// checkUserNS says what is wrong with a descriptor given as a user
// namespace.
func checkUserNS(f *os.File) error {
	t, err := unix.IoctlRetInt(int(f.Fd()), nsGetNSType)
	switch {
	case err == unix.ENOTTY || err == unix.EINVAL:
		return errors.New(f.Name() + " is not a namespace")
	case err != nil:
		return &os.PathError{Op: "ioctl NS_GET_NSTYPE", Path: f.Name(), Err: err}
	case t != unix.CLONE_NEWUSER:
		return errors.New(f.Name() + " is a namespace of another kind than user")
	}
	return nil
}

// holderHint explains a failure to create the holder's namespace.
func holderHint() string {
	if h := tracerOrYama(); h != "" {
		return h
	}
	return "the maps must lie inside the caller's own uid_map and gid_map, and writing maps of many IDs needs CAP_SETUID and CAP_SETGID (root)"
}

// tracerOrYama says why the holder cannot stop itself with
// PTRACE_TRACEME, if something forbids it.
func tracerOrYama() string {
	if b, err := os.ReadFile("/proc/sys/kernel/yama/ptrace_scope"); err == nil && len(b) > 0 && b[0] == '3' {
		return "kernel.yama.ptrace_scope is 3, which forbids the ptrace stop of the namespace's holder process; pass MountOptions.UserNS instead"
	}
	var st proc.Status
	if err := proc.ReadStatus(0, &st); err == nil && st.TracerPid != 0 {
		return "this process is being traced (strace -f or a debugger following forks, tracer thread " + strconv.Itoa(st.TracerPid) +
			"), so the holder process cannot stop itself with PTRACE_TRACEME; run untraced, or pass MountOptions.UserNS"
	}
	return ""
}

// setattrError explains mount_setattr's refusals, which come as bare
// errnos from several checks in the kernel (fs/namespace.c), with what
// /proc/self/mountinfo says of the mounts involved.
func setattrError(op, source string, opts *MountOptions, err error) error {
	e := &Error{Op: op, Err: os.NewSyscallError("mount_setattr", err)}
	fs := fsName(source)
	switch err {
	case unix.ENOSYS, unix.E2BIG:
		e.Kind, e.Hint = ErrIDMapUnsupported, "ID-mapped mounts need Linux 5.12; shift the owners with ShiftOwnership instead"
	case unix.EINVAL:
		e.Kind = ErrIDMapUnsupported
		var below []mountEntry
		if opts.Recursive {
			_, below = mountsOf(source)
		}
		switch {
		case len(below) > 0:
			e.Hint = "Recursive maps the mounts below " + source + " too, and the kernel refuses them all if one cannot be ID-mapped (proc, sysfs, overlay and the like cannot); below it: " +
				describeMounts(below) + ". Map without Recursive, or map each supported mount on its own"
		case fs == "overlay":
			e.Hint = "an overlay mount cannot be ID-mapped; ID-map its lower and upper directories instead (Linux 5.19) and mount the overlay on top"
		case fs == "proc" || fs == "sysfs" || fs == "cgroup2" || fs == "devpts":
			e.Hint = fs + " cannot be ID-mapped"
		default:
			e.Hint = "the file system of " + source + " is " + fs + ", which does not support ID-mapped mounts on this kernel " +
				"(ext4, xfs and fat do since Linux 5.12, btrfs since 5.15, tmpfs since 6.3); shift the owners with ShiftOwnership instead"
			if opts.UserNS != nil {
				e.Hint += "; or MountOptions.UserNS is the namespace that owns the file system, which cannot be its ID-mapping"
			}
		}
	case unix.EPERM:
		here, below := mountsOf(source)
		candidates := here
		if opts.Recursive {
			candidates = append(candidates, below...)
		}
		var idmapped []mountEntry
		for _, m := range candidates {
			if m.idmapped() {
				idmapped = append(idmapped, m)
			}
		}
		switch {
		case len(idmapped) > 0:
			e.Hint = "the kernel ID-maps a mount only once, and " + describeMounts(idmapped) +
				" is already an ID-mapped mount; clone the directory it was made from instead"
		case opts.UserNS != nil && isInitialUserNS(opts.UserNS):
			e.Hint = "MountOptions.UserNS is the initial user namespace, which cannot carry an ID-mapping; pass the container's namespace"
		default:
			e.Hint = "ID-mapping needs CAP_SYS_ADMIN over the user namespace that mounted the " + fs +
				" file system of " + source + ": root on the host for a disk file system; inside a user namespace, only a file system it mounted itself, such as its own tmpfs"
		}
	}
	return e
}

// isInitialUserNS reports whether f is the initial user namespace, which
// has no parent (NS_GET_PARENT fails with EPERM there).
func isInitialUserNS(f *os.File) bool {
	_, err := unix.IoctlRetInt(int(f.Fd()), unix.NS_GET_PARENT)
	return err == unix.EPERM && !RunningInUserNS()
}

// mountEntry is a line of /proc/self/mountinfo.
type mountEntry struct {
	point, fstype, opts string
}

func (m mountEntry) idmapped() bool {
	return slices.Contains(strings.Split(m.opts, ","), "idmapped")
}

func describeMounts(ms []mountEntry) string {
	var parts []string
	for i, m := range ms {
		if i == 5 {
			parts = append(parts, "and "+strconv.Itoa(len(ms)-i)+" more")
			break
		}
		parts = append(parts, m.point+" ("+m.fstype+")")
	}
	return strings.Join(parts, ", ")
}

// mountsOf returns the mount that holds path (here, one entry, or none
// if mountinfo cannot say) and the mounts below path, as this process
// sees them.
func mountsOf(path string) (here, below []mountEntry) {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return nil, nil
	}
	if real, err = filepath.Abs(real); err != nil {
		return nil, nil
	}
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return nil, nil
	}
	var best mountEntry
	for line := range strings.Lines(string(b)) {
		f := strings.Fields(line)
		sep := slices.Index(f, "-")
		if len(f) < 6 || sep < 6 || sep+1 >= len(f) {
			continue
		}
		m := mountEntry{point: unescapeMountinfo(f[4]), fstype: f[sep+1], opts: f[5]}
		holds := m.point == "/" || m.point == real || strings.HasPrefix(real, m.point+"/")
		// A later line at the same point is mounted on top.
		if holds && len(m.point) >= len(best.point) {
			best = m
		}
		if m.point != real && (real == "/" || strings.HasPrefix(m.point, real+"/")) {
			below = append(below, m)
		}
	}
	if best.point != "" {
		here = []mountEntry{best}
	}
	return here, below
}

// unescapeMountinfo undoes the octal escapes (\040 for a space) of a
// mountinfo path.
func unescapeMountinfo(s string) string {
	if !strings.Contains(s, "\\") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// fsName names the file system under path, for error messages.
func fsName(path string) string {
	var st unix.Statfs_t
	if err := unix.Statfs(path, &st); err != nil {
		return "unknown"
	}
	switch uint32(st.Type) {
	case unix.EXT4_SUPER_MAGIC:
		return "ext4"
	case unix.XFS_SUPER_MAGIC:
		return "xfs"
	case unix.BTRFS_SUPER_MAGIC:
		return "btrfs"
	case unix.TMPFS_MAGIC:
		return "tmpfs"
	case unix.OVERLAYFS_SUPER_MAGIC:
		return "overlay"
	case unix.PROC_SUPER_MAGIC:
		return "proc"
	case unix.SYSFS_MAGIC:
		return "sysfs"
	case unix.CGROUP2_SUPER_MAGIC:
		return "cgroup2"
	case unix.DEVPTS_SUPER_MAGIC:
		return "devpts"
	case unix.NFS_SUPER_MAGIC:
		return "nfs"
	case unix.MSDOS_SUPER_MAGIC:
		return "fat"
	case unix.FUSE_SUPER_MAGIC:
		return "fuse"
	}
	return "of type 0x" + strconv.FormatInt(int64(st.Type), 16)
}

func retryEINTR(fn func() error) error {
	for {
		if err := fn(); err != unix.EINTR {
			return err
		}
	}
}
