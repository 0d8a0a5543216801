package userns

import (
	"encoding/binary"
	"fmt"
)

// The POSIX ACL xattrs (system.posix_acl_access, system.posix_acl_default)
// as getxattr(2) gives them: a little-endian header holding version 2,
// then 8-byte entries of tag (u16), permissions (u16) and ID (u32).
const (
	aclVersion    = 2
	aclHeaderSize = 4
	aclEntrySize  = 8
	aclUser       = 0x02 // ACL_USER: the ID is a uid
	aclGroup      = 0x08 // ACL_GROUP: the ID is a gid
)

// moveACLIDs returns the POSIX ACL xattr value b with the uid of each
// ACL_USER entry moved by uid and the gid of each ACL_GROUP entry moved
// by gid, and whether anything changed. A nil function leaves its side
// alone. The value is rewritten in place. A value that is not a version 2
// ACL made of whole entries is an error, as is an ID the function cannot
// move (wrapping ErrShiftUnmapped).
func moveACLIDs(b []byte, uid, gid func(uint32) (uint32, bool)) (bool, error) {
	if len(b) < aclHeaderSize || (len(b)-aclHeaderSize)%aclEntrySize != 0 {
		return false, fmt.Errorf("POSIX ACL of %d bytes: not a header and whole %d-byte entries", len(b), aclEntrySize)
	}
	if v := binary.LittleEndian.Uint32(b); v != aclVersion {
		return false, fmt.Errorf("POSIX ACL version %d, want %d", v, aclVersion)
	}
	changed := false
	for off := aclHeaderSize; off < len(b); off += aclEntrySize {
		var move func(uint32) (uint32, bool)
		kind := "uid"
		switch binary.LittleEndian.Uint16(b[off:]) {
		case aclUser:
			move = uid
		case aclGroup:
			move, kind = gid, "gid"
		}
		if move == nil {
			continue
		}
		id := binary.LittleEndian.Uint32(b[off+4:])
		to, ok := move(id)
		if !ok {
			return false, fmt.Errorf("ACL entry for %s %d: %w", kind, id, ErrShiftUnmapped)
		}
		if to != id {
			binary.LittleEndian.PutUint32(b[off+4:], to)
			changed = true
		}
	}
	return changed, nil
}
