//go:build !linux

package userns

import (
	"os"

	"github.com/nonroot-go/nonroot/idmap"
)

// MountOptions adjusts MountIDMapped and OpenIDMapped; see the Linux
// documentation.
type MountOptions struct {
	Recursive bool
	ReadOnly  bool
	UserNS    *os.File
}

// MountIDMapped returns an error answering errors.Is for ErrNotSupported
// and ErrIDMapUnsupported outside Linux.
func MountIDMapped(source, target string, uids, gids idmap.Map, opts *MountOptions) error {
	_, err := OpenIDMapped(source, uids, gids, opts)
	return err
}

// OpenIDMapped returns an error answering errors.Is for ErrNotSupported
// and ErrIDMapUnsupported outside Linux.
func OpenIDMapped(source string, uids, gids idmap.Map, opts *MountOptions) (*os.File, error) {
	return nil, &Error{
		Op: "ID-mapped mount of " + source, Kind: ErrNotSupported, Err: ErrIDMapUnsupported,
		Hint: "ID-mapped mounts are a Linux feature (5.12 and later)",
	}
}
