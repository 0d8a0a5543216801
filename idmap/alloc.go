package idmap

import (
	"cmp"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"unicode/utf8"
)

// DefaultAllocSize is the number of IDs an [Allocator] hands out when no
// size is asked for: 65536, what Kubernetes gives each pod, so that a
// container's uid 0–65535 all map.
const DefaultAllocSize = 65536

// lowIDs is the number of IDs at the bottom of the ID space that an
// Allocator leaves alone unless told otherwise: the host's own users and
// system accounts live there.
const lowIDs = 65536

// maxID is the first ID an Allocator never hands out: the kernel refuses
// an extent that holds 4294967295, (uid_t)-1, on either side.
const maxID = 1<<32 - 1

// Block is a run of Size consecutive host IDs starting at Start, such as
// one line of /etc/subuid.
type Block struct {
	Start uint32 `json:"start"`
	Size  uint32 `json:"size"`
}

// end is one past the last ID of b, as a uint64 so that it cannot wrap.
func (b Block) end() uint64 { return uint64(b.Start) + uint64(b.Size) }

// String formats b as "start-last", the way usermod --add-subuids takes a
// range; an empty block is "start-".
func (b Block) String() string {
	s := strconv.FormatUint(uint64(b.Start), 10) + "-"
	if b.Size == 0 {
		return s
	}
	return s + strconv.FormatUint(b.end()-1, 10)
}

// Allocation is the block of host IDs that an [Allocator] holds for one
// name.
type Allocation struct {
	Name string `json:"name"`
	Block
}

// String formats a as its quoted name and block: "web" 100000-165535.
func (a Allocation) String() string { return strconv.Quote(a.Name) + " " + a.Block.String() }

// Map returns the map that makes the allocation a container's IDs: its
// uid (or gid) 0 upward onto the block. The same map serves for uid_map
// and gid_map when the caller allocates one block for both.
func (a Allocation) Map() (Map, error) { return Single(0, a.Start, a.Size) }

// Allocator hands out blocks of host IDs that never overlap, one per
// name, so that every container on a node gets IDs of its own: no two
// containers share a host uid, so none can touch another's files or use
// up another's process budget (RLIMIT_NPROC counts by uid).
//
// # Pool
//
// Blocks come from Pool, such as the lines of /etc/subuid for the
// "containers" or "kubelet" user ([PoolFromSubIDs] converts what
// [LookupSubUIDs] returns), or ranges the caller picks. IDs 0–65535, where the host's own
// users live, are never handed out unless AllowLow is set, and
// 4294967295 never is: the kernel refuses a map that holds it. All
// arithmetic is on uint64, so a pool that ends at the top of the ID space
// cannot wrap around to 0.
//
// # Names
//
// Each block is held under a name, typically the container's. Asking
// again with the same name returns the same block; [Allocator.Release]
// frees it; [Allocator.List] shows every name and its block.
//
// # State
//
// The allocations live in the one file Path names, as JSON with a
// version number. The file is replaced atomically: the new state is
// written to Path+".tmp", synced, renamed over Path, and the directory is
// synced, so a process killed at any instant leaves either the old state
// or the new one. Changes are serialised by flock(2) on a lock file
// beside it, Path+".lock", which is never replaced; so any number of
// processes (and goroutines) on one host may share a state file. (flock
// does not work across NFS clients; keep the file on a local file
// system.) A state file that does not parse, or that holds allocations
// that break the rules above, is an error wrapping [ErrCorruptState]; one
// written by a newer version of this package is an error wrapping
// [ErrNewerState]. Neither is ever silently reset: the allocations it
// records may still be in use.
//
// # Privilege
//
// None beyond the file system: the caller needs to write Path's directory
// (to create Path+".tmp" and rename it) and to read Path+".lock", which
// the first caller creates. A missing or empty state file means no
// allocations. A symbolic link at Path is followed; a stale Path+".tmp"
// left by a process killed mid-write is removed, never written through.
//
// Allocator's methods may be called concurrently; the zero value is not
// usable (it has no Path and no Pool).
type Allocator struct {
	// Path names the state file. Required.
	Path string
	// Pool is the host IDs to hand out. Blocks may not overlap. Required
	// for Allocate; Release and List do not need it. Allocations found in
	// the state file are respected whether or not they lie in Pool.
	Pool []Block
	// Size is the number of IDs handed out when Allocate is asked for 0;
	// zero means DefaultAllocSize.
	Size uint32
	// AllowLow lets the allocator hand out IDs 0–65535 from Pool. By
	// default they are skipped even when Pool includes them.
	AllowLow bool
}

