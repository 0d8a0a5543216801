// Package idmap holds user namespace ID maps as the kernel sees them.
//
// A map is what /proc/PID/uid_map and gid_map hold: extents of IDs inside
// a namespace and the IDs of the parent namespace they stand for. Every
// [Map] this package builds obeys the kernel's rules for a write to
// uid_map, so what it accepts the kernel accepts. (This is a stub of the
// package comment; see the full text once the package is complete.)
package idmap
