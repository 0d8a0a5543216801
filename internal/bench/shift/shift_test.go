package shift

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	graphdriver "github.com/containers/storage/drivers"
	"github.com/containers/storage/pkg/idtools"
	"github.com/containers/storage/pkg/reexec"

	"github.com/nonroot-go/nonroot/idmap"
	"github.com/nonroot-go/nonroot/userns"
)

func TestMain(m *testing.M) {
	// ChownPathByMaps re-executes the test binary to chroot into the tree.
	if reexec.Init() {
		return
	}
	code := m.Run()
	if treeDir != "" {
		os.RemoveAll(treeDir)
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

var (
	treeOnce sync.Once
	treeDir  string
	treeErr  error
	shifted  bool // whether the tree is now owned by 100000+
	entries  int
)

func buildTree() (string, error) {
	dir, err := os.MkdirTemp("", "shiftbench")
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

func tree(b *testing.B) string {
	treeOnce.Do(func() { treeDir, treeErr = buildTree() })
	if treeErr != nil {
		b.Fatal(treeErr)
	}
	// Both sides give files to uid 100000; probe by trying.
	p := filepath.Join(treeDir, "0/0/0/f0")
	if err := os.Lchown(p, 100000, 100000); err != nil {
		b.Skip("giving a file to uid 100000 failed (run as root): ", err)
	}
	want := 0
	if shifted {
		want = 100000
	}
	if err := os.Lchown(p, want, want); err != nil {
		b.Fatal(err)
	}
	return treeDir
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
func check(b *testing.B, dir string) {
	want := uint32(0)
	if shifted {
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
	dir := tree(b)
	b.Logf("%d entries in %s", entries, dir)
	b.Run("nonroot", func(b *testing.B) {
		cpu0 := cpuTime()
		for b.Loop() {
			from, to := identity, high
			if shifted {
				from, to = high, identity
			}
			if err := userns.ShiftOwnership(dir, userns.ShiftOptions{UIDFrom: from, UIDTo: to, GIDFrom: from, GIDTo: to}); err != nil {
				b.Fatal(err)
			}
			shifted = !shifted
		}
		b.StopTimer()
		cpu := cpuTime() - cpu0
		check(b, dir)
		report(b, cpu)
	})
	b.Run("containers-storage", func(b *testing.B) {
		cpu0 := cpuTime()
		for b.Loop() {
			from, to := identity, high
			if shifted {
				from, to = high, identity
			}
			if err := graphdriver.ChownPathByMaps(dir, storageMaps(from), storageMaps(to)); err != nil {
				b.Fatal(fmt.Errorf("ChownPathByMaps: %w", err))
			}
			// ChownPathByMaps leaves the root itself alone; do it here,
			// one entry out of 100,111, so both sides leave the same tree.
			id := to.Ranges()[0].HostID
			if err := os.Lchown(dir, int(id), int(id)); err != nil {
				b.Fatal(err)
			}
			shifted = !shifted
		}
		b.StopTimer()
		cpu := cpuTime() - cpu0
		check(b, dir)
		report(b, cpu)
	})
}
