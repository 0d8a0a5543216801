package idmap_test

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nonroot-go/nonroot/idmap"
	"github.com/nonroot-go/nonroot/internal/testenv"
)

// The allocator's helpers are dispatched from init rather than through a
// TestMain, so that this file does not claim the package's one TestMain.
func init() {
	var fn func([]string) int
	switch os.Getenv(testenv.HelperEnv) {
	case "alloc-worker":
		fn = allocWorker
	case "alloc-churn":
		fn = allocChurn
	default:
		return
	}
	os.Exit(fn(os.Args[1:]))
}

var bigPool = []idmap.Block{{Start: 100000, Size: 1 << 30}}

func newAlloc(t testing.TB, pool ...idmap.Block) *idmap.Allocator {
	t.Helper()
	return &idmap.Allocator{Path: filepath.Join(t.TempDir(), "ids.json"), Pool: pool}
}

func mustAlloc(t testing.TB, a *idmap.Allocator, name string, size uint32) idmap.Allocation {
	t.Helper()
	got, err := a.Allocate(name, size)
	if err != nil {
		t.Fatalf("Allocate(%q, %d): %v", name, size, err)
	}
	return got
}

func TestAllocatorSameNameSameBlock(t *testing.T) {
	a := newAlloc(t, bigPool...)
	web := mustAlloc(t, a, "web", 0)
	if web.Start != 100000 || web.Size != idmap.DefaultAllocSize {
		t.Fatalf("first allocation = %+v, want 100000 and 65536 IDs", web)
	}
	db := mustAlloc(t, a, "db", 1000)
	if db.Start != 165536 || db.Size != 1000 {
		t.Fatalf("second allocation = %+v, want 165536 and 1000 IDs", db)
	}
	// Another Allocator on the same file, as another process would be.
	b := &idmap.Allocator{Path: a.Path, Pool: a.Pool}
	if again := mustAlloc(t, b, "web", 0); again != web {
		t.Fatalf("web again = %+v, want %+v", again, web)
	}
	if again := mustAlloc(t, b, "db", 1000); again != db {
		t.Fatalf("db again = %+v, want %+v", again, db)
	}
	list, err := b.List()
	if err != nil {
		t.Fatal(err)
	}
	if want := []idmap.Allocation{web, db}; !slices.Equal(list, want) {
		t.Fatalf("List = %+v, want %+v", list, want)
	}
	if err := a.Release("web"); err != nil {
		t.Fatal(err)
	}
	if err := a.Release("web"); !errors.Is(err, idmap.ErrNotAllocated) {
		t.Fatalf("second Release = %v, want ErrNotAllocated", err)
	}
	// The lowest free block is handed out again.
	if got := mustAlloc(t, a, "cache", 0); got.Start != 100000 {
		t.Fatalf("after release got %+v, want start 100000", got)
	}
	m, err := db.Map()
	if err != nil {
		t.Fatal(err)
	}
	if h, ok := m.ToHost(999); !ok || h != 166535 {
		t.Fatalf("db map ToHost(999) = %d, %v", h, ok)
	}
}

func TestAllocatorSizeMismatch(t *testing.T) {
	a := newAlloc(t, bigPool...)
	held := mustAlloc(t, a, "c", 0)
	_, err := a.Allocate("c", 100)
	var sm *idmap.SizeMismatchError
	if !errors.Is(err, idmap.ErrSizeMismatch) || !errors.As(err, &sm) || sm.Held != held.Block || sm.Asked != 100 {
		t.Fatalf("Allocate with another size = %v", err)
	}
}

