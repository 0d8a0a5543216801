//go:build linux

package testenv

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
)

var userNSOnce = sync.OnceValue(probeUserNS)

// ProbeUserNS reports why the caller cannot create a user namespace with
// the single map "0 <own uid> 1", or nil when it can. It tries.
func ProbeUserNS() error { return userNSOnce() }

func probeUserNS() error {
	cmd := exec.Command("/bin/true")
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags:  syscall.CLONE_NEWUSER,
		UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}},
		GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}},
	}
	err := cmd.Run()
	if err == nil {
		return nil
	}
	hint := ""
	if b, rerr := os.ReadFile("/proc/sys/user/max_user_namespaces"); rerr == nil && strings.TrimSpace(string(b)) == "0" {
		hint = " (user.max_user_namespaces is 0: sysctl -w user.max_user_namespaces=15000)"
	} else if b, rerr := os.ReadFile("/proc/sys/kernel/apparmor_restrict_unprivileged_userns"); rerr == nil && strings.TrimSpace(string(b)) == "1" {
		hint = " (kernel.apparmor_restrict_unprivileged_userns is 1: sysctl -w kernel.apparmor_restrict_unprivileged_userns=0)"
	}
	return fmt.Errorf("creating a user namespace failed: %w%s", err, hint)
}

var multiMapOnce = sync.OnceValue(probeMultiMap)

// ProbeMultiMap reports why the caller cannot write a map of many host
// IDs directly (it needs CAP_SETUID and CAP_SETGID over the parent user
// namespace: real root), or nil when it can. It tries.
func ProbeMultiMap() error { return multiMapOnce() }

func probeMultiMap() error {
	if err := ProbeUserNS(); err != nil {
		return err
	}
	cmd := exec.Command("/bin/true")
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags:  syscall.CLONE_NEWUSER,
		UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: 200000, Size: 1000}},
		GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: 200000, Size: 1000}},
	}
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("writing the map 0 200000 1000 failed: %w (needs CAP_SETUID and CAP_SETGID over the parent user namespace: run as root)", err)
	}
	return nil
}

var setIDOnce = sync.OnceValue(probeSetID)

// ProbeSetID reports why the caller cannot start a child as another uid
// and gid (6667:6667) without a user namespace, or nil when it can. It
// tries.
func ProbeSetID() error { return setIDOnce() }

func probeSetID() error {
	cmd := exec.Command("/bin/true")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 6667, Gid: 6667, NoSetGroups: false}}
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("starting a child as 6667:6667 failed: %w (needs CAP_SETUID and CAP_SETGID with uid 6667 mapped: run as root on the host)", err)
	}
	return nil
}

// ProbeNewuidmap reports why the caller cannot use newuidmap and
// newgidmap, or nil when they are installed setuid root and the caller
// has subordinate ranges of at least size IDs in /etc/subuid and
// /etc/subgid.
func ProbeNewuidmap(size uint64) error {
	for _, name := range []string{"newuidmap", "newgidmap"} {
		path, err := exec.LookPath(name)
		if err != nil {
			return fmt.Errorf("%s not found (apt-get install uidmap)", name)
		}
		fi, err := os.Stat(path)
		if err != nil {
			return err
		}
		st, ok := fi.Sys().(*syscall.Stat_t)
		if fi.Mode()&os.ModeSetuid == 0 || !ok {
			return fmt.Errorf("%s is not setuid (reinstall the uidmap package)", path)
		}
		if st.Uid != 0 {
			// Inside a user namespace that does not map host root, root's
			// files show as the overflow uid and setuid root cannot apply.
			return fmt.Errorf("%s is owned by uid %d, not root: host root is not mapped in this user namespace, or the uidmap package is broken", path, st.Uid)
		}
	}
	for _, file := range []string{"/etc/subuid", "/etc/subgid"} {
		if err := hasSubIDs(file, size); err != nil {
			return err
		}
	}
	return nil
}

// hasSubIDs looks in file for a range of at least size IDs for the
// caller, by name or by uid. It is deliberately independent of package
// idmap so that idmap's own tests can use it.
func hasSubIDs(file string, size uint64) error {
	uid := os.Getuid()
	name := ""
	if u, err := lookupName(uid); err == nil {
		name = u
	}
	b, err := os.ReadFile(file)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	for line := range strings.Lines(string(b)) {
		f := strings.Split(strings.TrimSpace(line), ":")
		if len(f) != 3 || (f[0] != name && f[0] != fmt.Sprint(uid)) {
			continue
		}
		var n uint64
		if _, err := fmt.Sscan(f[2], &n); err == nil && n >= size {
			return nil
		}
	}
	who := fmt.Sprint(uid)
	if name != "" {
		who = name
	}
	return fmt.Errorf("%s has no range of %d IDs for %s (usermod --add-subuids 100000-165535 --add-subgids 100000-165535 %s)", file, size, who, who)
}

func lookupName(uid int) (string, error) {
	b, err := os.ReadFile("/etc/passwd")
	if err != nil {
		return "", err
	}
	for line := range strings.Lines(string(b)) {
		f := strings.Split(line, ":")
		if len(f) > 2 && f[2] == fmt.Sprint(uid) {
			return f[0], nil
		}
	}
	return "", fmt.Errorf("uid %d not in /etc/passwd", uid)
}
