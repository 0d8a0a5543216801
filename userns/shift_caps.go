package userns

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// The security.capability xattr (linux/capability.h): a little-endian
// magic_etc word holding the revision and the effective flag, then
// permitted and inheritable words, two of each since revision 2, and in
// revision 3 the uid of the root of the namespace the capabilities are
// for (rootid). Only v3 carries an owner to shift.
const (
	capRevisionMask = 0xFF000000
	capRevision1    = 0x01000000
	capRevision2    = 0x02000000
	capRevision3    = 0x03000000
	capSize1        = 4 + 2*4
	capSize2        = 4 + 2*2*4
	capSize3        = capSize2 + 4
)

var errBadCap = errors.New("malformed security.capability")

// moveCapRoot returns the capability xattr b with its v3 root uid moved
// by move, and whether it changed. v1 and v2 values, which hold
// capabilities for every namespace, come back unchanged. A v3 value whose
// new root is 0 becomes v2, the form the kernel itself stores for the
// initial namespace's root.
func moveCapRoot(b []byte, move func(uint32) (uint32, bool)) ([]byte, bool, error) {
	if len(b) < 4 {
		return nil, false, fmt.Errorf("%w: %d bytes", errBadCap, len(b))
	}
	magic := binary.LittleEndian.Uint32(b)
	switch rev := magic & capRevisionMask; {
	case rev == capRevision1 && len(b) == capSize1, rev == capRevision2 && len(b) == capSize2:
		return b, false, nil
	case rev == capRevision3 && len(b) == capSize3:
	default:
		return nil, false, fmt.Errorf("%w: revision %#x in %d bytes", errBadCap, rev>>24, len(b))
	}
	root := binary.LittleEndian.Uint32(b[capSize2:])
	to, ok := move(root)
	if !ok {
		return nil, false, fmt.Errorf("file capability for the namespace rooted at uid %d: %w", root, ErrShiftUnmapped)
	}
	if to == root {
		return b, false, nil
	}
	if to == 0 {
		out := make([]byte, capSize2)
		copy(out, b[:capSize2])
		binary.LittleEndian.PutUint32(out, magic&^capRevisionMask|capRevision2)
		return out, true, nil
	}
	out := make([]byte, capSize3)
	copy(out, b)
	binary.LittleEndian.PutUint32(out[capSize2:], to)
	return out, true, nil
}