func TestAllocatorNeverHandsOutReserved(t *testing.T) {
	// A pool covering the whole ID space.
	whole := []idmap.Block{{Start: 0, Size: 1<<32 - 1}}
	a := newAlloc(t, whole...)
	if got := mustAlloc(t, a, "c", 0); got.Start != 65536 {
		t.Fatalf("allocation from 0.. = %+v, want start 65536", got)
	}
	low := newAlloc(t, whole...)
	low.AllowLow = true
	if got := mustAlloc(t, low, "c", 0); got.Start != 0 {
		t.Fatalf("allocation with AllowLow = %+v, want start 0", got)
	}

	// The top block: 4294901760 + 65536 would hold 4294967295.
	top := newAlloc(t, idmap.Block{Start: 4294901760, Size: 65535}, idmap.Block{Start: 4294901760 + 65535, Size: 1})
	_, err := top.Allocate("c", 0)
	var ns *idmap.NoSpaceError
	if !errors.As(err, &ns) || ns.Largest != 65535 || ns.Free != 65535 {
		t.Fatalf("allocation touching 4294967295 = %v, want NoSpaceError with 65535 free", err)
	}
	got := mustAlloc(t, top, "c", 65535)
	m, err := got.Map()
	if err != nil {
		t.Fatalf("top allocation %+v makes no valid map: %v", got, err)
	}
	if got.Start != 4294901760 || m.Size() != 65535 {
		t.Fatalf("top allocation = %+v", got)
	}

	// Only reserved IDs: nothing to hand out.
	if _, err := newAlloc(t, idmap.Block{Start: 1000, Size: 5000}).Allocate("c", 1); !errors.Is(err, idmap.ErrEmptyPool) {
		t.Fatalf("pool below 65536 = %v, want ErrEmptyPool", err)
	}
}

func TestAllocatorPoolErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		pool []idmap.Block
		want error
	}{
		{"none", nil, idmap.ErrEmptyPool},
		{"empty block", []idmap.Block{{Start: 100000, Size: 0}}, idmap.ErrEmpty},
		{"overlap", []idmap.Block{{Start: 100000, Size: 65536}, {Start: 165535, Size: 10}}, idmap.ErrOverlap},
		{"past 2^32", []idmap.Block{{Start: 4294967290, Size: 7}}, idmap.ErrRange},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := newAlloc(t, tc.pool...).Allocate("c", 0)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
	// Adjacent blocks, such as two lines of /etc/subuid, join up.
	a := newAlloc(t, idmap.Block{Start: 165536, Size: 65536}, idmap.Block{Start: 100000, Size: 65536})
	if got := mustAlloc(t, a, "c", 131072); got.Start != 100000 {
		t.Fatalf("allocation across adjacent blocks = %+v", got)
	}
	if _, err := (&idmap.Allocator{Pool: bigPool}).Allocate("c", 0); !errors.Is(err, idmap.ErrNoPath) {
		t.Fatalf("no path: %v", err)
	}
	for _, name := range []string{"", "\xff"} {
		if _, err := newAlloc(t, bigPool...).Allocate(name, 0); !errors.Is(err, idmap.ErrBadName) {
			t.Fatalf("name %q: %v", name, err)
		}
	}
}

