package limits

import (
	"errors"
	"io/fs"
	"os"
	"slices"
	"strings"
	"syscall"
)

// The files pam_limits reads, relative to the root.
const (
	ConfFile = "/etc/security/limits.conf"
	ConfDir  = "/etc/security/limits.d"
)

// Load reads <root>/etc/security/limits.conf and then every *.conf file
// of <root>/etc/security/limits.d in C-locale byte order of their names
// ("20-b.conf" before "9-c.conf", "Z.conf" before "a.conf"), skipping
// dotfiles and directories, as pam_limits does. root "/" is the running
// system; another directory is an image or a test fixture. Rules and
// warnings name files as the system inside root sees them
// ("/etc/security/limits.conf").
//
// Lines pam_limits skips are returned as warnings; only a file that
// exists but cannot be read is an error, as it fails the PAM session. A
// missing limits.conf fails the session too, and pam_limits then reads
// no limits.d: Load returns a Config without rules and a warning that
// says so.
// Symbolic links resolve inside root, as in a chroot. Reading needs no
// privilege beyond read access to the files.
func Load(root string) (*Config, []Warning, error) {
	c := &Config{}
	var warns []Warning
	read := func(name string) error {
		path, err := inRoot(root, name)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		c.Files = append(c.Files, name)
		warns = append(warns, c.parse(name, data)...)
		return nil
	}
	if err := read(ConfFile); errors.Is(err, fs.ErrNotExist) {
		// pam_limits stops there (goto out): no rule of limits.d applies
		// either, so the Config holds none.
		warns = append(warns, Warning{File: ConfFile, Reason: "file missing: pam_limits fails the session (PAM_SERVICE_ERR) and applies nothing, limits.d included"})
		return c, warns, nil
	} else if err != nil {
		return nil, warns, err
	}
	dir, err := inRoot(root, ConfDir)
	if err != nil {
		return nil, warns, err
	}
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
		// pam_limits globs limits.d/*.conf: a missing limits.d, or a
		// file by that name, matches nothing.
		return nil, warns, err
	}
	var names []string
	for _, e := range entries {
		n := e.Name()
		if strings.HasPrefix(n, ".") || !strings.HasSuffix(n, ".conf") {
			continue
		}
		names = append(names, n)
	}
	slices.Sort(names) // Go compares strings bytewise, like strcmp
	for _, n := range names {
		name := ConfDir + "/" + n
		path, err := inRoot(root, name)
		if err != nil {
			return nil, warns, err
		}
		fi, err := os.Stat(path)
		if err != nil {
			return nil, warns, err
		}
		if fi.IsDir() {
			warns = append(warns, Warning{File: name, Reason: "a directory named *.conf: pam_limits opens it and reads nothing"})
			continue
		}
		if err := read(name); err != nil {
			return nil, warns, err
		}
	}
	return c, warns, nil
}

// LoadStrict is [Load] for linting: every warning becomes an error (a
// *[ParseError]), and all of them are joined.
func LoadStrict(root string) (*Config, error) {
	c, warns, err := Load(root)
	if err != nil {
		return nil, err
	}
	errs := make([]error, len(warns))
	for i, w := range warns {
		errs[i] = w.Err()
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return c, nil
}
