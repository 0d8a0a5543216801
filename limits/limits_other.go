//go:build !linux

package limits

// ReadProcLimits returns ErrNotSupported: /proc/PID/limits is Linux's.
func ReadProcLimits(pid int) (map[Resource]Rlimit, error) { return nil, ErrNotSupported }

// Get returns ErrNotSupported outside Linux.
func Get(pid int, r Resource) (Rlimit, error) { return Rlimit{}, ErrNotSupported }

// Set returns ErrNotSupported outside Linux.
func Set(pid int, r Resource, l Rlimit) error { return ErrNotSupported }

// Apply returns ErrNotSupported outside Linux.
func Apply(pid int, m map[Resource]Rlimit) error { return ErrNotSupported }

// Apply returns ErrNotSupported outside Linux.
func (r Result) Apply(pid int) ([]Resource, error) { return nil, ErrNotSupported }

// SystemStart returns ErrNotSupported outside Linux.
func SystemStart() (Start, error) { return Start{}, ErrNotSupported }

// OpenFiles returns ErrNotSupported outside Linux.
func OpenFiles(pid int) (int, Rlimit, error) { return 0, Rlimit{}, ErrNotSupported }

// CountTasks returns ErrNotSupported outside Linux.
func CountTasks(uid uint32) (Usage, error) { return Usage{}, ErrNotSupported }