func TestAllocatorFragmentation(t *testing.T) {
	const n = 8
	a := newAlloc(t, idmap.Block{Start: 100000, Size: n * 65536})
	for i := range n {
		mustAlloc(t, a, "c"+strconv.Itoa(i), 0)
	}
	for i := 0; i < n; i += 2 {
		if err := a.Release("c" + strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
	}
	// Half the pool is free, but in runs of 65536.
	_, err := a.Allocate("big", 131072)
	var ns *idmap.NoSpaceError
	if !errors.Is(err, idmap.ErrNoSpace) || !errors.As(err, &ns) {
		t.Fatalf("Allocate 131072 = %v, want NoSpaceError", err)
	}
	if ns.Free != n/2*65536 || ns.Largest != 65536 || ns.Runs != n/2 || ns.Size != 131072 {
		t.Fatalf("NoSpaceError = %+v", ns)
	}
	if !strings.Contains(err.Error(), a.Path) || !strings.Contains(err.Error(), "262144 IDs free") {
		t.Fatalf("message does not name the file and the free IDs: %v", err)
	}
	free, err := a.Free()
	if err != nil || len(free) != n/2 {
		t.Fatalf("Free = %v, %v", free, err)
	}
	// Releasing c5 joins the runs of c4, c5 and c6.
	if err := a.Release("c5"); err != nil {
		t.Fatal(err)
	}
	got := mustAlloc(t, a, "big", 131072)
	if got.Start != 100000+4*65536 {
		t.Fatalf("big = %+v, want start %d", got, 100000+4*65536)
	}
	// Smaller requests still fit in the gaps.
	if got := mustAlloc(t, a, "small", 0); got.Start != 100000 {
		t.Fatalf("small = %+v", got)
	}
	checkDisjoint(t, mustList(t, a))
}

func TestAllocatorCorruptState(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		want       error
	}{
		{"garbage", "not json", idmap.ErrCorruptState},
		{"truncated", `{"version": 1, "allocations": [{"name": "a", "st`, idmap.ErrCorruptState},
		{"no version", `{"allocations": []}`, idmap.ErrCorruptState},
		{"version 0", `{"version": 0, "allocations": []}`, idmap.ErrCorruptState},
		{"newer", `{"version": 2, "allocations": [], "pools": {}}`, idmap.ErrNewerState},
		{"unknown field", `{"version": 1, "allocations": [], "extra": 1}`, idmap.ErrCorruptState},
		{"trailing", `{"version": 1, "allocations": []} {}`, idmap.ErrCorruptState},
		{"overlap", `{"version": 1, "allocations": [{"name": "a", "start": 100000, "size": 10}, {"name": "b", "start": 100009, "size": 10}]}`, idmap.ErrCorruptState},
		{"duplicate", `{"version": 1, "allocations": [{"name": "a", "start": 100000, "size": 10}, {"name": "a", "start": 200000, "size": 10}]}`, idmap.ErrCorruptState},
		{"empty block", `{"version": 1, "allocations": [{"name": "a", "start": 100000, "size": 0}]}`, idmap.ErrCorruptState},
		{"reaches max", `{"version": 1, "allocations": [{"name": "a", "start": 4294967295, "size": 1}]}`, idmap.ErrCorruptState},
		{"too big", `{"version": 1, "allocations": [{"name": "a", "start": 4294967296, "size": 1}]}`, idmap.ErrCorruptState},
		// encoding/json would keep the last "allocations" and drop "a".
		{"key twice", `{"version": 1, "allocations": [{"name": "a", "start": 100000, "size": 10}], "allocations": []}`, idmap.ErrCorruptState},
		{"start twice", `{"version": 1, "allocations": [{"name": "a", "start": 100000, "start": 0, "size": 10}]}`, idmap.ErrCorruptState},
		// ... and would read these as a block at 0.
		{"no start", `{"version": 1, "allocations": [{"name": "a", "size": 10}]}`, idmap.ErrCorruptState},
		{"null start", `{"version": 1, "allocations": [{"name": "a", "start": null, "size": 10}]}`, idmap.ErrCorruptState},
		// ... and would match keys regardless of case, and turn bytes
		// that are not UTF-8 into U+FFFD.
		{"key case", `{"version": 1, "allocations": [{"name": "a", "Start": 100000, "size": 10}]}`, idmap.ErrCorruptState},
		{"not UTF-8", "{\"version\": 1, \"allocations\": [{\"name\": \"a\xff\", \"start\": 100000, \"size\": 10}]}", idmap.ErrCorruptState},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := newAlloc(t, bigPool...)
			if err := os.WriteFile(a.Path, []byte(tc.text), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := a.Allocate("c", 0)
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), a.Path) {
				t.Fatalf("Allocate = %v, want %v naming %s", err, tc.want, a.Path)
			}
			if _, err := a.List(); !errors.Is(err, tc.want) {
				t.Fatalf("List = %v, want %v", err, tc.want)
			}
			if err := a.Release("a"); !errors.Is(err, tc.want) {
				t.Fatalf("Release = %v, want %v", err, tc.want)
			}
			// Never reset.
			if b, _ := os.ReadFile(a.Path); string(b) != tc.text {
				t.Fatalf("state file changed to %q", b)
			}
		})
	}
}

