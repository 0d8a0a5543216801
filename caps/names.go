package caps

// NamedCount is the number of capabilities with a name known to this
// package: 0 (CAP_CHOWN) to 40 (CAP_CHECKPOINT_RESTORE), as in libcap
// v1.2.78's cap.NamedCount. Higher numbers are kept and printed as
// numbers.
const NamedCount = 41

// names lists the kernel's names (include/uapi/linux/capability.h)
// without the CAP_ prefix, lower case, by value. A test checks it against
// libcap's table, so the two cannot drift apart silently.
var names = [NamedCount]string{
	"chown", "dac_override", "dac_read_search", "fowner", "fsetid", "kill",
	"setgid", "setuid", "setpcap", "linux_immutable", "net_bind_service",
	"net_broadcast", "net_admin", "net_raw", "ipc_lock", "ipc_owner",
	"sys_module", "sys_rawio", "sys_chroot", "sys_ptrace", "sys_pacct",
	"sys_admin", "sys_boot", "sys_nice", "sys_resource", "sys_time",
	"sys_tty_config", "mknod", "lease", "audit_write", "audit_control",
	"setfcap", "mac_override", "mac_admin", "syslog", "wake_alarm",
	"block_suspend", "audit_read", "perfmon", "bpf", "checkpoint_restore",
}

// byName maps the bare lower-case name to its value.
var byName = func() map[string]Value {
	m := make(map[string]Value, NamedCount)
	for i, n := range names {
		m[n] = Value(i)
	}
	return m
}()
