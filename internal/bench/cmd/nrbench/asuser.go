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
)

// asUser runs comparison 2 in a copy of this program as cfg.user: a
// rootless start is what that comparison measures, and newuidmap checks
// the caller's own /etc/subuid entry. The copy sits in a directory every
// user may enter, since `go run` and `go test` build into 0700 ones.
func asUser(cfg config) row {
	r := row{ID: "2", Ours: "userns via newuidmap/newgidmap", Theirs: "unshare -r --map-users --map-groups", Target: "< 1", MaxRatio: 1, Below: true}
	fail := func(format string, a ...any) row {
		r.Skipped = fmt.Sprintf(format, a...)
		return r
	}
	u, err := user.Lookup(cfg.user)
	if err != nil {
		return fail("no user %q to run the rootless start as (useradd -m %s, with a range in /etc/subuid and /etc/subgid; or -user NAME): %v", cfg.user, cfg.user, err)
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
		"-json", "-only=2", "-user=" + cfg.user, "-rounds=" + strconv.Itoa(cfg.rounds),
	}
	if cfg.startBatch != 10 {
		args = append(args, "-quick")
	}
	var out, errb bytes.Buffer
	c := exec.Command(setpriv, args...)
	c.Dir = "/"
	c.Stdout, c.Stderr = &out, &errb
	if err := c.Run(); err != nil {
		return fail("nrbench as %s: %v: %s", cfg.user, err, errb.Bytes())
	}
	var rows []row
	if err := json.Unmarshal(out.Bytes(), &rows); err != nil || len(rows) != 1 {
		return fail("nrbench as %s printed no row: %v: %q", cfg.user, err, out.Bytes())
	}
	return rows[0]
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