func TestAllocatorEmptyFileAndMode(t *testing.T) {
	a := newAlloc(t, bigPool...)
	if err := os.WriteFile(a.Path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if list, err := a.List(); err != nil || len(list) != 0 {
		t.Fatalf("List of empty file = %v, %v", list, err)
	}
	mustAlloc(t, a, "c", 0)
	fi, err := os.Stat(a.Path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("state file mode after write = %v, %v; want 0600 kept", fi.Mode(), err)
	}
	if _, err := os.Stat(a.Path + ".tmp"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("temporary file left behind: %v", err)
	}
	// What is on disk is what List says.
	var raw struct {
		Version     int
		Allocations []idmap.Allocation
	}
	b, _ := os.ReadFile(a.Path)
	if err := json.Unmarshal(b, &raw); err != nil || raw.Version != 1 || len(raw.Allocations) != 1 || raw.Allocations[0].Name != "c" {
		t.Fatalf("state file %s: %v", b, err)
	}
}

func TestAllocatorGoroutines(t *testing.T) {
	a := newAlloc(t, bigPool...)
	var wg sync.WaitGroup
	got := make([]idmap.Allocation, 40)
	for i := range got {
		wg.Go(func() {
			al, err := a.Allocate("g"+strconv.Itoa(i), 0)
			if err != nil {
				t.Error(err)
			}
			got[i] = al
		})
	}
	wg.Wait()
	checkDisjoint(t, got)
	if list := mustList(t, a); len(list) != len(got) {
		t.Fatalf("state holds %d allocations, want %d", len(list), len(got))
	}
}

// allocWorker allocates args[2] names "w<args[1]>-<j>", releasing every
// odd one, and prints the ones it kept as JSON.
func allocWorker(args []string) int {
	rounds, _ := strconv.Atoi(args[2])
	a := &idmap.Allocator{Path: args[0], Pool: bigPool}
	var kept []idmap.Allocation
	for j := range rounds {
		name := fmt.Sprintf("w%s-%d", args[1], j)
		al, err := a.Allocate(name, 0)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		if j%2 == 1 {
			if err := a.Release(name); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
			continue
		}
		kept = append(kept, al)
	}
	if err := json.NewEncoder(os.Stdout).Encode(kept); err != nil {
		return 1
	}
	return 0
}

func TestAllocatorConcurrentProcesses(t *testing.T) {
	const procs, rounds = 50, 8
	a := newAlloc(t, bigPool...)
	cmds := make([]*strings.Builder, procs)
	var wg sync.WaitGroup
	errs := make(chan error, procs)
	for i := range procs {
		var out, stderr strings.Builder
		cmds[i] = &out
		cmd := testenv.Command("alloc-worker", a.Path, strconv.Itoa(i), strconv.Itoa(rounds))
		cmd.Stdout, cmd.Stderr = &out, &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			if err := cmd.Wait(); err != nil {
				errs <- fmt.Errorf("worker %d: %v: %s", i, err, stderr.String())
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		return
	}
	var reported []idmap.Allocation
	for i, out := range cmds {
		var kept []idmap.Allocation
		if err := json.Unmarshal([]byte(out.String()), &kept); err != nil || len(kept) != rounds/2 {
			t.Fatalf("worker %d reported %q: %v", i, out.String(), err)
		}
		reported = append(reported, kept...)
	}
	checkDisjoint(t, reported)
	final := mustList(t, a)
	checkDisjoint(t, final)
	slices.SortFunc(reported, func(x, y idmap.Allocation) int { return cmp.Compare(x.Start, y.Start) })
	if !slices.Equal(final, reported) {
		t.Fatalf("final state (%d allocations) differs from what the workers kept (%d)", len(final), len(reported))
	}
}

// allocChurn allocates and releases on args[0] until it is killed.
func allocChurn(args []string) int {
	a := &idmap.Allocator{Path: args[0], Pool: bigPool}
	for i := 0; ; i++ {
		if _, err := a.Allocate("n"+strconv.Itoa(i), uint32(1000+i%7)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		if i >= 3 {
			if err := a.Release("n" + strconv.Itoa(i-3)); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
		}
		if i == 0 {
			os.Stdout.WriteString("started\n")
		}
	}
}

func TestAllocatorKilledMidWrite(t *testing.T) {
	a := newAlloc(t, bigPool...)
	for round := range 25 {
		cmd := testenv.Command("alloc-churn", a.Path)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 8)
		if _, err := out.Read(buf); err != nil {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("round %d: churn did not start: %v: %s", round, err, stderr.String())
		}
		time.Sleep(time.Duration(rand.IntN(20000)) * time.Microsecond)
		cmd.Process.Signal(syscall.SIGKILL)
		err = cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
			t.Fatalf("round %d: churn ended before the kill: %v: %s", round, err, stderr.String())
		}
		list, err := a.List()
		if err != nil {
			t.Fatalf("round %d: state after SIGKILL: %v", round, err)
		}
		checkDisjoint(t, list)
		// The dead process's lock is gone and the state is writable.
		if _, err := a.Allocate("after", 0); err != nil {
			t.Fatalf("round %d: Allocate after SIGKILL: %v", round, err)
		}
		if err := a.Release("after"); err != nil {
			t.Fatal(err)
		}
	}
}

func mustList(t testing.TB, a *idmap.Allocator) []idmap.Allocation {
	t.Helper()
	l, err := a.List()
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func checkDisjoint(t testing.TB, as []idmap.Allocation) {
	t.Helper()
	s := slices.Clone(as)
	slices.SortFunc(s, func(x, y idmap.Allocation) int { return cmp.Compare(x.Start, y.Start) })
	for i := 1; i < len(s); i++ {
		if uint64(s[i-1].Start)+uint64(s[i-1].Size) > uint64(s[i].Start) {
			t.Fatalf("allocations overlap: %+v and %+v", s[i-1], s[i])
		}
	}
}

func BenchmarkAllocateRelease(b *testing.B) {
	a := newAlloc(b, bigPool...)
	for i := range 100 {
		mustAlloc(b, a, "held"+strconv.Itoa(i), 0)
	}
	b.ReportAllocs()
	for b.Loop() {
		mustAlloc(b, a, "x", 0)
		if err := a.Release("x"); err != nil {
			b.Fatal(err)
		}
	}
}

func TestAllocatorPoolFromSubIDs(t *testing.T) {
	entries, err := idmap.ParseSubIDs(strings.NewReader("containers:100000:131072\nkubelet:300000:65536\ncontainers:500000:65536\n"))
	if err != nil {
		t.Fatal(err)
	}
	a := newAlloc(t, idmap.PoolFromSubIDs(idmap.SelectSubIDs(entries, "containers", ""))...)
	for i, want := range []uint32{100000, 165536, 500000} {
		if got := mustAlloc(t, a, strconv.Itoa(i), 0); got.Start != want {
			t.Fatalf("allocation %d = %+v, want start %d", i, got, want)
		}
	}
	if _, err := a.Allocate("3", 0); !errors.Is(err, idmap.ErrNoSpace) {
		t.Fatalf("fourth allocation from 196608 IDs: %v", err)
	}
	// The same range granted to the login and to the uid, and ranges
	// that overlap or touch, make one pool of the IDs granted.
	entries, err = idmap.ParseSubIDs(strings.NewReader("nrtest:100000:65536\n1001:100000:65536\nnrtest:150000:65536\nnrtest:215536:10\n"))
	if err != nil {
		t.Fatal(err)
	}
	pool := idmap.PoolFromSubIDs(idmap.SelectSubIDs(entries, "nrtest", "1001"))
	if want := []idmap.Block{{Start: 100000, Size: 115546}}; !slices.Equal(pool, want) {
		t.Fatalf("pool = %v, want %v", pool, want)
	}
	a = newAlloc(t, pool...)
	mustAlloc(t, a, "c", 0)
}

// Asking again with size 0 returns the block held, whatever its size.
func TestAllocatorAskAgainWithoutSize(t *testing.T) {
	a := newAlloc(t, bigPool...)
	held := mustAlloc(t, a, "c", 1000)
	if again := mustAlloc(t, a, "c", 0); again != held {
		t.Fatalf("Allocate(c, 0) = %v, want the held %v", again, held)
	}
}

// The temporary file is created anew: a link planted at its name is
// neither followed nor renamed into place, and a stale file a killed
// writer left is removed.
func TestAllocatorTemporaryFile(t *testing.T) {
	a := newAlloc(t, bigPool...)
	victim := filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(victim, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, a.Path+".tmp"); err != nil {
		t.Fatal(err)
	}
	mustAlloc(t, a, "c", 0)
	if b, err := os.ReadFile(victim); err != nil || string(b) != "keep" {
		t.Fatalf("the file a link at the temporary name pointed to: %q, %v", b, err)
	}
	if fi, err := os.Lstat(a.Path); err != nil || !fi.Mode().IsRegular() {
		t.Fatalf("state file: %v, %v; want a regular file", fi.Mode(), err)
	}
	// A read-only leftover, as a writer killed after its chmod leaves.
	if err := os.WriteFile(a.Path+".tmp", []byte("half"), 0o444); err != nil {
		t.Fatal(err)
	}
	mustAlloc(t, a, "d", 0)
	if got := mustList(t, a); len(got) != 2 {
		t.Fatalf("allocations after a stale temporary file: %v", got)
	}
	// A temporary name that cannot be cleared fails the write, and the
	// block is not returned as if held.
	if err := os.Mkdir(a.Path+".tmp", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(a.Path+".tmp", "x"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := a.Allocate("e", 0)
	if err == nil || got != (idmap.Allocation{}) || !strings.Contains(err.Error(), ".tmp") {
		t.Fatalf("Allocate with a directory at the temporary name = %v, %v; want an error naming it and no block", got, err)
	}
}

// Allocators given a link to the state file and the file itself share
// the lock and the state.
func TestAllocatorSymlinkedPath(t *testing.T) {
	a := newAlloc(t, bigPool...)
	mustAlloc(t, a, "first", 0)
	link := filepath.Join(t.TempDir(), "link.json")
	if err := os.Symlink(a.Path, link); err != nil {
		t.Fatal(err)
	}
	b := &idmap.Allocator{Path: link, Pool: bigPool}
	x, y := mustAlloc(t, b, "via-link", 0), mustAlloc(t, a, "direct", 0)
	checkDisjoint(t, []idmap.Allocation{x, y, mustList(t, a)[0]})
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link was replaced: %v, %v", fi.Mode(), err)
	}
	if got := mustList(t, b); len(got) != 3 {
		t.Fatalf("through the link: %v, want 3 allocations", got)
	}
}

// The lock file needs only read access, so one created by another user
// (0644) does not lock out those who may write the state.
func TestAllocatorReadOnlyLockFile(t *testing.T) {
	a := newAlloc(t, bigPool...)
	mustAlloc(t, a, "c", 0)
	if err := os.Chmod(a.Path+".lock", 0o444); err != nil {
		t.Fatal(err)
	}
	mustAlloc(t, a, "d", 0)
}
