//go:build linux

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/nonroot-go/nonroot/idmap"
)

// asUser runs comparison part (1 or 2) in a copy of this program as
// cfg.user and returns its rows, renamed by ids. Comparison 2 is a
// rootless start, and newuidmap checks the caller's own /etc/subuid
// entry; comparison 1 as an ordinary user is the unprivileged fast path.
// The copy sits in a directory every user may enter, since `go run` and
// `go test` build into 0700 ones.
func asUser(cfg config, part string, tmpl []row) []row {
	fail := func(format string, a ...any) []row {
		for i := range tmpl {
			tmpl[i].Skipped = fmt.Sprintf(format, a...)
		}
		return tmpl
	}
	u, err := user.Lookup(cfg.user)
	if err != nil {
		return fail("no user %q to run as (useradd -m %s, with a range in /etc/subuid and /etc/subgid; or -user NAME): %v", cfg.user, cfg.user, err)
	}
	// Inside a user namespace (unshare -r), the user's uid may not exist.
	if id, err := strconv.ParseUint(u.Uid, 10, 32); err == nil {
		if m, err := idmap.SelfUIDMap(); err == nil {
			if _, ok := m.ToHost(uint32(id)); !ok {
				return fail("uid %s (%s) is not mapped in this user namespace (uid_map %q): run nrbench from the initial namespace", u.Uid, cfg.user, strings.TrimSpace(m.String()))
			}
		}
	}
	setpriv, err := tool("setpriv", cfg.install)
	if err != nil {
		return fail("%v", err)
	}
	dir, err := os.MkdirTemp("", "nrbench")
	if err != nil {
		return fail("%v", err)
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "nrbench")
	if err := copyFile("/proc/self/exe", bin); err != nil {
		return fail("copying nrbench to %s: %v", bin, err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		return fail("%v", err)
	}
	args := []string{
		"--reuid=" + u.Uid, "--regid=" + u.Gid, "--init-groups", bin,
		"-json", "-only=" + part, "-user=" + cfg.user, "-rounds=" + strconv.Itoa(cfg.rounds),
	}
	if cfg.startBatch != 10 {
		args = append(args, "-quick")
	}
	var out, errb bytes.Buffer
	c := exec.Command(setpriv, args...)
	c.Dir = "/"
	c.Stdout, c.Stderr = &out, &errb
	if err := c.Run(); err != nil {
		return fail("nrbench as %s: %v: %s", cfg.user, err, bytes.TrimSpace(errb.Bytes()))
	}
	var rows []row
	if err := json.Unmarshal(out.Bytes(), &rows); err != nil || len(rows) != len(tmpl) {
		return fail("nrbench as %s printed %d rows, want %d: %v: %q", cfg.user, len(rows), len(tmpl), err, out.Bytes())
	}
	for i := range rows {
		rows[i].ID = tmpl[i].ID
	}
	return rows
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
