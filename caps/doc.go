// Package caps answers "what can this process really do, and over what":
// the capability sets of one process or of all of them, the user
// namespace those capabilities belong to, and the file capabilities of
// executables. It builds on libcap (kernel.org/pub/linux/libs/security/libcap/cap)
// and hands it sets to change: libcap already changes every thread of a
// Go process through psx, and this package does not do that again.
//
// # A capability is only as strong as its user namespace
//
// The kernel checks a capability against the user namespace that owns
// the object acted on: CAP_DAC_OVERRIDE held in a namespace an ordinary
// user created opens the files that namespace maps, never the host's
// /etc/shadow. Every process that runs `unshare -r` shows all
// capabilities in /proc/PID/status and to pscap -a; what they are worth
// depends on the namespace, which is why a [Process] carries its
// [Namespace] and whether it is the reader's own, below it, or
// elsewhere. File capabilities are bound the same way: version 3 names
// the root uid of the namespace they are for.
//
// # Sets and names
//
// A [Set] is the kernel's 64-bit mask: bit n is capability n, and
// capabilities newer than this package's name table (41 and up) are kept
// as numbers. [Parse] reads every dialect people type, separated by
// commas: the kernel's CAP_SYS_ADMIN, docker's SYS_ADMIN and ALL, libcap's
// cap_sys_admin (and its text form cap_sys_admin,cap_chown=ep, which
// libcap's own Go parser rejects in upper case), libcap-ng's sys_admin, in
// any case, numbers as libcap's strtoul reads them (21, 025 octal, 0x15)
// and, for a whole set, 0x masks. [Set.String] writes libcap's lower-case
// names, "" for the
// empty set; [Set.Format] writes any dialect. [DockerDefault] is the set
// docker and containerd start containers with; [Supported] is what the
// running kernel knows.
//
// [Sets] holds all five sets of a thread. [Sets.Text] and [ParseText]
// speak libcap's text form of the effective, permitted and inheritable
// sets ("cap_chown,cap_kill=ep cap_setuid+i", "=ep") exactly as
// cap_to_text and cap_from_text do, tested against both libcaps.
// [Sets.Cap], [Sets.IAB], [FromCap] and [FromIAB] convert to and from
// libcap's *cap.Set and *cap.IAB. [Sets.Diff] says which capabilities
// each set gained and lost.
//
// # Processes
//
// [Of] reads one process, [Self] the caller (with its securebits), and
// [All] and [Scan] every process: effective, permitted, inheritable,
// bounding and ambient sets, no_new_privs, seccomp mode, command, uids and
// gids, start time, and the user namespace the sets belong to — its
// identity, its owner, and whether it is the reader's own ([Same]), nested
// below it ([Below]: root there has no power over the reader's files), or
// [Elsewhere]. Threads whose sets differ from the main thread's are listed
// in Process.Threads. Every file of a process is read through one handle
// on /proc/PID, so a reused pid cannot mix two processes; a scan skips
// processes that exit meanwhile, and [Process.Refresh] checks the start
// time. [ParseStatus] is the pure parser of /proc/PID/status beneath.
//
// Privilege: anyone may read any process's sets (unless /proc is mounted
// with hidepid). Identifying its user namespace needs ptrace read access:
// the reader's own processes, or CAP_SYS_PTRACE over the process; without
// it Namespace.Relation is [Unknown]. From inside a user namespace,
// processes outside it always show Unknown.
//
// # File capabilities
//
// [GetFile] reads the security.capability attribute in its three
// revisions, with the version 3 root uid that says whose namespace's root
// the capabilities are for; [SetFile] writes version 2 or version 3 with a
// root uid (which libcap v1.2.78 fails to do); [ParseFileCaps] and
// [FileCaps.Marshal] are the pure codec. Reading needs nothing. Writing
// needs CAP_SETFCAP in a user namespace in which the file's owner and
// group are mapped: real root, or root of a user namespace that maps them,
// in which case the kernel stores version 3 with that namespace's root.
//
// Seccomp modes are those /proc/PID/status shows: [SeccompDisabled],
// [SeccompStrict], [SeccompFilter], and [SeccompDead], the kernel's
// internal mode of a thread seccomp is killing (a process whose main
// thread died that way while others run keeps showing it).
//
// # Errors
//
// Parsers return *[ParseError] wrapping [ErrUnknownName], [ErrRange] or
// strconv.ErrSyntax. Reading a process returns *[ProcessError];
// errors.Is(err, [ErrNoProcess]) when it is gone or its pid was reused.
// File errors wrap *os.SyscallError, and [ErrNoFileCaps] when a file has
// none. Outside Linux everything that touches the system returns
// [ErrNotSupported]; sets, names and parsers work everywhere.
//
// # Speed
//
// A scan lists /proc once, then reads the processes with up to GOMAXPROCS
// goroutines: per process one open of /proc/PID, one read each of stat and
// status, and one stat of ns/user (each namespace is described once per
// scan). Other threads are compared through capget(2) unless
// [ScanOptions].ThreadStatus asks for their status files. The stat read,
// for the start time, is a third of the cost; pscap -a of libcap-ng shows
// no start time, and a scan with [ScanOptions].SkipStartTime gives the
// information pscap gives. BenchmarkScanVsPscap compares both scans with
// pscap -a in the same run.
package caps
