//go:build linux

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/nonroot-go/nonroot/idmap"
	"github.com/nonroot-go/nonroot/userns"
)

// Caller is who runs the tour, as the kernel sees it.
type Caller struct {
	UID         int    `json:"uid"`
	GID         int    `json:"gid"`
	InUserNS    bool   `json:"in_user_namespace"`
	UIDMap      string `json:"uid_map"`
	UserNSError string `json:"userns_error,omitempty"`
	HostRoot    bool   `json:"host_root"`
	Kernel      string `json:"kernel"`
	CanCreateNS bool   `json:"can_create_user_namespace"`
}

func (c Caller) String() string {
	s := fmt.Sprintf("uid %d, gid %d on Linux %s", c.UID, c.GID, c.Kernel)
	switch {
	case c.HostRoot:
		s += ", root of the initial user namespace (host root)"
	case c.InUserNS:
		s += fmt.Sprintf(", inside a user namespace (uid_map %q): root there at most, not root of the host's initial namespace", c.UIDMap)
	default:
		s += ", an ordinary user of the host"
	}
	if !c.CanCreateNS {
		s += "; cannot create user namespaces: " + c.UserNSError
	}
	return s
}

func whoAmI() Caller {
	c := Caller{UID: os.Getuid(), GID: os.Getgid(), InUserNS: userns.RunningInUserNS()}
	if m, err := idmap.SelfUIDMap(); err == nil {
		c.UIDMap = mapText(m)
	}
	c.HostRoot = c.UID == 0 && !c.InUserNS
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		c.Kernel = strings.TrimSpace(string(b))
	}
	if err := userns.Supported(); err != nil {
		c.UserNSError = err.Error()
	} else {
		c.CanCreateNS = true
	}
	return c
}

// Fixture is the temporary directory that stands in for the host's /etc.
type Fixture struct {
	Dir    string `json:"dir"`
	Shadow string `json:"shadow"`
	// Passwd, mode 0644, is the control: a child that can read it has
	// reached the directory, so an EACCES on Shadow is Shadow's own.
	Passwd string `json:"passwd"`
	// RootOwned is true when Shadow is owned by host root, which only
	// host root can arrange; Why says otherwise why not.
	RootOwned bool   `json:"owned_by_host_root"`
	Why       string `json:"why_not_root_owned,omitempty"`
}

func (f Fixture) String() string {
	s := fmt.Sprintf("%s stands in for the host's /etc: %s, mode 0000, for /etc/shadow; %s, mode 0644, for /etc/passwd, as a control any uid can read", f.Dir, filepath.Base(f.Shadow), filepath.Base(f.Passwd))
	if f.RootOwned {
		return s + ", owned by host root (0:0)"
	}
	return s + "; steps 1 to 4 need root of the initial user namespace: " + f.Why
}

const passwdText = "root:x:0:0:root:/root:/bin/sh\n"

const shadowText = "root:$y$j9T$stand-in:20000:0:99999:7:::\n"

// makeFixture makes the stand-in /etc. The directory is world-searchable
// so that children under other uids reach the file: only the file's own
// owner and mode stand between them and it.
func makeFixture(c Caller) (Fixture, error) {
	dir, err := os.MkdirTemp("", "nonroot-tour-")
	if err != nil {
		return Fixture{}, err
	}
	f := Fixture{Dir: dir, Shadow: filepath.Join(dir, "shadow"), Passwd: filepath.Join(dir, "passwd")}
	if err := os.Chmod(dir, 0o755); err != nil {
		return f, err
	}
	if err := os.WriteFile(f.Passwd, []byte(passwdText), 0o644); err != nil {
		return f, err
	}
	if err := os.Chmod(f.Passwd, 0o644); err != nil { // whatever the umask
		return f, err
	}
	if err := os.WriteFile(f.Shadow, []byte(shadowText), 0o600); err != nil {
		return f, err
	}
	if err := os.Chmod(f.Shadow, 0); err != nil {
		return f, err
	}
	// Try to give it to uid 0: it works for root of any namespace, so
	// only a caller in the initial namespace makes it host root's.
	err = os.Chown(f.Shadow, 0, 0)
	switch {
	case err != nil:
		f.Why = fmt.Sprintf("chown to 0:0 failed (%v): only root can give a file to root", errnoText(err))
	case c.InUserNS:
		f.Why = "the tour runs in a user namespace (uid_map " + c.UIDMap + "), and its capabilities reach only what that namespace owns"
	default:
		var st syscall.Stat_t
		if err := syscall.Stat(f.Shadow, &st); err != nil {
			return f, err
		}
		f.RootOwned = st.Uid == 0 && st.Gid == 0
		if !f.RootOwned {
			f.Why = fmt.Sprintf("chown succeeded but the file is owned by %d:%d", st.Uid, st.Gid)
		}
	}
	return f, nil
}

func (f Fixture) remove() { os.RemoveAll(f.Dir) }
