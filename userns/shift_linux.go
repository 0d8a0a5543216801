//go:build linux

package userns

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/nonroot-go/nonroot/idmap"
)

// ShiftOwnership rewrites the owners of every file under root, root
// included, from one pair of maps to another (see [ShiftOptions]): the
// fallback for [MountIDMapped] where the kernel or the file system cannot
// map IDs on the fly. Unlike the mount it changes the files on disk.
//
// The walk runs in parallel and never leaves the tree: each directory is
// opened relative to its parent with O_NOFOLLOW, owners are changed with
// fchownat(AT_SYMLINK_NOFOLLOW) so a symbolic link is shifted itself and
// never followed, and mount points below root (another st_dev) are
// neither shifted nor entered. A file with several hard links is shifted
// once. What chown(2) strips is put back: the setuid and setgid bits of
// regular files, and the security.capability xattr, whose v3 root uid is
// moved by the uid maps like an owner. Owners already right are not
// touched. Access ACLs and other xattrs that name IDs are not rewritten.
//
// root itself is opened as given, following a symbolic link there; only
// what lies below it is held to the tree.
//
// An owner outside the From map is an error wrapping [ErrShiftUnmapped]
// that names the file; the walk stops at the first error. A file removed
// while the walk runs is skipped.
//
// Privilege: CAP_CHOWN and CAP_FOWNER (to chown and to restore modes),
// CAP_DAC_READ_SEARCH to enter every directory and CAP_SETFCAP to rewrite
// file capabilities, over the user namespace that owns the files: root
// on the host, or root of a namespace whose map holds both the old and
// the new owners.
func ShiftOwnership(root string, opts ShiftOptions) error {
	op := "shift owners under " + root
	if err := opts.check(); err != nil {
		return &Error{Op: op, Kind: ErrInvalid, Err: err}
	}
	if opts.UIDFrom.IsZero() && opts.GIDFrom.IsZero() {
		return nil
	}
	var fd int
	err := retryEINTR(func() (err error) {
		fd, err = unix.Open(root, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		return err
	})
	if err != nil {
		return &Error{Op: op, Err: &os.PathError{Op: "open", Path: root, Err: err}}
	}
	var st unix.Statx_t
	if err := unix.Statx(fd, "", unix.AT_EMPTY_PATH, statxMask, &st); err != nil {
		unix.Close(fd)
		return &Error{Op: op, Err: &os.PathError{Op: "statx", Path: root, Err: err}}
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = 4 * runtime.GOMAXPROCS(0)
	}
	s := &shifter{
		opts:  &opts,
		dev:   devOf(&st),
		mnt:   st.Mnt_id,
		byMnt: st.Mask&unix.STATX_MNT_ID != 0,
		sem:   make(chan struct{}, workers-1),
		links: map[devIno]struct{}{},
	}
	if uid, gid, err := s.mapOwner(st.Uid, st.Gid); err != nil {
		s.fail(root, err)
	} else if uid != st.Uid || gid != st.Gid {
		if err := unix.Fchown(fd, int(uid), int(gid)); err != nil {
			s.fail(root, os.NewSyscallError("fchown", err))
		}
	}
	if s.failed.Load() {
		unix.Close(fd)
	} else {
		s.walkDir(fd, root, getScratch())
	}
	s.wg.Wait()
	if s.err != nil {
		return &Error{Op: op, Err: s.err, Hint: s.hint}
	}
	return nil
}

type devIno struct{ dev, ino uint64 }

type shifter struct {
	opts  *ShiftOptions
	dev   uint64
	mnt   uint64 // the root's mount ID (Linux 5.8), when byMnt
	byMnt bool
	sem   chan struct{} // a token per extra walking goroutine
	wg    sync.WaitGroup

	linksMu sync.Mutex
	links   map[devIno]struct{} // inodes with several links already seen

	failed  atomic.Bool
	errOnce sync.Once
	err     error
	hint    string
}

// scratch is a walker's reusable memory; from a pool, so on the heap,
// where the kernel may write to it through a raw pointer.
type scratch struct {
	dirents [32 << 10]byte
	xattr   [64]byte
	stat    unix.Statx_t
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

func getScratch() *scratch { return scratchPool.Get().(*scratch) }

func (s *shifter) fail(path string, err error) {
	s.errOnce.Do(func() {
		s.err = &os.PathError{Op: "shift", Path: path, Err: err}
		switch {
		case errors.Is(err, ErrShiftUnmapped):
			s.hint = "every owner in the tree must lie in the From maps; check the maps, or chown the strays first"
		case errors.Is(err, unix.EPERM):
			s.hint = "shifting owners needs CAP_CHOWN, CAP_FOWNER and CAP_SETFCAP over both the old and the new IDs: run as root"
		}
		s.failed.Store(true)
	})
}

// mapOwner returns the new owner of a file owned by uid and gid.
func (s *shifter) mapOwner(uid, gid uint32) (uint32, uint32, error) {
	var ok bool
	if !s.opts.UIDFrom.IsZero() {
		if uid, ok = shiftID(s.opts.UIDFrom, s.opts.UIDTo, uid); !ok {
			return 0, 0, fmt.Errorf("uid %d: %w: %s", uid, ErrShiftUnmapped, mapsText(s.opts.UIDFrom, s.opts.UIDTo))
		}
	}
	if !s.opts.GIDFrom.IsZero() {
		if gid, ok = shiftID(s.opts.GIDFrom, s.opts.GIDTo, gid); !ok {
			return 0, 0, fmt.Errorf("gid %d: %w: %s", gid, ErrShiftUnmapped, mapsText(s.opts.GIDFrom, s.opts.GIDTo))
		}
	}
	return uid, gid, nil
}

func shiftID(from, to idmap.Map, id uint32) (uint32, bool) {
	k, ok := from.ToContainer(id)
	if !ok {
		return id, false
	}
	return to.ToHost(k)
}

func mapsText(from, to idmap.Map) string {
	return "from [" + trimNL(from.String()) + "] to [" + trimNL(to.String()) + "]"
}

func trimNL(s string) string {
	b := []byte(s)
	for i := range b {
		if b[i] == '\n' {
			b[i] = ','
		}
	}
	if n := len(b); n > 0 && b[n-1] == ',' {
		b = b[:n-1]
	}
	return string(b)
}

// walkDir shifts the entries of the directory open as fd, then closes it
// and gives sc back.
func (s *shifter) walkDir(fd int, path string, sc *scratch) {
	defer scratchPool.Put(sc)
	defer unix.Close(fd)
	for !s.failed.Load() {
		n, err := unix.Getdents(fd, sc.dirents[:])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			s.fail(path, os.NewSyscallError("getdents64", err))
			return
		}
		if n <= 0 {
			return
		}
		// struct linux_dirent64: d_ino u64, d_off s64, d_reclen u16,
		// d_type u8, d_name NUL-terminated.
		for off := 0; off < n; {
			rec := sc.dirents[off:]
			reclen := int(*(*uint16)(unsafe.Pointer(&rec[16])))
			name := rec[19:reclen]
			for i, c := range name {
				if c == 0 {
					name = name[:i+1] // keeping the NUL, for the kernel
					break
				}
			}
			off += reclen
			if n := string(name); n == ".\x00" || n == "..\x00" {
				continue
			}
			s.entry(fd, path, name, sc)
			if s.failed.Load() {
				return
			}
		}
	}
}

// statxMask asks statx for what the shift needs, and no more.
const statxMask = unix.STATX_TYPE | unix.STATX_MODE | unix.STATX_NLINK | unix.STATX_UID | unix.STATX_GID | unix.STATX_INO | unix.STATX_MNT_ID

func devOf(st *unix.Statx_t) uint64 { return unix.Mkdev(st.Dev_major, st.Dev_minor) }

// entry shifts one directory entry and walks into it if it is a
// directory. name is the entry's name as getdents gave it, ending in its
// NUL, so that the hot system calls take it without a copy.
func (s *shifter) entry(dirfd int, dir string, name []byte, sc *scratch) {
	st := &sc.stat
	if err := statxAt(dirfd, name, st); err != nil {
		if err != unix.ENOENT { // removed since getdents: nothing to shift
			s.fail(joinName(dir, name), os.NewSyscallError("statx", err))
		}
		return
	}
	if s.byMnt && st.Mnt_id != s.mnt || devOf(st) != s.dev {
		return // a mount point: another mount's files, not this tree's
	}
	isDir := st.Mode&unix.S_IFMT == unix.S_IFDIR
	if !isDir && st.Nlink > 1 {
		k := devIno{devOf(st), st.Ino}
		s.linksMu.Lock()
		_, seen := s.links[k]
		s.links[k] = struct{}{}
		s.linksMu.Unlock()
		if seen {
			return
		}
	}
	uid, gid, err := s.mapOwner(st.Uid, st.Gid)
	if err != nil {
		s.fail(joinName(dir, name), err)
		return
	}
	if uid != st.Uid || gid != st.Gid {
		if err := s.chown(dirfd, name, st, uid, gid, sc); err != nil {
			if errors.Is(err, unix.ENOENT) {
				return // removed since the statx
			}
			s.fail(joinName(dir, name), err)
			return
		}
	}
	if !isDir {
		return
	}
	sub := joinName(dir, name)
	var cfd int
	err = retryEINTR(func() (err error) {
		cfd, err = unix.Openat(dirfd, sub[len(dir)+1:], unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		return err
	})
	if err == unix.ENOENT {
		return
	}
	if err != nil {
		// ELOOP or ENOTDIR: replaced by a link or a file since the
		// statx; not followed.
		s.fail(sub, os.NewSyscallError("openat", err))
		return
	}
	select {
	case s.sem <- struct{}{}:
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer func() { <-s.sem }()
			s.walkDir(cfd, sub, getScratch())
		}()
	default:
		s.walkDir(cfd, sub, getScratch())
	}
}

// joinName is dir/name without name's NUL.
func joinName(dir string, name []byte) string { return dir + "/" + string(name[:len(name)-1]) }

// chown changes one entry's owner and puts back what the kernel strips on
// chown of a non-directory (ATTR_KILL_SUID, ATTR_KILL_SGID,
// ATTR_KILL_PRIV in fs/open.c): setuid/setgid bits and the capability
// xattr.
func (s *shifter) chown(dirfd int, name []byte, st *unix.Statx_t, uid, gid uint32, sc *scratch) error {
	reg := st.Mode&unix.S_IFMT == unix.S_IFREG
	var capx []byte
	if reg {
		n, err := getxattrAt(dirfd, name, capXattr, sc.xattr[:])
		switch err {
		case nil:
			moved, _, err := moveCapRoot(sc.xattr[:n], func(root uint32) (uint32, bool) {
				if s.opts.UIDFrom.IsZero() {
					return root, true
				}
				return shiftID(s.opts.UIDFrom, s.opts.UIDTo, root)
			})
			if err != nil {
				return err
			}
			capx = append([]byte(nil), moved...)
		case unix.ENODATA, unix.EOPNOTSUPP:
		default:
			return os.NewSyscallError("getxattr security.capability", err)
		}
	}
	if err := fchownatRaw(dirfd, name, uid, gid); err != nil {
		return os.NewSyscallError("fchownat", err)
	}
	if reg && st.Mode&(unix.S_ISUID|unix.S_ISGID) != 0 {
		if err := chmodNoFollow(dirfd, name, st); err != nil {
			return err
		}
	}
	if capx != nil {
		if err := setxattrAt(dirfd, name, capXattr, capx); err != nil {
			return os.NewSyscallError("setxattr security.capability", err)
		}
	}
	return nil
}

// chmodNoFollow restores st's permission bits on dirfd/name without
// following a symbolic link put there meanwhile: fchmodat2 (Linux 6.6)
// with AT_SYMLINK_NOFOLLOW, else through an O_PATH descriptor of the
// same inode.
func chmodNoFollow(dirfd int, nameZ []byte, st *unix.Statx_t) error {
	name := string(nameZ[:len(nameZ)-1])
	mode := uint32(st.Mode & 0o7777)
	err := unix.Fchmodat(dirfd, name, mode, unix.AT_SYMLINK_NOFOLLOW)
	if err != unix.EOPNOTSUPP {
		if err != nil {
			return os.NewSyscallError("fchmodat2", err)
		}
		return nil
	}
	fd, err := unix.Openat(dirfd, name, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return os.NewSyscallError("openat", err)
	}
	defer unix.Close(fd)
	var now unix.Stat_t
	if err := unix.Fstat(fd, &now); err != nil {
		return os.NewSyscallError("fstat", err)
	}
	if now.Ino != st.Ino || now.Mode&unix.S_IFMT != unix.S_IFREG {
		return os.NewSyscallError("chmod", unix.ESTALE)
	}
	return os.NewSyscallError("chmod", unix.Chmod(procFD(fd, ""), mode))
}

// procFD names dirfd/name through /proc/self/fd, for the path-based
// calls that have no *at form on older kernels; the magic link resolves
// to the open directory itself, never through a path that could change.
func procFD(fd int, name string) string {
	p := "/proc/self/fd/" + strconv.Itoa(fd)
	if name != "" {
		p += "/" + name
	}
	return p
}

// xattrArgs is struct xattr_args of getxattrat(2) and setxattrat(2).
type xattrArgs struct {
	value uint64
	size  uint32
	flags uint32
}

var noXattrAt atomic.Bool // getxattrat and setxattrat need Linux 6.13

// capXattr is "security.capability" with its NUL.
var capXattr = []byte("security.capability\x00")

func getxattrAt(dirfd int, name, attr []byte, dest []byte) (int, error) {
	if !noXattrAt.Load() {
		n, err := xattrAt(unix.SYS_GETXATTRAT, dirfd, name, attr, dest)
		if err != unix.ENOSYS {
			return n, err
		}
		noXattrAt.Store(true)
	}
	return unix.Lgetxattr(procFD(dirfd, string(name[:len(name)-1])), string(attr[:len(attr)-1]), dest)
}

func setxattrAt(dirfd int, name, attr []byte, val []byte) error {
	if !noXattrAt.Load() {
		_, err := xattrAt(unix.SYS_SETXATTRAT, dirfd, name, attr, val)
		if err != unix.ENOSYS {
			return err
		}
		noXattrAt.Store(true)
	}
	return unix.Lsetxattr(procFD(dirfd, string(name[:len(name)-1])), string(attr[:len(attr)-1]), val, 0)
}

// The raw calls below take names that end in a NUL (from getdents, or
// capXattr) and live on the heap (a scratch, or a package variable).

func xattrAt(trap uintptr, dirfd int, name, attr []byte, buf []byte) (int, error) {
	args := xattrArgs{size: uint32(len(buf))}
	if len(buf) > 0 {
		args.value = uint64(uintptr(unsafe.Pointer(&buf[0])))
	}
	r, _, e := unix.Syscall6(trap, uintptr(dirfd), uintptr(unsafe.Pointer(&name[0])), unix.AT_SYMLINK_NOFOLLOW,
		uintptr(unsafe.Pointer(&attr[0])), uintptr(unsafe.Pointer(&args)), unsafe.Sizeof(args))
	runtime.KeepAlive(buf)
	if e != 0 {
		return 0, e
	}
	return int(r), nil
}

func statxAt(dirfd int, name []byte, st *unix.Statx_t) error {
	_, _, e := unix.Syscall6(unix.SYS_STATX, uintptr(dirfd), uintptr(unsafe.Pointer(&name[0])),
		unix.AT_SYMLINK_NOFOLLOW|unix.AT_STATX_DONT_SYNC, statxMask, uintptr(unsafe.Pointer(st)), 0)
	if e != 0 {
		return e
	}
	return nil
}

func fchownatRaw(dirfd int, name []byte, uid, gid uint32) error {
	_, _, e := unix.Syscall6(unix.SYS_FCHOWNAT, uintptr(dirfd), uintptr(unsafe.Pointer(&name[0])),
		uintptr(uid), uintptr(gid), unix.AT_SYMLINK_NOFOLLOW, 0)
	if e != 0 {
		return e
	}
	return nil
}
