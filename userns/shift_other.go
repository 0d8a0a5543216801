//go:build !linux

package userns

// ShiftOwnership returns an error answering errors.Is for ErrNotSupported
// outside Linux.
func ShiftOwnership(root string, opts ShiftOptions) error {
	return &Error{Op: "shift owners under " + root, Kind: ErrNotSupported, Hint: "shifting owners by maps is implemented for Linux"}
}
