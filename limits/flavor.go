package limits

import (
	"bufio"
	"bytes"
	"os"
	"strings"
)

// moduleDirs are where distributions install PAM modules.
var moduleDirs = []string{
	"usr/lib/x86_64-linux-gnu/security", "lib/x86_64-linux-gnu/security",
	"usr/lib/aarch64-linux-gnu/security", "lib/aarch64-linux-gnu/security",
	"usr/lib64/security", "lib64/security", "usr/lib/security", "lib/security",
}

// DetectFlavor tells which pam_limits is installed under root ("/" for
// the running system) and why it thinks so:
//
//   - a pam_limits.so carrying the "chroot" item name is Debian's: the
//     chroot item comes from a Debian patch that no upstream release has;
//   - otherwise an installed Debian libpam-modules package in
//     <root>/var/lib/dpkg/status means Debian's patches;
//   - otherwise Upstream, also when nothing can be read (a distribution
//     without patches, or an image without PAM).
func DetectFlavor(root string) (Flavor, string) {
	for _, dir := range moduleDirs {
		path, err := inRoot(root, dir+"/pam_limits.so")
		if err != nil {
			continue
		}
		data, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		shown := "/" + dir + "/pam_limits.so"
		if bytes.Contains(data, []byte("\x00chroot\x00")) {
			return Debian, shown + " knows the chroot item of Debian's patches"
		}
		if v := dpkgVersion(root, "libpam-modules"); v != "" {
			return Debian, "Debian package libpam-modules " + v + " is installed"
		}
		return Upstream, shown + " has no Debian patches"
	}
	if v := dpkgVersion(root, "libpam-modules"); v != "" {
		return Debian, "Debian package libpam-modules " + v + " is installed"
	}
	return Upstream, "no pam_limits.so found; assuming upstream Linux-PAM"
}

// dpkgVersion returns the version of an installed package from dpkg's
// status file, or "".
func dpkgVersion(root, pkg string) string {
	path, err := inRoot(root, "/var/lib/dpkg/status")
	if err != nil {
		return ""
	}
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	in, installed, version := false, false, ""
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if in && installed {
				return version
			}
			in, installed, version = false, false, ""
		case strings.HasPrefix(line, "Package: "):
			in = strings.TrimPrefix(line, "Package: ") == pkg
		case in && strings.HasPrefix(line, "Status: "):
			installed = strings.HasSuffix(line, " installed")
		case in && strings.HasPrefix(line, "Version: "):
			version = strings.TrimPrefix(line, "Version: ")
		}
	}
	if in && installed {
		return version
	}
	return ""
}
