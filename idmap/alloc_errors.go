package idmap

import (
	"errors"
	"strconv"
)

// Sentinel errors of [Allocator]. Errors from its methods are
// *[AllocError] values wrapping one of these or an *os.PathError or
// *os.SyscallError from the file system.
var (
	// ErrNoSpace: no free run of the pool is as large as the request.
	// The error also holds a *NoSpaceError with the numbers.
	ErrNoSpace = errors.New("no free block of host IDs that large")
	// ErrCorruptState: the state file does not parse, or holds
	// allocations that overlap, repeat a name or reach 4294967295.
	ErrCorruptState = errors.New("state file is corrupt")
	// ErrNewerState: the state file was written by a newer version of
	// this package.
	ErrNewerState = errors.New("state file was written by a newer version")
	// ErrNotAllocated: Release of a name that holds no block.
	ErrNotAllocated = errors.New("name holds no block")
	// ErrSizeMismatch: Allocate of a name that already holds a block of
	// another size. The error also holds a *SizeMismatchError.
	ErrSizeMismatch = errors.New("name already holds a block of another size")
	// ErrEmptyPool: Allocate without a pool, or with one made only of
	// IDs the allocator never hands out.
	ErrEmptyPool = errors.New("pool holds no IDs to hand out (IDs 0-65535 need AllowLow; 4294967295 is never handed out)")
	// ErrBadName: an empty name or one that is not valid UTF-8.
	ErrBadName = errors.New("name is empty or not valid UTF-8")
	// ErrNoPath: an Allocator without a state file path.
	ErrNoPath = errors.New("allocator has no state file path")
)

// AllocError is the error of an [Allocator] method. Path names the state
// file, so a corrupt one can be found and inspected.
type AllocError struct {
	Op   string // "allocate", "release", "list" or "free"
	Path string // the state file
	Name string // the name allocated or released, if any
	Err  error
}

func (e *AllocError) Error() string {
	s := "idmap: " + e.Op
	if e.Name != "" {
		s += " " + strconv.Quote(e.Name)
	}
	if e.Path != "" {
		s += " in " + e.Path
	}
	return s + ": " + e.Err.Error()
}

func (e *AllocError) Unwrap() error { return e.Err }

// NoSpaceError says how much of the pool is free when a request does not
// fit. It wraps [ErrNoSpace].
type NoSpaceError struct {
	Size    uint32 // IDs asked for
	Free    uint64 // IDs free in the pool, in all runs
	Runs    int    // free runs
	Largest uint32 // IDs in the largest free run
}

func (e *NoSpaceError) Error() string {
	return "need " + strconv.FormatUint(uint64(e.Size), 10) + " consecutive IDs but the largest free run has " +
		strconv.FormatUint(uint64(e.Largest), 10) + " (" + strconv.FormatUint(e.Free, 10) + " IDs free in " +
		strconv.Itoa(e.Runs) + " runs): release allocations or add a range to the pool, such as a line of /etc/subuid"
}

func (e *NoSpaceError) Unwrap() error { return ErrNoSpace }

// SizeMismatchError reports a request for a name that already holds a
// block of another size. It wraps [ErrSizeMismatch].
type SizeMismatchError struct {
	Held  Block  // the block the name holds
	Asked uint32 // the size asked for
}

func (e *SizeMismatchError) Error() string {
	return "name already holds " + e.Held.String() + " (" + strconv.FormatUint(uint64(e.Held.Size), 10) +
		" IDs), not " + strconv.FormatUint(uint64(e.Asked), 10) + ": release it first to change its size"
}

func (e *SizeMismatchError) Unwrap() error { return ErrSizeMismatch }

// PoolError reports a block of an Allocator's pool that is empty
// ([ErrEmpty]) or overlaps another ([ErrOverlap]).
type PoolError struct {
	Block Block
	Err   error
}

func (e *PoolError) Error() string { return "pool block " + e.Block.String() + ": " + e.Err.Error() }

func (e *PoolError) Unwrap() error { return e.Err }
