//go:build linux

package main

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"syscall"

	"github.com/nonroot-go/nonroot/idmap"
)

// goSpawn starts /bin/true the way a Go program does without nonroot:
// os/exec with CLONE_NEWUSER, the parent writing the one-line maps.
func goSpawn(uid, gid int) func(int) error {
	return func(n int) error {
		for range n {
			c := exec.Command("/bin/true")
			c.SysProcAttr = &syscall.SysProcAttr{
				Cloneflags:  syscall.CLONE_NEWUSER,
				UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: uid, Size: 1}},
				GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: gid, Size: 1}},
			}
			if err := c.Run(); err != nil {
				return fmt.Errorf("exec.Command with CLONE_NEWUSER: %w", err)
			}
		}
		return nil
	}
}

// startSingle compares starting /bin/true in a new user namespace with
// the caller's uid and gid mapped to 0, the one map an unprivileged
// caller may write itself.
func startSingle(cfg config) []row {
	uid, gid := os.Geteuid(), os.Getegid()
	base := row{
		What: fmt.Sprintf("start /bin/true in a new userns, map 0 %d 1 (as uid %d)", uid, uid),
		Ours: "userns fast path", Rounds: cfg.rounds, Batch: cfg.startBatch, OursAllocs: -1, TheirsAllocs: -1,
	}
	rows := []row{base, base}
	rows[0].ID, rows[0].Theirs, rows[0].MaxRatio, rows[0].Target = "1a", "os/exec + CLONE_NEWUSER (floor)", 1.15, "≤ 1.15"
	rows[1].ID, rows[1].Theirs, rows[1].MaxRatio, rows[1].Below, rows[1].Target = "1b", "unshare -r", 1, true, "< 1"
	skip := func(why string) []row {
		for i := range rows {
			rows[i].Skipped = why
		}
		return rows
	}
	if err := goSpawn(uid, gid)(1); err != nil {
		return skip(fmt.Sprintf("user namespaces unavailable here: %v", err))
	}
	var sides []side
	ours, err := oursStartSingle(uid, gid)
	if err != nil {
		for i := range rows {
			rows[i].Skipped = "ours: " + err.Error()
		}
	} else {
		sides = append(sides, side{"userns", ours})
	}
	sides = append(sides, side{"os/exec", goSpawn(uid, gid)}, side{"fork+exec", plainSpawn})
	unshare, err := tool("unshare", cfg.install)
	if err != nil {
		rows[1].Skipped = join(rows[1].Skipped, err.Error())
	} else {
		sides = append(sides, side{"unshare -r", runTool(unshare, "-r", "/bin/true")})
	}
	s, err := interleave(cfg.rounds, cfg.startBatch, sides...)
	if err != nil {
		return skip(err.Error())
	}
	o := 0
	if ours != nil {
		o = 1
		for i := range rows {
			rows[i].setOurs(s[0])
		}
	}
	rows[0].setTheirs(s[o])
	if unshare != "" {
		rows[1].setTheirs(s[o+2])
	}
	for i := range rows {
		rows[i].Note = join(rows[i].Note, floorNote("os/exec of /bin/true without a namespace", s[o+1]))
	}
	return rows
}

// subRange returns the caller's first range in /etc/subuid (/etc/subgid
// when gids), as newuidmap will check it.
func subRange(gids bool) (start, count int, err error) {
	u, err := user.Current()
	if err != nil {
		return 0, 0, err
	}
	lookup, file := idmap.LookupSubUIDs, "/etc/subuid"
	if gids {
		lookup, file = idmap.LookupSubGIDs, "/etc/subgid"
	}
	subs, err := lookup(u.Username)
	if err != nil {
		return 0, 0, err
	}
	if len(subs) == 0 {
		return 0, 0, fmt.Errorf("no range for %s (uid %s) in %s: add one, e.g. usermod --add-subuids 100000-165535 --add-subgids 100000-165535 %s", u.Username, u.Uid, file, u.Username)
	}
	return int(subs[0].Start), int(subs[0].Count), nil
}

// startMulti compares a rootless start with the podman-style map
// (0 → the caller, 1… → its subordinate range), written by newuidmap
// and newgidmap. It must run as an ordinary user with /etc/subuid and
// /etc/subgid entries.
func startMulti(cfg config) row {
	uid, gid := os.Geteuid(), os.Getegid()
	r := row{
		ID: "2", Ours: "userns via newuidmap/newgidmap", Theirs: "unshare -r --map-users --map-groups",
		Rounds: cfg.rounds, Batch: cfg.startBatch, MaxRatio: 1, Below: true, Target: "< 1",
		OursAllocs: -1, TheirsAllocs: -1,
	}
	us, uc, err := subRange(false)
	if err != nil {
		r.Skipped = err.Error()
		return r
	}
	gs, gc, err := subRange(true)
	if err != nil {
		r.Skipped = err.Error()
		return r
	}
	r.What = fmt.Sprintf("start /bin/true, maps 0 %d 1 + 1 %d %d (as uid %d)", uid, us, uc, uid)
	for _, t := range []string{"newuidmap", "newgidmap"} {
		if _, err := tool(t, cfg.install); err != nil {
			r.Skipped = err.Error()
			return r
		}
	}
	unshare, err := tool("unshare", cfg.install)
	if err != nil {
		r.Skipped = err.Error()
		return r
	}
	// util-linux 2.38 takes outer,inner,count, and -r adds 0 <euid> 1.
	theirs := runTool(unshare, "-r",
		fmt.Sprintf("--map-users=%d,1,%d", us, uc), fmt.Sprintf("--map-groups=%d,1,%d", gs, gc), "/bin/true")
	var sides []side
	ours, err := oursStartMulti(uid, gid, us, uc, gs, gc)
	if err != nil {
		r.Skipped = "ours: " + err.Error()
	} else {
		sides = append(sides, side{"userns", ours})
	}
	newuidmap, _ := tool("newuidmap", false)
	sides = append(sides, side{"self re-exec", selfExec}, side{"shell chain", shellChain}, side{"newuidmap exec", helperExec(newuidmap)}, side{"unshare", theirs})
	s, err := interleave(cfg.rounds, cfg.startBatch, sides...)
	if err != nil {
		r.Skipped = err.Error()
		return r
	}
	r.Note = join(floorNote("one exec of setuid newuidmap (usage only)", s[len(s)-2]),
		join(floorNote("sh, env -i, /bin/true (the shell stage's execs; userns uses them off linux/amd64, and its 392-byte ELF stage on it)", s[len(s)-3]),
			floorNote("re-exec of nrbench doing nothing (the Go stage's start)", s[len(s)-4])))
	last := s[len(s)-1]
	r.setTheirs(last)
	if ours != nil {
		r.setOurs(s[0])
	}
	return r
}
