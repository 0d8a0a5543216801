//go:build !linux

package userns

// Init does nothing outside Linux.
func Init() {}

// Start returns an *Error answering errors.Is for ErrNotSupported outside
// Linux.
func (c *Cmd) Start() error {
	return &Error{Op: "start", Kind: ErrNotSupported, Hint: "user namespaces are a Linux feature"}
}

// RunningInUserNS reports false outside Linux.
func RunningInUserNS() bool { return false }

// Inspect returns ErrNotSupported outside Linux.
func Inspect(pid int) (*Report, error) {
	return nil, &Error{Op: "inspect", Pid: pid, Kind: ErrNotSupported}
}

// Supported returns ErrNotSupported outside Linux.
func Supported() error { return &Error{Op: "create user namespace", Kind: ErrNotSupported} }
