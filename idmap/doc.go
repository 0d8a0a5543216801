// Package idmap holds user namespace ID maps as the kernel sees them, and
// reads and writes them in the dialects of the tools around them.
//
// # What a map is
//
// A user namespace sees its own user and group IDs. Its uid map, the file
// /proc/PID/uid_map, says which IDs of the parent namespace they stand
// for, in extents of "inner outer count":
//
//	0 1000 1         uid 0 inside is uid 1000 outside
//	1 100000 65536   uids 1..65536 inside are 100000..165535 outside
//
// An ID that no extent covers is unmapped: files owned by it show as the
// overflow ID 65534, and a process cannot take it. [Range] is one extent,
// with the field names and types of the OCI runtime-spec's LinuxIDMapping,
// so idmap.Range(spec) and specs.LinuxIDMapping(r) convert directly. [Map]
// is a whole map: [New] builds one, [Map.ToHost] and [Map.ToContainer]
// translate an ID in O(log n) without allocating, [Map.Inverse] swaps the
// sides, [Map.Compose] follows a nested namespace's IDs to the host, and
// [Map.ContainsRange], [Map.Contains], [Map.CoversContainer] and
// [Map.CoversHost] answer questions of inclusion.
//
// # The kernel's rules
//
// A map is written once, in one write(2) to uid_map or gid_map; a second
// write fails with EPERM, and text written in two writes (as a shell's
// printf may do, line by line) fails. The kernel refuses with EINVAL:
//
//   - an extent of count 0 ([ErrEmpty]);
//   - an extent that starts at 4294967295 or whose end reaches 2^32, on
//     either side ([ErrRange]): "0 4294901760 65536" is refused;
//   - extents that overlap, inside or outside ([ErrOverlap]);
//   - more than 340 extents ([ErrTooMany]);
//   - text of 4096 bytes or more in the one write ([ErrTooLong]); the last
//     newline may be left out, and [Map.WriteTo] leaves it out, but os/exec
//     and newuidmap write it, so [Map.ToSysProcIDMap] refuses a map whose
//     text needs that byte.
//
// Every Map obeys these rules: [New] and every parser refuse what breaks
// them, naming the rule (errors.Is with the sentinels above) and the
// extent (*[RangeError], or *[ParseError] with line and field). The test
// suite writes random maps into real namespaces and checks that the
// kernel accepts exactly what New accepts.
//
// The kernel refuses with EPERM an extent whose outside IDs do not lie
// inside one single extent of the parent namespace's own map (the
// writer's, when as usual it writes from the parent), even where two of
// the parent's extents are adjacent: [Map.CheckParent] says whether a
// map can be written and [Map.SplitParent] splits it so it can. Without CAP_SETUID
// over the parent namespace (CAP_SETGID for gid_map) a writer may only
// map its own euid, with one extent of count 1, and must write "deny" to
// /proc/PID/setgroups before gid_map. Mapping host uid 0 needs
// CAP_SETFCAP (Linux 5.12 and later).
//
// The kernel shows a map of up to 5 extents in the order written, and a
// larger one sorted by the inside ID; [Map.Equivalent] compares what two
// maps map, [Map.Equal] their extents in order.
//
// # Reading live maps
//
// [ReadUIDMap] and [ReadGIDMap] read /proc/PID/uid_map and gid_map (pid
// 0 is the caller). The kernel shows a map relative to the namespace of
// the process that READS it: read from the host, a nested namespace's map
// shows host IDs (which is what Compose computes); read from inside that
// namespace it shows its parent's IDs. An extent whose first ID the
// reader's namespace does not map shows as 4294967295, which ReadUIDMap
// reports as an error saying so: /proc/1/uid_map read inside
// `unshare -r` as an ordinary user reads "0 4294967295 4294967295". A
// namespace whose map is not written yet reads as the zero Map.
//
// # Dialects
//
// Each dialect has a parser and a formatter that reads back its own
// output:
//
//   - The kernel's text, "inner outer count" per line, fields separated by
//     blanks or tabs: [ParseProc], [Map.String], [Map.WriteTo]. ParseProc
//     reads what the kernel reads (the tests write random texts to the
//     kernel to check), except that it refuses numbers above 4294967295,
//     whose low 32 bits the kernel silently keeps, and text after a NUL
//     byte, which the kernel silently ignores.
//   - podman's and buildah's --uidmap, "container:host[:amount]" joined by
//     commas: [ParsePodman], [Map.FormatPodman]. Rootless podman's
//     "container:@host:amount" names a host ID through the caller's own
//     map: [ParsePodmanRelative].
//   - util-linux unshare's --map-users and --map-groups: [ParseUnshare],
//     [Map.FormatUnshare]. Up to 2.38 the value is "outer,inner,count",
//     host side FIRST, the reverse of everything else: podman's order given
//     to unshare maps the inverse of what was meant. 2.39 added
//     "inner:outer:count"; ParseUnshare reads both.
//   - os/exec's []syscall.SysProcIDMap, with int fields:
//     [Map.ToSysProcIDMap] and [FromSysProcIDMap] (Linux only, like the
//     type), which refuse negative and too large values instead of
//     truncating them.
//
// # Subordinate IDs
//
// newuidmap and newgidmap let an ordinary user map the ranges
// /etc/subuid and /etc/subgid grant it (subuid(5)). [ParseSubIDs] reads
// those files as shadow-utils does, numbers in C's base 0 included (a
// leading 0 is octal), but fails on a line shadow-utils would silently
// skip, and on the lines it takes that no namespace can use (a negative
// start, a count of 0, an end past 4294967294). As with containers/storage,
// one such line fails every look-up in the file. [LookupSubUIDs] and
// [LookupSubGIDs] find a user's ranges by name or uid, reading
// /etc/passwd directly (no cgo, no NSS), and ask getsubids (shadow-utils
// 4.10+) when the file has no entry, for LDAP or SSSD setups;
// [SubIDSource] points them at another root. Their errors are
// *[SubIDError]; a user with no ranges anywhere wraps [ErrNoSubIDs] and
// says how to add some. [RootlessMap] builds the map rootless podman
// builds from them.
//
// # One range per container
//
// [Allocator] gives each container a block of host IDs of its own (65536 by
// default, as Kubernetes gives each pod), keyed by the container's name,
// from a pool such as the "containers" user's /etc/subuid lines
// ([PoolFromSubIDs]). Its state is one JSON file, locked with flock and
// replaced crash-safely (write, fsync, rename, fsync of the directory), so
// processes that allocate at the same time never overlap and a kill at any
// instant leaves the old state or the new one. A corrupt state file, or one
// a newer version wrote, is an error naming it, never reset. It needs only
// write access to the state file's directory.
//
// # Privileges
//
// Building, checking, translating, composing, parsing and formatting maps
// need nothing: they touch no system state. Reading a live map needs read
// access to /proc/PID (same user, or CAP_SYS_PTRACE where /proc has
// hidepid). Reading /etc/subuid, /etc/subgid and /etc/passwd needs no
// privilege; getsubids needs none either. Writing a map is the business
// of the caller (or package userns) under the rules above.
package idmap
