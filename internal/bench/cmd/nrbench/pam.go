//go:build linux

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/nonroot-go/nonroot/limits"
)

const (
	pamUsers  = 1000
	pamGroups = 50
	pamFiles  = 10 // limits.d files of pamLines/pamFiles rules each
	pamLines  = 1000
	pamUID0   = 20000
)

// pamTree writes a system root holding pamUsers users in /etc/passwd,
// pamGroups groups in /etc/group (every user also a member of a second
// one) and a limits.d tree of pamLines rules in pamFiles files that mixes
// every domain class pam_limits knows: user names, uid ranges, @group,
// @:gid, "*", "-" lines and an exemption.
func pamTree(root string) error {
	var passwd, group strings.Builder
	passwd.WriteString("root:x:0:0:root:/root:/bin/sh\n")
	group.WriteString("root:x:0:\n")
	members := make([][]string, pamGroups)
	for i := range pamUsers {
		name := fmt.Sprintf("u%04d", i)
		fmt.Fprintf(&passwd, "%s:x:%d:%d::/home/%s:/bin/sh\n", name, pamUID0+i, pamUID0+i%pamGroups, name)
		members[(i*7)%pamGroups] = append(members[(i*7)%pamGroups], name)
	}
	for g := range pamGroups {
		fmt.Fprintf(&group, "g%02d:x:%d:%s\n", g, pamUID0+g, strings.Join(members[g], ","))
	}
	sec := filepath.Join(root, "etc", "security")
	if err := os.MkdirAll(filepath.Join(sec, "limits.d"), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(root, "etc", "passwd"), []byte(passwd.String()), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(root, "etc", "group"), []byte(group.String()), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(sec, "limits.conf"), []byte("# see limits.d\n"), 0o644); err != nil {
		return err
	}
	items := []string{"nofile", "nproc", "core", "stack", "memlock", "fsize", "cpu", "as", "rtprio", "nice"}
	k := 0
	for f := range pamFiles {
		var b strings.Builder
		fmt.Fprintf(&b, "# file %d of the benchmark tree\n", f)
		for range pamLines / pamFiles {
			item, v := items[k%len(items)], 100+k
			if item == "nice" {
				v = k % 20
			}
			u := fmt.Sprintf("u%04d", (k*37)%pamUsers)
			switch k % 10 {
			case 0:
				fmt.Fprintf(&b, "*\tsoft\t%s\t%d\n", item, v)
			case 1, 2, 3, 4:
				fmt.Fprintf(&b, "%s\t%s\t%s\t%d\n", u, []string{"soft", "hard"}[k%2], item, v)
			case 5, 6:
				fmt.Fprintf(&b, "@g%02d\thard\t%s\t%d\n", k%pamGroups, item, v+1000)
			case 7:
				lo := pamUID0 + (k*13)%pamUsers
				fmt.Fprintf(&b, "%d:%d\tsoft\t%s\t%d\n", lo, lo+50, item, v)
			case 8:
				fmt.Fprintf(&b, "%s\t-\t%s\tunlimited\n", u, item)
			case 9:
				if k == 999 {
					fmt.Fprintf(&b, "%s\t-\n", u) // one exemption
				} else {
					fmt.Fprintf(&b, "@:%d\tsoft\t%s\t%d\n", pamUID0+k%pamGroups, item, v)
				}
			}
			k++
		}
		if err := os.WriteFile(filepath.Join(sec, "limits.d", fmt.Sprintf("%02d-bench.conf", f*10)), []byte(b.String()), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// pam resolves pam_limits for every user of a large tree: loading and
// parsing the tree, then resolving each user, as a node agent that
// reports every account's limits would. No other tool or library does
// this outside a login, so the row has our figure only.
func pam(cfg config) row {
	r := row{
		ID: "6", What: fmt.Sprintf("load a %d-line limits.d tree, resolve pam_limits (Debian) for %d users", pamLines, pamUsers),
		Ours: "limits.Load + Config.ResolveWith", Theirs: "(no peer outside a PAM login)", NoPeer: true,
		Rounds: cfg.rounds, Batch: 1, OursAllocs: -1, TheirsAllocs: -1,
	}
	root, err := os.MkdirTemp("", "nrbench-pam")
	if err != nil {
		r.Skipped = err.Error()
		return r
	}
	defer os.RemoveAll(root)
	if err := pamTree(root); err != nil {
		r.Skipped = "writing the tree: " + err.Error()
		return r
	}
	users := make([]limits.User, pamUsers)
	for i := range users {
		if users[i], err = limits.LookupUser(root, fmt.Sprintf("u%04d", i)); err != nil {
			r.Skipped = "limits.LookupUser: " + err.Error()
			return r
		}
	}
	start, _ := limits.SystemStart() // what it could not read stays as Start documents
	conf, warns, err := limits.Load(root)
	switch {
	case err != nil:
		r.Skipped = "limits.Load: " + err.Error()
		return r
	case len(warns) > 0:
		r.Skipped = fmt.Sprintf("the tree is not what pam_limits reads cleanly: %d warnings, first %v", len(warns), warns[0])
		return r
	case len(conf.Rules) != pamLines:
		r.Skipped = fmt.Sprintf("limits.Load read %d rules, want %d", len(conf.Rules), pamLines)
		return r
	}
	exempt := 0
	s, err := interleave(cfg.rounds, 1, side{"limits", func(n int) error {
		for range n {
			conf, _, err := limits.Load(root)
			if err != nil {
				return err
			}
			exempt = 0
			for _, u := range users {
				if res := conf.ResolveWith(u, limits.Debian, start); res.Exempt != nil {
					exempt++
				}
			}
		}
		return nil
	}})
	if err != nil {
		r.Skipped = err.Error()
		return r
	}
	if exempt != 1 {
		r.Skipped = fmt.Sprintf("%d users resolved as exempt, want the 1 the tree exempts", exempt)
		return r
	}
	r.setOurs(s[0])
	r.Note = fmt.Sprintf("%.1f µs per user, the tree's load included", r.OursNS/1e3/pamUsers)
	return r
}
