package userns

import (
	"strconv"

	"github.com/nonroot-go/nonroot/idmap"
)

// NamespaceID identifies a user namespace: the device and inode of
// /proc/PID/ns/user. Two processes share a user namespace exactly when
// their NamespaceIDs are equal.
type NamespaceID struct{ Dev, Ino uint64 }

// String prints the ID as the link /proc/PID/ns/user reads: "user:[4026531837]".
func (id NamespaceID) String() string { return "user:[" + strconv.FormatUint(id.Ino, 10) + "]" }

// Report is where a process stands, as the caller sees it.
type Report struct {
	PID int
	// UIDMap and GIDMap are the process's maps as /proc/PID/uid_map shows
	// them to the caller: host IDs are the caller's namespace's IDs.
	UIDMap, GIDMap idmap.Map
	// Initial is true for a process in the initial user namespace.
	Initial bool
	// Namespace identifies the process's user namespace.
	Namespace NamespaceID
	// Owner is the effective uid of the namespace's creator
	// (NS_GET_OWNER_UID), as seen from the caller's namespace.
	Owner uint32
	// Depth is how many levels the namespace lies below the caller's own
	// (0 the same, 1 a child) by NS_GET_PARENT, or -1 when it is not below
	// it. When DepthFromInitial is true the caller is in the initial
	// namespace and Depth is the depth below it; otherwise the kernel hides
	// how deep the caller itself is.
	Depth            int
	DepthFromInitial bool
	// Setgroups is true when /proc/PID/setgroups says "allow".
	Setgroups bool
}
