// Package limits answers three questions about per-uid resource limits
// exactly: what limits pam_limits will give a user, what limits a process
// has, and how much of its RLIMIT_NPROC budget a uid uses now.
//
// # Why it matters
//
// RLIMIT_NPROC counts tasks (threads included) by real uid. Containers
// that run as the same host uid share one count and starve each other.
// Since Linux 5.14 the kernel counts NPROC, SIGPENDING, MSGQUEUE and
// MEMLOCK per (user namespace, uid) and charges each parent level too,
// to the owner of the namespace: a user namespace created by a
// privileged parent gives its tasks a count of their own (see [Usage]).
//
// # What pam_limits gives a user
//
// [Load] reads <root>/etc/security/limits.conf and then
// <root>/etc/security/limits.d/*.conf in C-locale byte order, keeping the
// file and line of every [Rule]; lines pam_limits would skip come back as
// [Warning]s ([LoadStrict] turns them into errors, for linting).
// [LookupUser] reads <root>/etc/passwd and <root>/etc/group without cgo.
// [Config.Resolve] then works out the [Result] item by item, with the
// line that set each half or where it came from ([Origin]). Nothing here
// needs privilege beyond reading those files.
//
// The parser follows pam_limits 1.5.2: "#" starts a comment; four fields
// make a rule and "<domain> -" an exemption; type, item and value are
// lower-cased, the domain is not; "unlimited", "infinity" and "-1" mean no
// limit; only leading digits count ("10abc" is 10, "0x10" is 0, "-5"
// wraps around as strtoull does); the size items (core data fsize memlock
// rss stack as) are in KB, cpu in minutes; nice n becomes the rlimit
// 20-n; nofile unlimited becomes /proc/sys/fs/nr_open; lines longer than
// 1023 bytes are read in pieces.
//
// The resolver follows its rules too: a user name or uid range
// (min:max, min:, :uid) beats @group, @:gid and @min:max (which match the
// primary gid only) beats *; @group and @:gid look the group up as
// getgrnam and getgrgid do and match any gid the user has (see
// [User.Groups]); within a class the last matching line read
// wins; soft and hard are tracked apart, and a "-" line whose soft half is
// blocked by a more specific class does not apply its hard half either;
// priority and nonewprivs take the last matching line whatever its
// class; an exemption line that matches stops everything; at the end the
// soft value is clamped to the hard one. [Result.Skipped] tells which
// matching lines changed nothing, and why.
//
// # Two flavours
//
// [Upstream] is Linux-PAM as released. [Debian] is the module Debian and
// Ubuntu ship, which differs in four ways: it starts from PID 1's limits
// (/proc/1/limits) instead of the calling program's, capping the soft
// nofile at 1024 when no rule sets it; "*" lines and named @group/%group
// lines do not touch root, and numeric ones (@:0, @0:99, %:0) reach root
// as uid ranges, in the user class, whatever the item;
// a setrlimit the kernel refuses with EPERM is skipped silently, where
// upstream fails the login; and it knows a chroot item. [DetectFlavor]
// says which one a system has, by looking at its pam_limits.so and dpkg
// database.
//
// Where no rule sets a limit, the session keeps what the PAM application
// had ([FromCaller]) under [Upstream], or PID 1's under [Debian]. The
// application matters: su and runuser (util-linux) change nofile, nice,
// rtprio, fsize and as before PAM runs, and sshd or a systemd unit brings
// its own; pass those values as [Start.Caller] to [Config.ResolveWith].
// pam_limits with a conf= argument reads that file only, not limits.d.
//
// # What a process has
//
// [ReadProcLimits] reads /proc/PID/limits (anyone may read any process's).
// [Get] and [Set] use prlimit(2): lowering one's own processes' limits
// needs nothing; raising a hard limit needs CAP_SYS_RESOURCE in the
// initial user namespace, which root inside a container or user
// namespace usually lacks ([ErrNeedsCapSysResource]); another user's
// process needs CAP_SYS_RESOURCE ([ErrNotYours]). [Apply] sets a
// map[Resource]Rlimit on a process, such as a child started by package
// userns before it runs; [Result.Rlimits] turns a resolution into such a
// map (userns.Cmd.Rlimits takes it as is), and [Result.Apply] applies it
// with the flavour's error handling.
//
// A Go program's own soft RLIMIT_NOFILE is not the one it inherited: the
// runtime raises it to the hard limit at start and restores the original
// in the children it starts, unless the program sets RLIMIT_NOFILE
// itself. [SystemStart] therefore reports this process's raised value.
//
// # How close a uid is to running out
//
// [CountTasks] scans every process (its real uid through PIDFD_GET_INFO
// or /proc/PID/status, its threads, its /proc/PID/ns/user) and counts a
// uid's tasks grouped by user namespace, together with the tasks the kernel
// charges to the uid in the caller's namespace; [Usage.Headroom] compares
// that with an RLIMIT_NPROC value. It needs no privilege, but without
// ptrace access to other users' processes their namespaces stay unknown.
// [OpenFiles] counts a process's open descriptors against its
// RLIMIT_NOFILE.
package limits
