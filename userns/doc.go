// Package userns runs a program as "root" inside a new user namespace
// whose IDs map to ordinary host IDs, with exactly the identity,
// capabilities and limits it is given, and says clearly why when the
// system will not allow it.
//
// # Running a command
//
// [Cmd] wraps an *exec.Cmd; [Command] and [CommandContext] make one, and
// Start, Wait, Run, Output and CombinedOutput behave as in os/exec. Every
// field that says what the command is inside has a zero value that gives
// what `unshare -r` gives:
//
//	c := userns.Command("make", "install")
//	c.SubIDs = true                  // 0 = me, 1..65536 = my /etc/subuid range
//	c.UID, c.GID = 1000, 1000        // run as 1000:1000 inside
//	c.Caps = &userns.Capabilities{Bounding: caps.DockerDefault} // no effective caps as 1000
//	c.NoNewPrivs = true
//	err := c.Run()
//
// A program (or test binary) whose commands need the Go stage described
// below calls [Init] first thing in main (or TestMain); Start says so
// ([ErrNoInit]) when it is needed and was not called.
//
// # How the maps get written
//
// The library picks the way; the caller never does.
//
//   - A caller with CAP_SETUID and CAP_SETGID over its own namespace (root
//     on the host, or root of a namespace whose map holds the requested
//     host IDs) has Go write the maps directly. Host IDs its own namespace
//     does not map are refused before any child exists, with an error
//     that answers errors.Is for idmap.ErrNotInParent and names the IDs.
//     Mapping host uid 0 needs CAP_SETFCAP too ([ErrSetfcap]).
//   - Any caller may write the single map "0 <own uid> 1" (the zero
//     UIDMap and GIDMap): Go writes it, with setgroups denied first as the
//     kernel requires.
//   - An unprivileged caller with anything wider goes through shadow-utils'
//     setuid helpers newuidmap and newgidmap, which run at the same time
//     while the child waits. The ranges are checked first against
//     /etc/subuid and /etc/subgid ([ErrNoSubIDs] names the user, the file
//     and the missing range); missing helpers give [ErrNoHelper] (install
//     the uidmap package). The map need not hold the caller's own IDs:
//     "0:100000:65536" with 100000:65536 granted in both files runs the
//     command as uid 0 of a namespace whose IDs are all subordinate ones.
//
// # The stage
//
// Go's SysProcAttr can write maps, set a uid and raise ambient
// capabilities, but it cannot wait for newuidmap (golang/go#50098), drop
// bounding capabilities in the new namespace, keep capabilities across a
// switch to a non-zero uid, set securebits, no_new_privs or rlimits. For
// those the command starts as the calling program re-executed through
// /proc/self/exe, which [Init] turns into a small stage that does the work
// and executes the target; its failures come back as Start's error, as
// os/exec reports a failed execve. A command that needs none of it takes
// the fast path: SysProcAttr alone, no stage, and Init is not needed.
//
// On the newuidmap path the child must wait for the helpers before it
// executes anything. When waiting is all it must do, and the path is
// absolute and not under /proc/self, the stage on linux/amd64 is a static
// executable of 392 bytes that the package builds in memory and keeps in
// a sealed memfd: it reads the go-ahead byte and executes the target with
// the argv and environment it was given, byte for byte. Elsewhere, or
// where the kernel will not execute a memfd (vm.memfd_noexec=2, /proc
// missing), the stage is /bin/sh and env -i, used where the target could
// not tell the difference (argv[0] is the path, every environment entry a
// NAME=VALUE). Both are cheaper than starting a Go runtime and need no
// Init. Otherwise the Go stage runs. Its execve happens before the maps exist,
// while its uid is unmapped, and would clear its capabilities; where it
// needs them afterwards (to switch to an identity the caller's IDs do not
// map to, to set groups or capability sets, to chroot, to keep a
// parent-death signal or to set no_new_privs), Go raises every
// capability of the new namespace into its ambient set first, which that
// execve keeps, and the stage clears the ambient and inheritable sets
// again before the target runs. Without that, the target's own execve,
// as the namespace's root, gains every capability after a stage that
// held none, and the kernel treats it as a set-user-ID program: it
// clears the parent-death signal (hence the Go stage whenever one is
// asked), keeps capabilities away under no_new_privs (hence the Go stage
// for NoNewPrivs), and marks the target not dumpable, so that the ELF and
// shell stages' targets leave no core dump where fs.suid_dumpable is 0.
//
// # Capabilities
//
// A nil [Cmd.Caps] leaves the kernel's default: uid 0 holds every
// capability, over the new namespace only; any other uid none. A
// [Capabilities] value names the sets the command starts with, as
// /proc/PID/status shows them; Start refuses combinations the kernel's
// rules at execve cannot produce.
//
// # When the system says no
//
// Every error of Start, and of Run, Output and CombinedOutput before the
// command runs, is an *[Error] with the operation, the pid once there is
// one, and the cause (a command that ran and failed gives an
// *exec.ExitError, as in os/exec); errors.Is answers for os.ErrPermission where the refusal
// is one of privilege, and for the sentinels: [ErrNotSupported],
// [ErrDisabled] (user.max_user_namespaces is 0, Ubuntu's
// kernel.apparmor_restrict_unprivileged_userns is 1), [ErrNestingLimit]
// (33 levels below the initial namespace; clone fails with ENOSPC),
// [ErrNoHelper], [ErrNoSubIDs], [ErrSetfcap], [ErrNoInit] and [ErrInvalid].
// The message says what to do.
//
// # Where a process stands
//
// [RunningInUserNS] answers cheaply whether the caller is in a namespace
// other than the initial one. [Inspect] reports, for the caller or any
// process it may ptrace-read, the maps, the namespace's identity, owner and
// depth, and whether setgroups is allowed. [Supported] tells whether this
// caller can create user namespaces at all, found by trying. None needs
// privilege.
//
// # Host directories inside a namespace
//
// [MountIDMapped] and [OpenIDMapped] show a host directory with its owners
// translated through a namespace's maps, without touching the files: a tree
// owned by host uid 100000 appears owned by 0 to a container mapped
// 0:100000:65536 (open_tree, mount_setattr with MOUNT_ATTR_IDMAP,
// move_mount). The namespace that carries the maps comes from a holder
// process that stops at its first instruction and is reaped before the call
// returns, or from [MountOptions].UserNS. They need CAP_SYS_ADMIN over the
// caller's mount namespace and over the user namespace that mounted the
// file system: root on the host for disk file systems; inside a user
// namespace, only file systems it mounted itself, such as its own tmpfs.
// The kernel supports them from Linux 5.12 for ext4, xfs and fat, 5.15 for
// btrfs and 6.3 for tmpfs, and refuses overlay and proc sources
// ([ErrIDMapUnsupported]).
//
// Where ID-mapped mounts are not available, [ShiftOwnership] rewrites a
// tree's owners on disk from one pair of maps to another, in parallel,
// without following symbolic links or leaving the tree's mount, shifting
// hard links once and keeping setuid and setgid bits and file capabilities
// (a version 3 capability's root uid moves with the maps, and so do the
// users and groups that POSIX ACLs name). It needs CAP_CHOWN, CAP_FOWNER
// and CAP_SETFCAP over both the old and the new IDs.
//
// # Speed
//
// Measured with BenchmarkPaired, which alternates the two contenders round
// by round so that both see the same load (2 vCPUs, Linux 6.18, other work
// keeping the load average between 4 and 12; each figure a ratio of
// medians of 200 rounds; four to six runs each, on 29 and 30 Nov 2026):
//
//	fast path / Go's own SysProcAttr spawn, same map    0.99 to 1.10   (target <= 1.15: met)
//	fast path / unshare -r                              0.80 to 0.89
//	newuidmap path / unshare --map-users (util-linux)   0.70 to 0.86   (target < 1: met)
//	newuidmap path, ELF stage / shell stage             0.73 to 0.80
//	newuidmap path, shell stage / Go stage              0.79 to 0.87
//
// The newuidmap row is the ELF stage's, from sixteen runs at load
// average 1.5 to 2.6; the shell stage's binary, run alternately with it,
// gave 0.95 to 1.24 then (1.01 to 1.26 earlier, under more load).
//
// The fast path adds about 3 µs and 21 allocations of planning
// (BenchmarkPlan) to Go's own spawn. The newuidmap path runs newuidmap and
// newgidmap at the same time and reads the caller's /etc/subuid entries
// only when the files change; the ELF stage is one execve between Go's
// fork and the target, as unshare is, where the shell stage is two
// (/bin/sh waits for the helpers, then env -i executes the target with
// exactly Cmd's environment). What remains is a fork of the whole Go
// process, since Go never uses vfork with CLONE_NEWUSER. A command whose
// identity is not the caller's own takes the Go stage once, with its
// capabilities carried in the ambient set
// (BenchmarkStartNewuidmap/userns-uid1000: median 10 to 13 ms here, where
// re-executing the stage a second time took 16 ms). Run
//
//	go test -run '^$' -bench 'Paired|StartNewuidmap' -count 3 ./userns/
//
// as an ordinary user with /etc/subuid ranges to see all rows.
//
// # Tests
//
// Package usernstest runs a test function inside a fresh user namespace.
package userns
