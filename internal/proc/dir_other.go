//go:build !linux

package proc

import "iter"

// ReadStatus returns ErrNotSupported outside Linux.
func ReadStatus(pid int, st *Status) error { return ErrNotSupported }

// StartTime returns ErrNotSupported outside Linux.
func StartTime(pid int) (uint64, error) { return 0, ErrNotSupported }

// Gone reports false outside Linux.
func Gone(err error) bool { return false }

// Pids yields ErrNotSupported outside Linux.
func Pids() iter.Seq2[int, error] {
	return func(yield func(int, error) bool) { yield(0, ErrNotSupported) }
}