// Allocate returns the block held for name, allocating one of size IDs
// from the pool if name holds none. A size of 0 means a.Size, or
// DefaultAllocSize. Asking again for a name that holds a block returns
// that block when size is 0 or the block's size, and an error wrapping
// [ErrSizeMismatch] otherwise.
//
// The block is the first free run of size IDs in pool order (lowest
// first). When none is free the error holds a *[NoSpaceError] saying how
// many IDs are free and the largest free run.
func (a *Allocator) Allocate(name string, size uint32) (Allocation, error) {
	var out Allocation
	err := a.update("allocate", name, func(s *allocState) (bool, error) {
		if i := s.find(name); i >= 0 {
			out = s.Allocations[i]
			if size != 0 && size != out.Size {
				return false, &SizeMismatchError{Held: out.Block, Asked: size}
			}
			return false, nil
		}
		if size == 0 {
			size = cmp.Or(a.Size, DefaultAllocSize)
		}
		free, err := a.free(s)
		if err != nil {
			return false, err
		}
		for _, f := range free {
			if f.Size >= size {
				out = Allocation{Name: name, Block: Block{Start: f.Start, Size: size}}
				s.Allocations = append(s.Allocations, out)
				s.sort()
				return true, nil
			}
		}
		return false, newNoSpace(size, free)
	})
	if err != nil {
		// A block that was not written down is not held.
		return Allocation{}, err
	}
	return out, nil
}

// Release frees the block held for name. Releasing a name that holds no
// block is an error wrapping [ErrNotAllocated], which a caller cleaning
// up may ignore with errors.Is.
func (a *Allocator) Release(name string) error {
	return a.update("release", name, func(s *allocState) (bool, error) {
		i := s.find(name)
		if i < 0 {
			return false, ErrNotAllocated
		}
		s.Allocations = slices.Delete(s.Allocations, i, i+1)
		return true, nil
	})
}

// List returns every allocation in the state file, lowest block first. It
// takes no lock: the file is only ever replaced whole, so List sees one
// complete state, and it works with read access alone.
func (a *Allocator) List() ([]Allocation, error) {
	if a.Path == "" {
		return nil, &AllocError{Op: "list", Err: ErrNoPath}
	}
	s, err := readState(a.Path)
	if err != nil {
		return nil, &AllocError{Op: "list", Path: a.Path, Err: err}
	}
	return s.Allocations, nil
}

// Free returns the runs of the pool that no allocation in the state file
// holds, lowest first, leaving out the IDs the allocator never hands out.
func (a *Allocator) Free() ([]Block, error) {
	if a.Path == "" {
		return nil, &AllocError{Op: "free", Err: ErrNoPath}
	}
	s, err := readState(a.Path)
	if err == nil {
		var free []Block
		if free, err = a.free(s); err == nil {
			return free, nil
		}
	}
	return nil, &AllocError{Op: "free", Path: a.Path, Err: err}
}

// update runs fn on the state under the lock and writes the state back
// when fn reports a change.
func (a *Allocator) update(op, name string, fn func(*allocState) (bool, error)) error {
	wrap := func(err error) error { return &AllocError{Op: op, Path: a.Path, Name: name, Err: err} }
	if a.Path == "" {
		return wrap(ErrNoPath)
	}
	if name == "" || !utf8.ValidString(name) {
		// JSON would turn invalid UTF-8 into U+FFFD, and the name
		// would no longer find its own allocation.
		return wrap(ErrBadName)
	}
	path, err := statePath(a.Path)
	if err != nil {
		return wrap(err)
	}
	// One goroutine of this process at a time waits in flock, so that
	// many goroutines allocating at once do not each hold a thread.
	mu, _ := pathLocks.LoadOrStore(path, new(sync.Mutex))
	mu.(*sync.Mutex).Lock()
	defer mu.(*sync.Mutex).Unlock()
	unlock, err := lockState(path)
	if err != nil {
		return wrap(err)
	}
	defer unlock()
	s, err := readState(path)
	if err != nil {
		return wrap(err)
	}
	changed, err := fn(s)
	if err != nil {
		return wrap(err)
	}
	if changed {
		if err := writeState(path, s); err != nil {
			return wrap(err)
		}
	}
	return nil
}

// pathLocks holds a *sync.Mutex per state file path in use.
var pathLocks sync.Map

