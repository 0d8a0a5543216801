package userns

import (
	"strconv"

	"github.com/nonroot-go/nonroot/caps"
)

var rlimitNames = [...]string{
	"RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_STACK", "RLIMIT_CORE",
	"RLIMIT_RSS", "RLIMIT_NPROC", "RLIMIT_NOFILE", "RLIMIT_MEMLOCK", "RLIMIT_AS",
	"RLIMIT_LOCKS", "RLIMIT_SIGPENDING", "RLIMIT_MSGQUEUE", "RLIMIT_NICE",
	"RLIMIT_RTPRIO", "RLIMIT_RTTIME",
}

func rlimitName(r int) string {
	if r >= 0 && r < len(rlimitNames) {
		return rlimitNames[r]
	}
	return "rlimit " + strconv.Itoa(r)
}

func capName(n int) string { return caps.Name(caps.Value(n), caps.Kernel) }
