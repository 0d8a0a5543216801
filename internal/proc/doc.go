// Package proc reads what several nonroot packages need from /proc: the
// fields of /proc/PID/status, the start time from /proc/PID/stat, and the
// pids and thread ids present. It is built for scanning every process:
// one read per file into a reusable buffer, no allocation per field, and a
// directory handle per process so that every file read belongs to the same
// process even if its pid is reused meanwhile.
//
// # Use
//
// [Pids] lists /proc with getdents into one buffer; [Open] takes a handle
// on one process; a [Reader] reads its files ([Reader.Status],
// [Reader.Stat], [Reader.ReadFile]) into a buffer it reuses, and
// [Dir.Tasks], [Dir.Task], [Dir.Stat] and [Dir.Readlink] reach its threads
// and namespace links. [ParseStatus] and [ParseStat] are pure.
//
// # Privilege
//
// /proc/PID/status and /proc/PID/stat are readable by anyone (unless /proc
// is mounted with hidepid). /proc/PID/ns/* needs ptrace read access: an
// ordinary user reaches only its own processes. A process that exits while
// it is read gives an error for which [Gone] reports true; scanners skip it.
package proc
