//go:build linux

package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"

	"github.com/nonroot-go/nonroot/idmap"
	"github.com/nonroot-go/nonroot/userns"
)

// errnoNames are the errno names the tour meets.
var errnoNames = map[syscall.Errno]string{
	syscall.EPERM:  "EPERM",
	syscall.EACCES: "EACCES",
	syscall.EAGAIN: "EAGAIN",
	syscall.EINVAL: "EINVAL",
	syscall.ENOENT: "ENOENT",
	syscall.ENOSPC: "ENOSPC",
	syscall.EUSERS: "EUSERS",
}

// errnoText names the errno inside err, as "EACCES (permission denied)",
// or gives err's text when it carries none.
func errnoText(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		if name, ok := errnoNames[errno]; ok {
			return name + " (" + errno.Error() + ")"
		}
		return fmt.Sprintf("errno %d (%s)", int(errno), errno.Error())
	}
	return err.Error()
}

// outcome is what a child's attempt gave: "ok" or the errno text.
func outcome(err error) string {
	if err == nil {
		return "ok"
	}
	return errnoText(err)
}

// isErrno reports whether text, made by outcome, names errno.
func isErrno(text string, errno syscall.Errno) bool {
	return strings.HasPrefix(text, errnoNames[errno]+" ")
}

// lacksPrivilege reports whether err says the caller lacks what a start
// needs, as opposed to something broken.
func lacksPrivilege(err error) bool {
	return errors.Is(err, os.ErrPermission) || errors.Is(err, syscall.EPERM) ||
		errors.Is(err, syscall.EINVAL) || errors.Is(err, userns.ErrNoHelper) ||
		errors.Is(err, userns.ErrNoSubIDs) || errors.Is(err, userns.ErrDisabled) ||
		errors.Is(err, userns.ErrSetfcap) || errors.Is(err, userns.ErrNotSupported)
}

// statusLine returns the value of one field of /proc/PID/status, as the
// caller's namespace sees it ("Uid" gives "2000\t2000\t2000\t2000").
func statusLine(pid int, field string) (string, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return "", err
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return strings.TrimSpace(v), nil
		}
	}
	return "", fmt.Errorf("/proc/%d/status has no %s line", pid, field)
}

// realUID returns the real uid of pid as the caller's namespace sees it.
func realUID(pid int) (int, error) {
	v, err := statusLine(pid, "Uid")
	if err != nil {
		return -1, err
	}
	f := strings.Fields(v)
	if len(f) == 0 {
		return -1, fmt.Errorf("empty Uid line in /proc/%d/status", pid)
	}
	return strconv.Atoi(f[0])
}

// errnoIs reports whether err carries errno.
func errnoIs(err error, errno syscall.Errno) bool { return errors.Is(err, errno) }

// mapText shows a map on one line, extents as /proc/PID/uid_map writes
// them, separated by commas: "0 1001 1, 1 100000 65536".
func mapText(m idmap.Map) string {
	var parts []string
	for _, r := range m.Ranges() {
		parts = append(parts, fmt.Sprintf("%d %d %d", r.ContainerID, r.HostID, r.Size))
	}
	return strings.Join(parts, ", ")
}
