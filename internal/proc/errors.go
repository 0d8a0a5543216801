package proc

import "errors"

// ErrNotSupported is returned outside Linux.
var ErrNotSupported = errors.New("proc: /proc is only read on Linux")