// statePath is the state file's real path: a symbolic link there is
// followed, so that allocators given the link and its target take the
// same lock and read the same file (a rename over the link would replace
// it with a file of its own).
func statePath(path string) (string, error) {
	fi, err := os.Lstat(path)
	if err != nil || fi.Mode()&os.ModeSymlink == 0 {
		return path, nil
	}
	return filepath.EvalSymlinks(path)
}

// pool returns the usable part of a.Pool, sorted and with adjacent blocks
// merged, as [start, end) pairs.
func (a *Allocator) pool() ([][2]uint64, error) {
	if len(a.Pool) == 0 {
		return nil, ErrEmptyPool
	}
	blocks := slices.Clone(a.Pool)
	slices.SortFunc(blocks, func(x, y Block) int { return cmp.Compare(x.Start, y.Start) })
	lo := uint64(0)
	if !a.AllowLow {
		lo = lowIDs
	}
	var out [][2]uint64
	for i, b := range blocks {
		if b.Size == 0 {
			return nil, &PoolError{Block: b, Err: ErrEmpty}
		}
		if b.end() > 1<<32 {
			// Past the end of the ID space: a typo, not a pool.
			return nil, &PoolError{Block: b, Err: ErrRange}
		}
		if i > 0 && blocks[i-1].end() > uint64(b.Start) {
			return nil, &PoolError{Block: b, Err: ErrOverlap}
		}
		s, e := max(uint64(b.Start), lo), min(b.end(), maxID)
		if s >= e {
			continue
		}
		if n := len(out); n > 0 && out[n-1][1] == s {
			out[n-1][1] = e
			continue
		}
		out = append(out, [2]uint64{s, e})
	}
	if len(out) == 0 {
		return nil, ErrEmptyPool
	}
	return out, nil
}

// free returns the runs of the pool not held in s. Runs longer than a
// uint32 can say are split.
func (a *Allocator) free(s *allocState) ([]Block, error) {
	pool, err := a.pool()
	if err != nil {
		return nil, err
	}
	var free []Block
	add := func(s, e uint64) {
		for s < e {
			n := min(e-s, maxID)
			free = append(free, Block{Start: uint32(s), Size: uint32(n)})
			s += n
		}
	}
	held := s.Allocations // sorted by start, never overlapping
	j := 0
	for _, p := range pool {
		pos := p[0]
		for ; j < len(held) && uint64(held[j].Start) < p[1]; j++ {
			h := held[j]
			if h.end() <= pos {
				continue
			}
			add(pos, uint64(h.Start))
			pos = max(pos, h.end())
		}
		add(pos, p[1])
		// An allocation straddling the end of this pool block may
		// reach into the next one.
		if j > 0 && held[j-1].end() > p[1] {
			j--
		}
	}
	return free, nil
}

// newNoSpace describes the free space for a request of size IDs.
func newNoSpace(size uint32, free []Block) *NoSpaceError {
	e := &NoSpaceError{Size: size, Runs: len(free)}
	for _, f := range free {
		e.Free += uint64(f.Size)
		e.Largest = max(e.Largest, f.Size)
	}
	return e
}

// PoolFromSubIDs turns entries of /etc/subuid or /etc/subgid, such as
// those [LookupSubUIDs] returns for the "containers" or "kubelet" user,
// into an [Allocator] pool: the IDs any of them grants, once each. The
// same range granted twice (to the login and to the uid, say) or ranges
// that overlap are merged, since a pool's blocks may not overlap. Empty
// entries are left out.
func PoolFromSubIDs(entries []SubIDRange) []Block {
	var runs [][2]uint64
	for _, e := range entries {
		if e.Count > 0 {
			runs = append(runs, [2]uint64{uint64(e.Start), uint64(e.Start) + uint64(e.Count)})
		}
	}
	slices.SortFunc(runs, func(x, y [2]uint64) int { return cmp.Compare(x[0], y[0]) })
	pool := make([]Block, 0, len(runs))
	var cur [2]uint64
	flush := func() {
		// A run longer than a Block can say is split.
		for s := cur[0]; s < cur[1]; {
			n := min(cur[1]-s, maxID)
			pool = append(pool, Block{Start: uint32(s), Size: uint32(n)})
			s += n
		}
	}
	for i, r := range runs {
		if i > 0 && r[0] <= cur[1] {
			cur[1] = max(cur[1], r[1])
			continue
		}
		if i > 0 {
			flush()
		}
		cur = r
	}
	if len(runs) > 0 {
		flush()
	}
	return pool
}
