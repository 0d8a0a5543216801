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

// moveACLIDs rewrites, in place, the POSIX ACL xattr value b: the uid of
// each ACL_USER entry moves by uid and the gid of each ACL_GROUP entry by
// gid, and the named entries of each tag are sorted by ID again, as the
// kernel and setfacl keep them. It reports whether anything changed. A
// nil function leaves its side alone. A value that is not a version 2
// ACL made of whole entries is an error, as is an ID the function cannot
// move (an *aclIDError wrapping ErrShiftUnmapped); b may then be partly
// rewritten.
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
		tag := binary.LittleEndian.Uint16(b[off:])
		switch tag {
		case aclUser:
			move = uid
		case aclGroup:
			move = gid
		}
		if move == nil {
			continue
		}
		id := binary.LittleEndian.Uint32(b[off+4:])
		to, ok := move(id)
		if !ok {
			return false, &aclIDError{Group: tag == aclGroup, ID: id}
		}
		if to != id {
			binary.LittleEndian.PutUint32(b[off+4:], to)
			changed = true
		}
	}
	if changed {
		sortNamed(b)
	}
	return changed, nil
}

// sortNamed sorts each run of entries that share a tag by ID (insertion
// sort: ACLs are short, and moved IDs keep their order unless the maps'
// ranges cross).
func sortNamed(b []byte) {
	key := func(i int) (uint16, uint32) {
		off := aclHeaderSize + i*aclEntrySize
		return binary.LittleEndian.Uint16(b[off:]), binary.LittleEndian.Uint32(b[off+4:])
	}
	n := (len(b) - aclHeaderSize) / aclEntrySize
	var tmp [aclEntrySize]byte
	for i := 1; i < n; i++ {
		for j := i; j > 0; j-- {
			t0, id0 := key(j - 1)
			t1, id1 := key(j)
			if t0 != t1 || id0 <= id1 {
				break
			}
			a := b[aclHeaderSize+(j-1)*aclEntrySize : aclHeaderSize+j*aclEntrySize]
			c := b[aclHeaderSize+j*aclEntrySize : aclHeaderSize+(j+1)*aclEntrySize]
			copy(tmp[:], a)
			copy(a, c)
			copy(c, tmp[:])
		}
	}
}

// aclIDError is a named user or group of a POSIX ACL that the shift's
// maps do not cover.
type aclIDError struct {
	Group bool
	ID    uint32
}

func (e *aclIDError) Error() string {
	kind := "uid"
	if e.Group {
		kind = "gid"
	}
	if e.ID == ^uint32(0) {
		// posix_acl_to_xattr gives -1 for an ID the reader's user
		// namespace does not map (owners read as the overflow ID).
		return "ACL entry for a " + kind + " this user namespace does not map (reads as 4294967295): " + ErrShiftUnmapped.Error()
	}
	return fmt.Sprintf("ACL entry for %s %d: %v", kind, e.ID, ErrShiftUnmapped)
}

func (e *aclIDError) Unwrap() error { return ErrShiftUnmapped }

// removal is the setfacl argument that removes the entry.
func (e *aclIDError) removal() string {
	if e.Group {
		return fmt.Sprintf("g:%d", e.ID)
	}
	return fmt.Sprintf("u:%d", e.ID)
}
