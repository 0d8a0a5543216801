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

// ParseLink returns the inode number in the text of a namespace link,
// "user:[4026531837]", and whether the text had that form for kind
// ("user"). All namespace files live on the one nsfs filesystem, so the
// inode and the device of any namespace file (such as [Self]'s) make the
// ID; reading the link is cheaper than stat'ing it.
func ParseLink(link []byte, kind string) (ino uint64, ok bool) {
	if len(link) < len(kind)+4 || string(link[:len(kind)]) != kind || link[len(kind)] != ':' || link[len(kind)+1] != '[' || link[len(link)-1] != ']' {
		return 0, false
	}
	digits := link[len(kind)+2 : len(link)-1]
	if len(digits) == 0 || len(digits) > 20 || (len(digits) > 1 && digits[0] == '0') {
		return 0, false // the kernel prints no leading zeros
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false
		}
		next := ino*10 + uint64(c-'0')
		if next/10 != ino {
			return 0, false // overflow
		}
		ino = next
	}
	return ino, true
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
	// TopOwner is, for Below, the owner of the ancestor one level below
	// the reader's namespace (the namespace itself at depth 1): since
	// Linux 5.14 the kernel charges RLIMIT_NPROC and its kin of every
	// namespace under it to that creator at the reader's level. For Same
	// and Elsewhere it is 4294967295.
	TopOwner uint32
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
