package limits

import (
	"fmt"
	"strings"
)

// NumResources is the number of resources Linux limits: CPU through RTTIME.
const NumResources = 16

// resourceNames holds the names of each resource: the pam_limits item
// (and docker --ulimit name, which is the same word), the kernel's
// constant, the row of /proc/PID/limits and its unit column.
var resourceNames = [NumResources]struct{ item, kernel, proc, unit string }{
	CPU:        {"cpu", "RLIMIT_CPU", "Max cpu time", "seconds"},
	FSIZE:      {"fsize", "RLIMIT_FSIZE", "Max file size", "bytes"},
	DATA:       {"data", "RLIMIT_DATA", "Max data size", "bytes"},
	STACK:      {"stack", "RLIMIT_STACK", "Max stack size", "bytes"},
	CORE:       {"core", "RLIMIT_CORE", "Max core file size", "bytes"},
	RSS:        {"rss", "RLIMIT_RSS", "Max resident set", "bytes"},
	NPROC:      {"nproc", "RLIMIT_NPROC", "Max processes", "processes"},
	NOFILE:     {"nofile", "RLIMIT_NOFILE", "Max open files", "files"},
	MEMLOCK:    {"memlock", "RLIMIT_MEMLOCK", "Max locked memory", "bytes"},
	AS:         {"as", "RLIMIT_AS", "Max address space", "bytes"},
	LOCKS:      {"locks", "RLIMIT_LOCKS", "Max file locks", "locks"},
	SIGPENDING: {"sigpending", "RLIMIT_SIGPENDING", "Max pending signals", "signals"},
	MSGQUEUE:   {"msgqueue", "RLIMIT_MSGQUEUE", "Max msgqueue size", "bytes"},
	NICE:       {"nice", "RLIMIT_NICE", "Max nice priority", ""},
	RTPRIO:     {"rtprio", "RLIMIT_RTPRIO", "Max realtime priority", ""},
	RTTIME:     {"rttime", "RLIMIT_RTTIME", "Max realtime timeout", "us"},
}

// Resources lists every resource in the kernel's order.
func Resources() []Resource {
	rs := make([]Resource, NumResources)
	for i := range rs {
		rs[i] = Resource(i)
	}
	return rs
}

func (r Resource) valid() bool { return r >= 0 && r < NumResources }

// String returns the resource's short name as limits.conf and docker's
// --ulimit spell it ("nofile"), or "Resource(N)" for an unknown number.
func (r Resource) String() string {
	if !r.valid() {
		return fmt.Sprintf("Resource(%d)", int(r))
	}
	return resourceNames[r].item
}

// KernelName returns the kernel's name for r, such as "RLIMIT_NOFILE".
func (r Resource) KernelName() string {
	if !r.valid() {
		return r.String()
	}
	return resourceNames[r].kernel
}

// ProcName returns r's row name in /proc/PID/limits, such as
// "Max open files".
func (r Resource) ProcName() string {
	if !r.valid() {
		return r.String()
	}
	return resourceNames[r].proc
}

// Unit returns the unit of r's values as /proc/PID/limits names it
// ("bytes", "seconds", "us", ...), or "" for NICE and RTPRIO, which are
// plain numbers.
func (r Resource) Unit() string {
	if !r.valid() {
		return ""
	}
	return resourceNames[r].unit
}

// ParseResource turns a resource name into a Resource. It accepts, in any
// letter case, the limits.conf / docker --ulimit / prlimit(1) word
// ("nofile"), the kernel's constant ("RLIMIT_NOFILE"), systemd's directive
// ("LimitNOFILE") and the /proc/PID/limits row ("Max open files").
func ParseResource(name string) (Resource, error) {
	s := strings.TrimSpace(name)
	lower := strings.ToLower(s)
	lower = strings.TrimPrefix(lower, "rlimit_")
	if strings.HasPrefix(lower, "limit") && len(lower) > len("limit") {
		lower = lower[len("limit"):]
	}
	for i, n := range resourceNames {
		if lower == n.item || strings.EqualFold(s, n.proc) {
			return Resource(i), nil
		}
	}
	return 0, &ResourceError{Name: name}
}
