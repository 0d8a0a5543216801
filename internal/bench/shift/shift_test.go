package shift

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
	"unsafe"

	graphdriver "github.com/containers/storage/drivers"
	"github.com/containers/storage/pkg/idtools"
	"github.com/containers/storage/pkg/reexec"
	"golang.org/x/sys/unix"

	"github.com/nonroot-go/nonroot/idmap"
	"github.com/nonroot-go/nonroot/userns"
)

func TestMain(m *testing.M) {
	// ChownPathByMaps re-executes the test binary to chroot into the tree.
	if reexec.Init() {
		return
	}
	code := m.Run()
	for _, t := range []*fsTree{disk, tmpfs} {
		if t.dir != "" {
			os.RemoveAll(t.dir)
		}
	}
	os.Exit(code)
}

// The tree: 10 × 10 × 10 directories, each leaf holding 95 files, 2
// symbolic links and 2 hard links to its files: 1,110 directories and
// 99,000 other entries.
const (
	fanout       = 10
	filesPerLeaf = 95
)

// fsTree is the tree on one file system.
type fsTree struct {
	parent  string // where the tree is made
	once    sync.Once
	dir     string
	err     error
	shifted bool // whether the tree is now owned by 100000+
}

var (
	// disk is the default temporary directory (ext4 on the machines of
	// BENCHMARKS.md), tmpfs /dev/shm, where chown writes no journal.
	disk    = &fsTree{parent: os.TempDir()}
	tmpfs   = &fsTree{parent: "/dev/shm"}
	entries int // in each tree
)

func buildTree(parent string) (string, error) {
	dir, err := os.MkdirTemp(parent, "shiftbench")
	if err != nil {
		return "", err
	}
	entries = 1 // the root
	for i := range fanout {
		for j := range fanout {
			for k := range fanout {
				leaf := filepath.Join(dir, strconv.Itoa(i), strconv.Itoa(j), strconv.Itoa(k))
				if err := os.MkdirAll(leaf, 0o755); err != nil {
					return "", err
				}
				for f := range filesPerLeaf {
					if err := os.WriteFile(filepath.Join(leaf, "f"+strconv.Itoa(f)), nil, 0o644); err != nil {
						return "", err
					}
				}
				for l := range 2 {
					if err := os.Symlink("f"+strconv.Itoa(l), filepath.Join(leaf, "s"+strconv.Itoa(l))); err != nil {
						return "", err
					}
					if err := os.Link(filepath.Join(leaf, "f"+strconv.Itoa(l)), filepath.Join(leaf, "h"+strconv.Itoa(l))); err != nil {
						return "", err
					}
				}
				entries += filesPerLeaf + 4
			}
		}
	}
	entries += fanout + fanout*fanout + fanout*fanout*fanout
	return dir, nil
}

// skipUnlessTmpfs skips b unless t, which should be on a tmpfs, is.
func (t *fsTree) skipUnlessTmpfs(b *testing.B) {
	if t != tmpfs {
		return
	}
	var st syscall.Statfs_t
	if err := syscall.Statfs(t.parent, &st); err != nil || st.Type != 0x01021994 { // TMPFS_MAGIC
		b.Skipf("%s is not a tmpfs (%v)", t.parent, err)
	}
}

func (t *fsTree) get(b *testing.B) string {
	t.skipUnlessTmpfs(b)
	t.once.Do(func() {
		t.dir, t.err = buildTree(t.parent)
		// Write the new tree out now, not while a side is timed.
		syscall.Sync()
	})
	if t.err != nil {
		b.Fatal(t.err)
	}
	// Both sides give files to uid 100000; probe by trying.
	p := filepath.Join(t.dir, "0/0/0/f0")
	if err := os.Lchown(p, 100000, 100000); err != nil {
		b.Skip("giving a file to uid 100000 failed (run as root): ", err)
	}
	want := 0
	if t.shifted {
		want = 100000
	}
	if err := os.Lchown(p, want, want); err != nil {
		b.Fatal(err)
	}
	return t.dir
}

var (
	identity = idmap.MustNew(idmap.Range{ContainerID: 0, HostID: 0, Size: 65536})
	high     = idmap.MustNew(idmap.Range{ContainerID: 0, HostID: 100000, Size: 65536})
)

func storageMaps(m idmap.Map) *idtools.IDMappings {
	var ids []idtools.IDMap
	for _, r := range m.Ranges() {
		ids = append(ids, idtools.IDMap{ContainerID: int(r.ContainerID), HostID: int(r.HostID), Size: int(r.Size)})
	}
	return idtools.NewIDMappingsFromMaps(ids, ids)
}

