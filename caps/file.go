package caps

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"strconv"
)

// FileCaps are the capabilities of an executable file, its
// security.capability extended attribute (capabilities(7), "File
// capabilities").
type FileCaps struct {
	// Permitted is added to the permitted set of whoever execs the file
	// (masked by the bounding set).
	Permitted Set
	// Inheritable is ANDed with the caller's inheritable set and added to
	// the permitted set.
	Inheritable Set
	// Effective raises the new permitted set into the effective set at
	// execve: one bit for all, not a set.
	Effective bool
	// Version is the format: 1 (32 bits, historic), 2 (64 bits) or 3 (64
	// bits and a root uid, Linux 4.14+). When writing, 0 means 2 if RootUID
	// is 0 and 3 otherwise.
	Version int
	// RootUID (version 3) is the uid of the root whose namespace the
	// capabilities are for: they apply only to execs in a user namespace
	// whose uid 0 is this uid. As read, it is seen from the reader's
	// namespace; the kernel shows version 2 and no RootUID to a reader for
	// whose namespace, or an ancestor of it, that uid is root (see
	// [GetFile]). As written, it is taken in the writer's namespace.
	RootUID uint32
}

// The layout of struct vfs_cap_data and vfs_ns_cap_data
// (include/uapi/linux/capability.h): little-endian 32-bit words.
const (
	vfsRevisionMask  = 0xFF000000
	vfsFlagEffective = 0x000001
	vfsRevision1     = 0x01000000
	vfsRevision2     = 0x02000000
	vfsRevision3     = 0x03000000
	vfsSize1         = 4 * (1 + 2*1)
	vfsSize2         = 4 * (1 + 2*2)
	vfsSize3         = 4 * (2 + 2*2)
)

var (
	errFileCapSize    = errors.New("size does not match the revision")
	errFileCapVersion = errors.New("unknown revision (want 1, 2 or 3)")
	errFileCapFlags   = errors.New("unknown flags (only the effective bit 0x1 exists)")
)

// ParseFileCaps decodes the value of a security.capability attribute in
// any of its three revisions. It does no I/O. Errors are *ParseError.
func ParseFileCaps(b []byte) (FileCaps, error) {
	fail := func(err error) (FileCaps, error) {
		return FileCaps{}, &ParseError{Func: "ParseFileCaps", Text: hex.EncodeToString(b), Err: err}
	}
	if len(b) < 4 {
		return fail(errFileCapSize)
	}
	magic := binary.LittleEndian.Uint32(b)
	var fc FileCaps
	words := 2
	switch magic & vfsRevisionMask {
	case vfsRevision1:
		fc.Version, words = 1, 1
		if len(b) != vfsSize1 {
			return fail(errFileCapSize)
		}
	case vfsRevision2:
		fc.Version = 2
		if len(b) != vfsSize2 {
			return fail(errFileCapSize)
		}
	case vfsRevision3:
		fc.Version = 3
		if len(b) != vfsSize3 {
			return fail(errFileCapSize)
		}
		fc.RootUID = binary.LittleEndian.Uint32(b[20:])
	default:
		return fail(errFileCapVersion)
	}
	if magic&^vfsRevisionMask&^vfsFlagEffective != 0 {
		return fail(errFileCapFlags)
	}
	fc.Effective = magic&vfsFlagEffective != 0
	for i := range words {
		fc.Permitted |= Set(binary.LittleEndian.Uint32(b[4+8*i:])) << (32 * i)
		fc.Inheritable |= Set(binary.LittleEndian.Uint32(b[8+8*i:])) << (32 * i)
	}
	return fc, nil
}

// Marshal encodes fc as the value of a security.capability attribute in
// fc's Version (0 chooses as [FileCaps.Version] says). A RootUID with
// version 2, or capabilities above 31 with version 1, are errors.
func (fc FileCaps) Marshal() ([]byte, error) {
	v := fc.Version
	if v == 0 {
		v = 2
		if fc.RootUID != 0 {
			v = 3
		}
	}
	magic := uint32(0)
	if fc.Effective {
		magic = vfsFlagEffective
	}
	var b []byte
	switch v {
	case 1:
		if (fc.Permitted|fc.Inheritable)>>32 != 0 {
			return nil, errors.New("caps: version 1 file capabilities hold only capabilities 0-31")
		}
		b = make([]byte, vfsSize1)
		magic |= vfsRevision1
	case 2:
		if fc.RootUID != 0 {
			return nil, errors.New("caps: version 2 file capabilities have no root uid: use version 3")
		}
		b = make([]byte, vfsSize2)
		magic |= vfsRevision2
	case 3:
		b = make([]byte, vfsSize3)
		magic |= vfsRevision3
		binary.LittleEndian.PutUint32(b[20:], fc.RootUID)
	default:
		return nil, errors.New("caps: file capability version " + strconv.Itoa(v) + " does not exist (1, 2 or 3)")
	}
	binary.LittleEndian.PutUint32(b, magic)
	for i := range min(2, (len(b)-4)/8) {
		binary.LittleEndian.PutUint32(b[4+8*i:], uint32(fc.Permitted>>(32*i)))
		binary.LittleEndian.PutUint32(b[8+8*i:], uint32(fc.Inheritable>>(32*i)))
	}
	return b, nil
}

// String writes fc as getcap does: "cap_net_bind_service=ep", with
// " [rootid=100000]" for version 3.
func (fc FileCaps) String() string {
	s := Sets{Permitted: fc.Permitted, Inheritable: fc.Inheritable}
	if fc.Effective {
		s.Effective = fc.Permitted | fc.Inheritable
	}
	t := s.Text()
	if fc.Version == 3 {
		t += " [rootid=" + strconv.FormatUint(uint64(fc.RootUID), 10) + "]"
	}
	return t
}
