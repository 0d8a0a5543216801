package caps

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"sync"
)

// DockerDefault is the set docker and containerd give a container by
// default, the mask 0xa80425fb: CHOWN, DAC_OVERRIDE, FSETID, FOWNER,
// MKNOD, NET_RAW, SETGID, SETUID, SETFCAP, SETPCAP, NET_BIND_SERVICE,
// SYS_CHROOT, KILL and AUDIT_WRITE (moby's oci/caps/defaults.go,
// containerd's oci/spec.go).
const DockerDefault Set = 1<<0 | 1<<1 | 1<<4 | 1<<3 | 1<<27 | 1<<13 | 1<<6 | 1<<7 |
	1<<31 | 1<<8 | 1<<10 | 1<<18 | 1<<5 | 1<<29

// Named is every capability with a name known to this package, 0 to
// NamedCount-1.
const Named Set = 1<<NamedCount - 1

// LastCap returns the highest capability number the running kernel
// knows, from /proc/sys/kernel/cap_last_cap. The answer is read once.
func LastCap() (Value, error) { return lastCap() }

var lastCap = sync.OnceValues(func() (Value, error) {
	b, err := os.ReadFile("/proc/sys/kernel/cap_last_cap")
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
	switch {
	case errors.Is(err, strconv.ErrRange) || err == nil && n > 63:
		err = ErrRange
	case err != nil:
		err = strconv.ErrSyntax
	}
	if err != nil {
		return 0, &ParseError{Func: "LastCap", Field: "/proc/sys/kernel/cap_last_cap", Text: string(b), Err: err}
	}
	return Value(n), nil
})

// Supported returns every capability of the running kernel, 0 to
// [LastCap]. Where /proc/sys/kernel/cap_last_cap cannot be read (not
// Linux, no /proc) it returns [Named].
func Supported() Set {
	last, err := LastCap()
	if err != nil {
		return Named
	}
	return Set(1)<<(last+1) - 1
}