// check spot-checks that a deep file and the root have the owner they
// should have now.
func check(b *testing.B, t *fsTree) {
	dir := t.dir
	want := uint32(0)
	if t.shifted {
		want = 100000
	}
	for _, p := range []string{dir, filepath.Join(dir, "9/9/9/f94"), filepath.Join(dir, "0/0/0/s1"), filepath.Join(dir, "5/5/5/h0")} {
		var st syscall.Stat_t
		if err := syscall.Lstat(p, &st); err != nil {
			b.Fatal(err)
		}
		if st.Uid != want || st.Gid != want {
			b.Fatalf("%s owned by %d:%d, want %d", p, st.Uid, st.Gid, want)
		}
	}
}

// cpuTime is the CPU time, user and system, of this process and of its
// children that were waited for: ChownPathByMaps works in a child.
func cpuTime() time.Duration {
	var self, kids syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	syscall.Getrusage(syscall.RUSAGE_CHILDREN, &kids)
	d := func(t syscall.Timeval) time.Duration { return time.Duration(t.Nano()) }
	return d(self.Utime) + d(self.Stime) + d(kids.Utime) + d(kids.Stime)
}

// report adds the metrics that stay comparable on a busy machine: CPU
// time per entry, next to the wall time per entry.
func report(b *testing.B, cpu time.Duration) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(entries), "ns/entry")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N)/float64(entries), "cpu-ns/entry")
}

func BenchmarkShift100k(b *testing.B) {
	for _, fs := range []struct {
		name string
		t    *fsTree
	}{{"disk", disk}, {"tmpfs", tmpfs}} {
		b.Run(fs.name, func(b *testing.B) { benchShift(b, fs.t) })
	}
}

// maps returns the pair of maps that moves t's tree to the other side.
func (t *fsTree) maps() (from, to idmap.Map) {
	if t.shifted {
		return high, identity
	}
	return identity, high
}

func benchShift(b *testing.B, t *fsTree) {
	dir := t.get(b)
	b.Logf("%d entries in %s", entries, dir)
	b.Run("nonroot", func(b *testing.B) {
		side(b, t, func(from, to idmap.Map) error {
			return userns.ShiftOwnership(dir, userns.ShiftOptions{UIDFrom: from, UIDTo: to, GIDFrom: from, GIDTo: to})
		})
	})
	b.Run("containers-storage", func(b *testing.B) {
		side(b, t, func(from, to idmap.Map) error {
			if err := graphdriver.ChownPathByMaps(dir, storageMaps(from), storageMaps(to)); err != nil {
				return fmt.Errorf("ChownPathByMaps: %w", err)
			}
			// ChownPathByMaps leaves the root itself alone; do it here,
			// one entry out of 100,111, so both sides leave the same tree.
			id := to.Ranges()[0].HostID
			return os.Lchown(dir, int(id), int(id))
		})
	})
	for _, xattrs := range []bool{false, true} {
		name := "floor"
		if xattrs {
			name = "floor+xattr"
		}
		// Not contenders: what any shift must pay, one statx and one
		// fchownat per entry, on all CPUs, without walking (the
		// directories are listed and opened beforehand) and without
		// looking for file capabilities or ACLs; and the same with one
		// listxattr per entry, the least a shift that keeps file
		// capabilities and ACLs must pay. No shift can beat them by more
		// than its walk costs.
		b.Run(name, func(b *testing.B) {
			dirs, err := listTree(dir)
			if err != nil {
				b.Fatal(err)
			}
			defer func() {
				for _, d := range dirs {
					syscall.Close(d.fd)
				}
			}()
			b.ResetTimer()
			side(b, t, func(from, to idmap.Map) error { return floorShift(dirs, from, to, xattrs) })
		})
	}
}

// side times shift, which moves t's tree from one map to the other, and
// checks the tree afterwards.
func side(b *testing.B, t *fsTree, shift func(from, to idmap.Map) error) {
	cpu0 := cpuTime()
	for b.Loop() {
		if err := shift(t.maps()); err != nil {
			b.Fatal(err)
		}
		t.shifted = !t.shifted
	}
	b.StopTimer()
	cpu := cpuTime() - cpu0
	check(b, t)
	report(b, cpu)
}

// openDir is a directory of the tree, open, with the names of its
// entries, each ending in a NUL for the raw system calls; the root of the
// tree is the entry "." of its own.
type openDir struct {
	fd    int
	names [][]byte
}

func listTree(root string) ([]openDir, error) {
	var dirs []openDir
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		fd, err := syscall.Open(p, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
		if err != nil {
			return err
		}
		ents, err := os.ReadDir(p)
		if err != nil {
			return err
		}
		od := openDir{fd: fd}
		if p == root {
			od.names = append(od.names, []byte(".\x00"))
		}
		for _, e := range ents {
			od.names = append(od.names, []byte(e.Name()+"\x00"))
		}
		dirs = append(dirs, od)
		return nil
	})
	return dirs, err
}

