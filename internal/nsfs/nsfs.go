package nsfs

import (
	"errors"
	"strconv"
)

// ErrNotSupported is returned on systems without Linux namespaces.
var ErrNotSupported = errors.New("nsfs: user namespaces are only supported on Linux")

// ID identifies a namespace: the device and inode number of its nsfs file.
// The zero ID identifies none.
type ID struct{ Dev, Ino uint64 }

// String prints the ID as the kernel prints the link /proc/PID/ns/user:
// "user:[4026531837]".
func (id ID) String() string {
	return "user:[" + strconv.FormatUint(id.Ino, 10) + "]"
}

// InitialIno is the inode number of the initial user namespace
// (PROC_USER_INIT_INO in include/linux/proc_ns.h); it never changes.
const InitialIno = 0xEFFFFFFD

// Relation says where a user namespace lies relative to the reader's own.
type Relation uint8

const (
	// Unknown is the zero Relation: the relation was not determined.
	Unknown Relation = iota
	// Same is the reader's own user namespace.
	Same
	// Below is a descendant of the reader's user namespace: the reader's
	// namespace (and a root with capabilities in it) has power over it.
	Below
	// Elsewhere is an ancestor of the reader's namespace or a namespace in
	// another branch of the tree: capabilities there are out of the
	// reader's reach and say nothing about power over the reader's objects.
	Elsewhere
)

func (r Relation) String() string {
	switch r {
	case Same:
		return "same"
	case Below:
		return "below"
	case Elsewhere:
		return "elsewhere"
	}
	return "unknown"
}

// Info describes the user namespace of a process as the reader sees it.
type Info struct {
	ID ID
	// Owner is the effective uid of the namespace's creator, as seen from
	// the reader's namespace (the overflow uid 65534 when unmapped there).
	Owner uint32
	// Relation is Same, Below or Elsewhere.
	Relation Relation
	// Depth is the number of levels below the reader's namespace: 0 for
	// Same, 1 for a child, 2 for a grandchild; -1 for Elsewhere.
	Depth int
}

// MarshalText encodes r as its String form.
func (r Relation) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText decodes the String form of a Relation.
func (r *Relation) UnmarshalText(b []byte) error {
	for _, c := range []Relation{Unknown, Same, Below, Elsewhere} {
		if string(b) == c.String() {
			*r = c
			return nil
		}
	}
	return errors.New("nsfs: unknown relation " + strconv.Quote(string(b)))
}
