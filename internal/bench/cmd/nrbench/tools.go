//go:build linux

package main

import (
	"fmt"
	"os"
	"os/exec"
)

// tools maps each external program a comparison runs to the Debian
// package that ships it.
var tools = map[string]string{
	"unshare":   "util-linux",
	"setpriv":   "util-linux",
	"newuidmap": "uidmap",
	"newgidmap": "uidmap",
	"pscap":     "libcap-ng-utils",
	"getpcaps":  "libcap2-bin",
	"pgrep":     "procps",
}

// tool returns the path of name, installing its package first when
// install is set and apt-get can run, or an error that says how to get it.
func tool(name string, install bool) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	// getpcaps lives in /usr/sbin, which an ordinary user's PATH may lack.
	for _, dir := range []string{"/usr/sbin/", "/sbin/", "/usr/bin/"} {
		if _, err := os.Stat(dir + name); err == nil {
			return dir + name, nil
		}
	}
	pkg := tools[name]
	if install && os.Geteuid() == 0 {
		if apt, err := exec.LookPath("apt-get"); err == nil {
			c := exec.Command(apt, "install", "-y", "-qq", pkg)
			c.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
			if out, err := c.CombinedOutput(); err != nil {
				return "", fmt.Errorf("%s missing and apt-get install %s failed: %v: %s", name, pkg, err, out)
			}
			if p, err := exec.LookPath(name); err == nil {
				return p, nil
			}
		}
	}
	return "", fmt.Errorf("%s not installed: apt-get install %s (or run nrbench as root with -install)", name, pkg)
}
