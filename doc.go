// Package nonroot is the root of a library that lets Go programs run other
// programs without handing them host root: user namespaces, UID and GID
// maps, capabilities and per-uid resource limits. The root package holds
// no code; this comment is the overview a newcomer reads first.
//
// # Why root in a container is root on the host
//
// A container is a process tree with its own view of mounts, processes and
// the network, but without a user namespace its uid 0 is the same uid 0
// as on the host. Capabilities and seccomp trim what that root may do;
// they do not change who it is. Every host file that reaches the container
// — a bind-mounted /etc, a device node, or the runtime's own binary through
// a bug such as CVE-2019-5736 — is checked against uid 0, and uid 0 owns
// nearly everything that matters.
//
// # Three remedies
//
// Run as an ordinary uid, as with docker run -u 6667:6667. Host files
// owned by root are now out of reach. But uids are shared across a node:
// two containers that pick the same uid share its per-uid limits
// (RLIMIT_NPROC, pam_limits' limits.conf) and can starve each other, and
// can touch each other's files.
//
// Run in a user namespace. Uid 0 inside maps to an ordinary host uid:
// podman's --uidmap 0:2000:1000 means namespace uid 0 is host uid 2000,
// for 1000 IDs. Root inside keeps its capabilities, but only over objects
// its namespace owns; a host file owned by real root is out of its reach.
// Each container gets its own range, so nothing collides, and since Linux
// 5.14 a namespace created by a privileged parent also gets its own count
// of processes. Namespaces nest.
//
// Run rootless. An ordinary user creates the namespaces itself. Alone it
// may map only its own uid; wider maps come from the subordinate ranges
// that /etc/subuid and /etc/subgid grant it, written by the setuid helpers
// newuidmap and newgidmap from shadow-utils (Debian's uidmap package).
//
// # Packages
//
//   - idmap: UID and GID maps as the kernel sees them. Parses and formats
//     the dialects people type (podman's container:host:size, util-linux
//     unshare's reversed outer,inner,count, /proc/PID/uid_map text),
//     translates IDs both ways, checks the kernel's rules, reads live maps
//     and /etc/subuid, and allocates one range per container.
//   - userns: starts commands in new user namespaces with the maps,
//     identity, capabilities and limits asked for, choosing how the maps
//     get written (directly, or through newuidmap), and reports where a
//     process stands. userns/usernstest runs Go tests inside a namespace.
//   - caps: capability sets of processes and files, read from /proc and
//     xattrs, named in every dialect, relative to the user namespace they
//     belong to; changing them is left to libcap.
//   - limits: what pam_limits gives a user, what limits a process has, and
//     how close a uid is to its RLIMIT_NPROC.
//
// The packages idmap, caps and limits import nothing of this module;
// userns builds on all three. Everything Linux-specific builds only on
// Linux; elsewhere the same API returns an error that answers
// errors.Is(err, ErrNotSupported) for the package's ErrNotSupported.
//
// # Privileges
//
// Every operation documents what it needs. As a rule: parsing and
// translating need nothing; reading /proc needs what reading /proc needs;
// creating a user namespace with the caller's own uid mapped to 0 needs
// nothing on a kernel that allows unprivileged user namespaces; wider maps
// need root (CAP_SETUID and CAP_SETGID over the parent namespace) or
// subordinate ranges and the uidmap package; mapping host uid 0 needs
// CAP_SETFCAP.
package nonroot
