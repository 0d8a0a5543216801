package userns

import (
	"fmt"

	"github.com/nonroot-go/nonroot/caps"
)

// moveCapRoot returns the security.capability value b with its version 3
// root uid moved by move, and whether it changed. Versions 1 and 2, which
// hold capabilities for every namespace, come back unchanged. A version 3
// value whose new root is 0 becomes version 2, the form the kernel itself
// shows for the initial namespace's root. Malformed values are a
// *caps.ParseError.
func moveCapRoot(b []byte, move func(uint32) (uint32, bool)) ([]byte, bool, error) {
	fc, err := caps.ParseFileCaps(b)
	if err != nil {
		return nil, false, err
	}
	if fc.Version != 3 {
		return b, false, nil
	}
	to, ok := move(fc.RootUID)
	if !ok {
		return nil, false, fmt.Errorf("file capability for the namespace rooted at uid %d: %w", fc.RootUID, ErrShiftUnmapped)
	}
	if to == fc.RootUID {
		return b, false, nil
	}
	fc.RootUID = to
	if to == 0 {
		fc.Version = 2
	}
	out, err := fc.Marshal()
	return out, err == nil, err
}
