//go:build !linux

package caps

import "iter"

func gone(error) bool { return false }

// Of returns ErrNotSupported outside Linux.
func Of(pid int) (Process, error) { return Process{}, ErrNotSupported }

// Self returns ErrNotSupported outside Linux.
func Self() (Process, error) { return Process{}, ErrNotSupported }

// All yields ErrNotSupported outside Linux.
func All() iter.Seq2[Process, error] { return Scan(ScanOptions{}) }

// Scan yields ErrNotSupported outside Linux.
func Scan(opts ScanOptions) iter.Seq2[Process, error] {
	return func(yield func(Process, error) bool) { yield(Process{}, ErrNotSupported) }
}

// Refresh returns ErrNotSupported outside Linux.
func (p Process) Refresh() (Process, error) { return Process{}, ErrNotSupported }
