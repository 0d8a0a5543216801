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
// once. What chown(2) strips is put back: the setuid and setgid bits, and
// the security.capability xattr. The IDs that xattrs hold move like
// owners: a v3 file capability's root uid by the uid maps, and the named
// users and groups of POSIX ACLs (system.posix_acl_access and
// system.posix_acl_default) by the uid and gid maps, so that no ACL keeps
// granting access to an ID of the tree's old range. Owners and values
// already right are not touched. Other ID-bearing metadata is not
// rewritten: NFSv4 ACLs, file system quotas, and the
// user.containers.override_stat xattr of fuse-overlayfs and
// containers/storage's force_mask.
//
// root itself is opened as given, following a symbolic link there; only
// what lies below it is held to the tree.
//
// An owner, capability root or ACL entry outside the From map is an error
// wrapping [ErrShiftUnmapped] that names the file; the walk stops at the first error. A file removed
// while the walk runs is skipped.
//
// Privilege: CAP_CHOWN and CAP_FOWNER (to chown and to restore modes),
// CAP_FSETID (to keep setgid where an ACL is rewritten),
// CAP_DAC_READ_SEARCH to enter every directory and CAP_SETFCAP to rewrite
// file capabilities, over the user namespace that owns the files: root
// on the host, or root of a namespace whose map holds both the old and
// the new owners. An owner may shift the ACLs of its own files without
// privilege, but a setuid or setgid bit the kernel clears on the way and
// the caller cannot restore is an error (os.ErrPermission) naming the
// file, never a silent loss.
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
	sc := getScratch()
	if err := s.shift(fd, emptyName, &st, sc); err != nil {
		s.fail(root, err)
	}
	if s.failed.Load() {
		unix.Close(fd)
	} else {
		s.walkDir(fd, root, sc)
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

	noList atomic.Bool // listxattr said EOPNOTSUPP: ask xattrs by name

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
	names   [256]byte
	stat    unix.Statx_t
	stat2   unix.Statx_t
	// sized: the last entry this walker asked had xattrs, so the next
	// listxattr passes a buffer at once instead of asking the size
	// first (see listxattrAt).
	sized bool
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

func getScratch() *scratch { return scratchPool.Get().(*scratch) }

func (s *shifter) fail(path string, err error) {
	s.errOnce.Do(func() {
		s.err = &os.PathError{Op: "shift", Path: path, Err: err}
		var acl *aclIDError
		switch {
		case errors.As(err, &acl):
			s.hint = "every ID an ACL names must lie in the From maps; check the maps, or remove the entry first (setfacl -x " + acl.removal() + " " + path + ")"
		case errors.Is(err, ErrShiftUnmapped):
			s.hint = "every owner in the tree must lie in the From maps; check the maps, or chown the strays first"
		case errors.Is(err, unix.EPERM):
			s.hint = "shifting owners needs CAP_CHOWN, CAP_FOWNER, CAP_FSETID and CAP_SETFCAP over both the old and the new IDs: run as root"
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
	if err := s.shift(dirfd, name, st, sc); err != nil {
		if errors.Is(err, unix.ENOENT) {
			return // removed since the statx
		}
		s.fail(joinName(dir, name), err)
		return
	}
	if !isDir {
		return
	}
	sub := joinName(dir, name)
	var cfd int
	err := retryEINTR(func() (err error) {
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

// The xattrs that hold IDs, with their NULs.
var (
	capXattr        = []byte("security.capability\x00")
	aclAccessXattr  = []byte("system.posix_acl_access\x00")
	aclDefaultXattr = []byte("system.posix_acl_default\x00")
)

// shift moves one entry's owner and the IDs its xattrs hold, and puts
// back what the kernel strips on chown of a non-directory (ATTR_KILL_SUID,
// ATTR_KILL_SGID, ATTR_KILL_PRIV in fs/open.c): the setuid and setgid bits
// and the capability xattr.
//
// One listxattr tells which of the ID-bearing xattrs the entry has, so an
// entry with none (nearly all of a typical tree) costs statx, listxattr
// and fchownat. Symbolic links are not asked: they hold no ACLs, and a
// capability on a link is never used. Where listxattr cannot answer (a
// FUSE file system without it, EOPNOTSUPP; more than 64 KiB of names,
// E2BIG), the three xattrs are asked for by name.
func (s *shifter) shift(dirfd int, name []byte, st *unix.Statx_t, sc *scratch) error {
	uid, gid, err := s.mapOwner(st.Uid, st.Gid)
	if err != nil {
		return err
	}
	chown := uid != st.Uid || gid != st.Gid
	typ := st.Mode & unix.S_IFMT
	var capx, aclAccess, aclDefault []byte
	capMoved := false
	if typ != unix.S_IFLNK {
		var has struct{ cap, access, def bool }
		names, err := s.listxattr(dirfd, name, sc)
		switch err {
		case nil:
			for len(names) > 0 {
				i := 0
				for i < len(names) && names[i] != 0 {
					i++
				}
				n := names[:min(i+1, len(names))]
				names = names[len(n):]
				switch string(n) {
				case string(capXattr):
					has.cap = true
				case string(aclAccessXattr):
					has.access = true
				case string(aclDefaultXattr):
					has.def = true
				}
			}
		case unix.EOPNOTSUPP, unix.E2BIG:
			has.cap, has.access, has.def = true, true, true
		default:
			return os.NewSyscallError("listxattr", err)
		}
		if has.cap {
			if capx, capMoved, err = s.movedCap(dirfd, name, sc); err != nil {
				return err
			}
		}
		if has.access {
			if aclAccess, err = s.movedACL(dirfd, name, aclAccessXattr); err != nil {
				return err
			}
		}
		if has.def {
			if aclDefault, err = s.movedACL(dirfd, name, aclDefaultXattr); err != nil {
				return err
			}
		}
	}
	if chown {
		if err := fchownatRaw(dirfd, name, uid, gid); err != nil {
			return os.NewSyscallError("fchownat", err)
		}
	}
	if aclAccess != nil {
		if err := setxattrAt(dirfd, name, aclAccessXattr, aclAccess); err != nil {
			return os.NewSyscallError("setxattr system.posix_acl_access", err)
		}
	}
	if aclDefault != nil {
		if err := setxattrAt(dirfd, name, aclDefaultXattr, aclDefault); err != nil {
			return os.NewSyscallError("setxattr system.posix_acl_default", err)
		}
	}
	// chown of a non-directory clears setuid and setgid; writing an
	// access ACL clears setgid where the caller is outside the file's
	// group and lacks CAP_FSETID. Put them back, and make sure they came
	// back: a caller that cannot keep setgid cannot restore it either.
	if st.Mode&(unix.S_ISUID|unix.S_ISGID) != 0 && typ != unix.S_IFLNK &&
		(chown && typ != unix.S_IFDIR || aclAccess != nil) {
		if err := chmodNoFollow(dirfd, name, st); err != nil {
			return err
		}
		if err := modeKept(dirfd, name, st, &sc.stat2); err != nil {
			return err
		}
	}
	// chown of a non-directory removed the capability; a directory keeps
	// it, so it is written only where its root uid moved.
	if capx != nil && (chown && typ != unix.S_IFDIR || capMoved) {
		if err := setxattrAt(dirfd, name, capXattr, capx); err != nil {
			return os.NewSyscallError("setxattr security.capability", err)
		}
	}
	return nil
}

// errModeLost: a shift could not keep an entry's setuid or setgid bit.
var errModeLost = errors.New("the kernel cleared the setuid or setgid bit and it could not be restored (the caller is outside the file's group and lacks CAP_FSETID)")

// modeKept checks that dirfd/name still has st's permission bits.
func modeKept(dirfd int, name []byte, st, now *unix.Statx_t) error {
	if err := statxAt(dirfd, name, now); err != nil {
		return os.NewSyscallError("statx", err)
	}
	if now.Mode&0o7777 != st.Mode&0o7777 {
		return fmt.Errorf("chmod: mode %#o, was %#o: %w (%w)", now.Mode&0o7777, st.Mode&0o7777, errModeLost, unix.EPERM)
	}
	return nil
}

// listxattr is listxattrAt, which it stops calling once the file system
// has said it cannot list (EOPNOTSUPP), as FUSE says for good.
func (s *shifter) listxattr(dirfd int, name []byte, sc *scratch) ([]byte, error) {
	if s.noList.Load() {
		return nil, unix.EOPNOTSUPP
	}
	names, err := listxattrAt(dirfd, name, sc)
	if err == unix.EOPNOTSUPP {
		s.noList.Store(true)
	}
	return names, err
}

// movedCap reads the entry's security.capability and returns it with its
// root uid moved, in new memory, and whether the root uid moved.
func (s *shifter) movedCap(dirfd int, name []byte, sc *scratch) ([]byte, bool, error) {
	n, err := getxattrAt(dirfd, name, capXattr, sc.xattr[:])
	switch err {
	case nil:
	case unix.ENODATA, unix.EOPNOTSUPP: // none, or removed since the listxattr
		return nil, false, nil
	default:
		return nil, false, os.NewSyscallError("getxattr security.capability", err)
	}
	moved, changed, err := moveCapRoot(sc.xattr[:n], func(root uint32) (uint32, bool) {
		if s.opts.UIDFrom.IsZero() {
			return root, true
		}
		return shiftID(s.opts.UIDFrom, s.opts.UIDTo, root)
	})
	if err != nil {
		return nil, false, err
	}
	return append([]byte(nil), moved...), changed, nil
}

// movedACL reads one of the entry's POSIX ACLs and returns it with its
// named users and groups moved, or nil if none moved.
func (s *shifter) movedACL(dirfd int, name, attr []byte) ([]byte, error) {
	val, err := getxattrAlloc(dirfd, name, attr)
	if err == unix.ENODATA || err == unix.EOPNOTSUPP { // none (or no ACLs here)
		return nil, nil
	}
	if err != nil {
		return nil, os.NewSyscallError("getxattr "+string(attr[:len(attr)-1]), err)
	}
	var uid, gid func(uint32) (uint32, bool)
	if !s.opts.UIDFrom.IsZero() {
		uid = func(id uint32) (uint32, bool) { return shiftID(s.opts.UIDFrom, s.opts.UIDTo, id) }
	}
	if !s.opts.GIDFrom.IsZero() {
		gid = func(id uint32) (uint32, bool) { return shiftID(s.opts.GIDFrom, s.opts.GIDTo, id) }
	}
	changed, err := moveACLIDs(val, uid, gid)
	if acl := (*aclIDError)(nil); errors.As(err, &acl) {
		from, to := s.opts.UIDFrom, s.opts.UIDTo
		if acl.Group {
			from, to = s.opts.GIDFrom, s.opts.GIDTo
		}
		return nil, fmt.Errorf("%s: %w: %s", attr[:len(attr)-1], err, mapsText(from, to))
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", attr[:len(attr)-1], err)
	}
	if !changed {
		return nil, nil
	}
	return val, nil
}

// chmodNoFollow restores st's permission bits on dirfd/name without
// following a symbolic link put there meanwhile: fchmodat2 (Linux 6.6)
// with AT_SYMLINK_NOFOLLOW, else through an O_PATH descriptor of the
// same inode.
//
// The empty name is the walk's root, open as dirfd. EPERM from fchmodat2
// may be a seccomp filter that predates it; the O_PATH way then answers,
// and says EPERM again if the caller may not.
func chmodNoFollow(dirfd int, nameZ []byte, st *unix.Statx_t) error {
	name := string(nameZ[:len(nameZ)-1])
	mode := uint32(st.Mode & 0o7777)
	if name == "" {
		return os.NewSyscallError("fchmod", unix.Fchmod(dirfd, mode))
	}
	err := unix.Fchmodat(dirfd, name, mode, unix.AT_SYMLINK_NOFOLLOW)
	if err != unix.EOPNOTSUPP && err != unix.EPERM {
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
	if now.Ino != st.Ino || now.Mode&unix.S_IFMT != uint32(st.Mode)&unix.S_IFMT {
		return os.NewSyscallError("chmod", unix.ESTALE)
	}
	if err := procMounted(); err != nil {
		return err
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

// xattrPath is procFD for the l*xattr calls, which would act on the
// magic link itself were it the last component: the empty name becomes
// "." below it. It fails where /proc is not mounted, rather than let the
// walk take the missing path for a file removed meanwhile.
func xattrPath(fd int, nameZ []byte) (string, error) {
	if err := procMounted(); err != nil {
		return "", err
	}
	if len(nameZ) == 1 {
		return procFD(fd, "."), nil
	}
	return procFD(fd, string(nameZ[:len(nameZ)-1])), nil
}

var procMounted = sync.OnceValue(func() error {
	if _, err := os.Stat("/proc/self/fd"); err != nil {
		return fmt.Errorf("the xattr calls of kernels before 6.13 (or where seccomp refuses getxattrat and its kin) need /proc mounted: %w", err)
	}
	return nil
})

// emptyName stands for the open directory itself (AT_EMPTY_PATH): the
// root of the walk.
var emptyName = []byte{0}

// atFlags are the *at flags of the raw calls for nameZ: never follow a
// final symbolic link, and act on dirfd itself for the empty name.
func atFlags(nameZ []byte) uintptr {
	if len(nameZ) == 1 {
		return unix.AT_SYMLINK_NOFOLLOW | unix.AT_EMPTY_PATH
	}
	return unix.AT_SYMLINK_NOFOLLOW
}

// xattrArgs is struct xattr_args of getxattrat(2) and setxattrat(2).
type xattrArgs struct {
	value uint64
	size  uint32
	flags uint32
}

var noXattrAt atomic.Bool // getxattrat, setxattrat and listxattrat need Linux 6.13

// viaProc runs the l*xattr form of a refused *xattrat call. err is what
// the *xattrat call said: ENOSYS before Linux 6.13, or EPERM, which is
// how a seccomp filter written before these calls existed (runc's and
// Docker's default errno) refuses them; none of the three calls returns
// EPERM for the xattrs a shift touches otherwise, but setxattr of a
// capability may, and then the l*xattr form says EPERM too and the calls
// stay in use. Any other err is returned as it is.
func viaProc[T any](v T, err error, proc func() (T, error)) (T, error) {
	if err != unix.ENOSYS && err != unix.EPERM {
		return v, err
	}
	v, perr := proc()
	if err == unix.ENOSYS || perr != unix.EPERM {
		noXattrAt.Store(true)
	}
	return v, perr
}

func getxattrAt(dirfd int, name, attr []byte, dest []byte) (int, error) {
	proc := func() (int, error) {
		p, err := xattrPath(dirfd, name)
		if err != nil {
			return 0, err
		}
		return unix.Lgetxattr(p, string(attr[:len(attr)-1]), dest)
	}
	if noXattrAt.Load() {
		return proc()
	}
	n, err := xattrAt(unix.SYS_GETXATTRAT, dirfd, name, attr, dest)
	return viaProc(n, err, proc)
}

// getxattrAlloc reads a value of any size.
func getxattrAlloc(dirfd int, name, attr []byte) ([]byte, error) {
	return readGrowing(make([]byte, 256), func(b []byte) (int, error) { return getxattrAt(dirfd, name, attr, b) })
}

// readGrowing calls read with buf, and with buffers four times larger up
// to xattrSizeMax while it says ERANGE (too small), and returns what the
// last call read.
func readGrowing(buf []byte, read func([]byte) (int, error)) ([]byte, error) {
	for {
		n, err := read(buf)
		if err == nil {
			return buf[:n], nil
		}
		if err != unix.ERANGE || len(buf) >= xattrSizeMax {
			return nil, err
		}
		buf = make([]byte, min(4*len(buf), xattrSizeMax))
	}
}

// xattrSizeMax is XATTR_SIZE_MAX, the largest value the kernel passes.
const xattrSizeMax = 64 << 10

// listxattrAt lists the names of dirfd/name's xattrs, each with its NUL,
// into sc.names, or into new memory if they do not fit. Names of more
// than 64 KiB in all (XATTR_LIST_MAX) are E2BIG, as the kernel says.
//
// Where files have no xattrs, as in most trees, asking for the size
// alone (a zero-length buffer) answers in one call and spares the kernel
// a buffer; where they do (an SELinux label on every file), that would
// cost a second call each time. So the walker asks for the size first
// only while the last entry it asked had none.
func listxattrAt(dirfd int, name []byte, sc *scratch) ([]byte, error) {
	buf := sc.names[:]
	if !sc.sized {
		n, err := listxattrOnce(dirfd, name, nil)
		if err != nil || n == 0 {
			return nil, err
		}
		sc.sized = true
		if n > xattrSizeMax {
			return nil, unix.E2BIG
		}
		if n > len(buf) {
			buf = make([]byte, min(n+256, xattrSizeMax))
		}
	}
	names, err := readGrowing(buf, func(b []byte) (int, error) { return listxattrOnce(dirfd, name, b) })
	if err == nil {
		sc.sized = len(names) > 0
	}
	return names, err
}

func listxattrOnce(dirfd int, name, buf []byte) (int, error) {
	proc := func() (int, error) {
		p, err := xattrPath(dirfd, name)
		if err != nil {
			return 0, err
		}
		return unix.Llistxattr(p, buf)
	}
	if noXattrAt.Load() {
		return proc()
	}
	var p unsafe.Pointer
	if len(buf) > 0 {
		p = unsafe.Pointer(&buf[0])
	}
	r, _, e := unix.Syscall6(unix.SYS_LISTXATTRAT, uintptr(dirfd), uintptr(unsafe.Pointer(&name[0])), atFlags(name),
		uintptr(p), uintptr(len(buf)), 0)
	runtime.KeepAlive(buf)
	if e == 0 {
		return int(r), nil
	}
	return viaProc(0, error(e), proc)
}

func setxattrAt(dirfd int, name, attr []byte, val []byte) error {
	proc := func() (struct{}, error) {
		p, err := xattrPath(dirfd, name)
		if err != nil {
			return struct{}{}, err
		}
		return struct{}{}, unix.Lsetxattr(p, string(attr[:len(attr)-1]), val, 0)
	}
	if noXattrAt.Load() {
		_, err := proc()
		return err
	}
	_, err := xattrAt(unix.SYS_SETXATTRAT, dirfd, name, attr, val)
	_, err = viaProc(struct{}{}, err, proc)
	return err
}

// The raw calls below take names that end in a NUL (from getdents, or
// capXattr) and live on the heap (a scratch, or a package variable).

func xattrAt(trap uintptr, dirfd int, name, attr []byte, buf []byte) (int, error) {
	args := xattrArgs{size: uint32(len(buf))}
	if len(buf) > 0 {
		args.value = uint64(uintptr(unsafe.Pointer(&buf[0])))
	}
	r, _, e := unix.Syscall6(trap, uintptr(dirfd), uintptr(unsafe.Pointer(&name[0])), atFlags(name),
		uintptr(unsafe.Pointer(&attr[0])), uintptr(unsafe.Pointer(&args)), unsafe.Sizeof(args))
	runtime.KeepAlive(buf)
	if e != 0 {
		return 0, e
	}
	return int(r), nil
}

func statxAt(dirfd int, name []byte, st *unix.Statx_t) error {
	_, _, e := unix.Syscall6(unix.SYS_STATX, uintptr(dirfd), uintptr(unsafe.Pointer(&name[0])),
		atFlags(name)|unix.AT_STATX_DONT_SYNC, statxMask, uintptr(unsafe.Pointer(st)), 0)
	if e != 0 {
		return e
	}
	return nil
}

func fchownatRaw(dirfd int, name []byte, uid, gid uint32) error {
	_, _, e := unix.Syscall6(unix.SYS_FCHOWNAT, uintptr(dirfd), uintptr(unsafe.Pointer(&name[0])),
		uintptr(uid), uintptr(gid), atFlags(name), 0)
	if e != 0 {
		return e
	}
	return nil
}