// floorShift stats and chowns every entry of dirs from all CPUs, with
// raw system calls; with xattrs it also asks each entry's xattrs' size.
func floorShift(dirs []openDir, from, to idmap.Map, xattrs bool) error {
	next := make(chan openDir, len(dirs))
	for _, d := range dirs {
		next <- d
	}
	close(next)
	// As many workers as ShiftOwnership's default, so that some run
	// while others wait on the journal.
	errs := make(chan error, 4*runtime.GOMAXPROCS(0))
	for range cap(errs) {
		go func() {
			st := new(unix.Statx_t)
			for d := range next {
				for _, name := range d.names {
					p := uintptr(unsafe.Pointer(&name[0]))
					if _, _, e := unix.Syscall6(unix.SYS_STATX, uintptr(d.fd), p, unix.AT_SYMLINK_NOFOLLOW,
						unix.STATX_UID|unix.STATX_GID, uintptr(unsafe.Pointer(st)), 0); e != 0 {
						errs <- e
						return
					}
					if xattrs {
						if _, _, e := unix.Syscall6(unix.SYS_LISTXATTRAT, uintptr(d.fd), p, unix.AT_SYMLINK_NOFOLLOW, 0, 0, 0); e != 0 {
							errs <- e
							return
						}
					}
					k, _ := from.ToContainer(st.Uid)
					id, _ := to.ToHost(k)
					if _, _, e := unix.Syscall6(unix.SYS_FCHOWNAT, uintptr(d.fd), p, uintptr(id), uintptr(id), unix.AT_SYMLINK_NOFOLLOW, 0); e != 0 {
						errs <- e
						return
					}
				}
			}
			errs <- nil
		}()
	}
	var err error
	for range cap(errs) {
		err = errors.Join(err, <-errs)
	}
	return err
}

// BenchmarkSyscall times, from one goroutine, each system call a shift
// makes per entry, on 20,000 empty files of each file system: the price
// list behind BENCHMARKS.md's bounds.
func BenchmarkSyscall(b *testing.B) {
	for _, fs := range []struct {
		name string
		t    *fsTree
	}{{"disk", disk}, {"tmpfs", tmpfs}} {
		b.Run(fs.name, func(b *testing.B) {
			fs.t.skipUnlessTmpfs(b)
			dir, err := os.MkdirTemp(fs.t.parent, "syscallbench")
			if err != nil {
				b.Fatal(err)
			}
			defer os.RemoveAll(dir)
			const files = 20000
			names := make([][]byte, files)
			for i := range names {
				names[i] = []byte("f" + strconv.Itoa(i) + "\x00")
				if err := os.WriteFile(filepath.Join(dir, string(names[i][:len(names[i])-1])), nil, 0o644); err != nil {
					b.Fatal(err)
				}
			}
			syscall.Sync()
			fd, err := syscall.Open(dir, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
			if err != nil {
				b.Fatal(err)
			}
			defer syscall.Close(fd)
			var st unix.Statx_t
			capx := []byte("security.capability\x00")
			buf := make([]byte, 64)
			args := struct {
				value       uint64
				size, flags uint32
			}{uint64(uintptr(unsafe.Pointer(&buf[0]))), 64, 0}
			calls := []struct {
				name string
				call func(i int, p uintptr)
			}{
				{"getppid", func(int, uintptr) { unix.Syscall(unix.SYS_GETPPID, 0, 0, 0) }},
				{"statx", func(_ int, p uintptr) {
					unix.Syscall6(unix.SYS_STATX, uintptr(fd), p, unix.AT_SYMLINK_NOFOLLOW, unix.STATX_UID|unix.STATX_GID|unix.STATX_MODE, uintptr(unsafe.Pointer(&st)), 0)
				}},
				{"listxattrat-size", func(_ int, p uintptr) {
					unix.Syscall6(unix.SYS_LISTXATTRAT, uintptr(fd), p, unix.AT_SYMLINK_NOFOLLOW, 0, 0, 0)
				}},
				{"listxattrat-buffer", func(_ int, p uintptr) {
					unix.Syscall6(unix.SYS_LISTXATTRAT, uintptr(fd), p, unix.AT_SYMLINK_NOFOLLOW, uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)), 0)
				}},
				{"getxattrat-capability", func(_ int, p uintptr) {
					unix.Syscall6(unix.SYS_GETXATTRAT, uintptr(fd), p, unix.AT_SYMLINK_NOFOLLOW, uintptr(unsafe.Pointer(&capx[0])), uintptr(unsafe.Pointer(&args)), unsafe.Sizeof(args))
				}},
				{"fchownat", func(i int, p uintptr) {
					id := uintptr(i / files % 2 * 100000) // every call changes the owner
					unix.Syscall6(unix.SYS_FCHOWNAT, uintptr(fd), p, id, id, unix.AT_SYMLINK_NOFOLLOW, 0)
				}},
			}
			for _, c := range calls {
				b.Run(c.name, func(b *testing.B) {
					i := 0
					for b.Loop() {
						c.call(i, uintptr(unsafe.Pointer(&names[i%files][0])))
						i++
					}
				})
			}
			runtime.KeepAlive(buf)
			runtime.KeepAlive(capx)
		})
	}
}
