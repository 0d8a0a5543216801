//go:build linux

package main

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"strconv"
	"strings"
	"syscall"

	"github.com/nonroot-go/nonroot/idmap"
	"github.com/nonroot-go/nonroot/userns"
)

// stepExport carries a step's findings from a child that ran it under
// another uid back to the tour.
type stepExport struct {
	Observed       []string `json:"observed"`
	NotRun         []string `json:"not_run"`
	Contradictions []string `json:"contradictions"`
	Errors         []string `json:"errors"`
}

func (s *Step) export() stepExport {
	return stepExport{s.Observed, s.NotRun, s.contradictions, s.errs}
}

func (s *Step) merge(x stepExport) {
	s.Observed = append(s.Observed, x.Observed...)
	s.NotRun = append(s.NotRun, x.NotRun...)
	s.contradictions = append(s.contradictions, x.Contradictions...)
	s.errs = append(s.errs, x.Errors...)
}

// stepRootless: remedy three, an ordinary user makes the namespace.
func stepRootless(e *env, s *Step) {
	s.Title = "Remedy three, rootless"
	s.Setup = "an ordinary user starts a child as \"root\" in a namespace of its own (the single map 0 <its uid> 1, which it may write alone), then, through newuidmap and newgidmap, a child whose map adds the user's 65536-wide range from /etc/subuid, running as uid 1000 inside"
	s.Expect = "the first child is uid 0 with every capability inside and the user's own uid on the host; the second is uid 1000 inside and, on the host, the subordinate uid that the map gives 1000"
	wouldShow := "a \"root\" child whose host uid is the user's own, and a child with the user's full subordinate range"
	switch {
	case e.caller.HostRoot:
		name, uid, gid, err := rootlessUser()
		if err != nil {
			s.skip("as root the tour runs this step as an ordinary user with a 65536-wide range in /etc/subuid and /etc/subgid, and found none: "+err.Error(), wouldShow,
				"add such a user (Debian's useradd gives new users a range: useradd -m tourist), or run the tour as an ordinary user")
			return
		}
		s.Setup = fmt.Sprintf("the tour, being root, hands this step to %s (uid %d), an ordinary user with a range in /etc/subuid: ", name, uid) + strings.Replace(s.Setup, "an ordinary user starts", "it starts", 1)
		cmd := self("rootless")
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uid, Gid: gid, Groups: []uint32{}}}
		cmd.Env = append(os.Environ(), "USER="+name, "LOGNAME="+name)
		var x stepExport
		h, err := startHeld(cmd, nil, &x)
		if err != nil {
			s.fail("running the step as %s: %v", name, err)
			return
		}
		if err := h.release(); err != nil {
			s.fail("the child running as %s: %v", name, err)
		}
		s.merge(x)
	case !e.caller.CanCreateNS:
		s.skip("this caller cannot create user namespaces: "+e.caller.UserNSError, wouldShow,
			"allow unprivileged user namespaces (sysctl -w user.max_user_namespaces=15000; on Ubuntu sysctl -w kernel.apparmor_restrict_unprivileged_userns=0)")
		return
	default:
		rootless(s)
	}
	s.Why = "an ordinary user gets a container root without any host privilege: root inside is only the user outside"
}

// rootless runs step 6's experiments as the calling user.
func rootless(s *Step) {
	me := os.Getuid()
	c := userns.Command("/proc/self/exe", selfArgs("probe", "-hold")...)
	var r probeReport
	h, err := startHeld(c.Cmd, c.Start, &r)
	if err != nil {
		if lacksPrivilege(err) {
			s.notRun("a child in a namespace of the user's own", err.Error(),
				"allow unprivileged user namespaces: sysctl -w user.max_user_namespaces=15000 (on Ubuntu also kernel.apparmor_restrict_unprivileged_userns=0)")
			return
		}
		s.fail("starting the child with the single map: %v", err)
		return
	}
	hostUID, uerr := realUID(h.pid())
	if err := h.release(); err != nil {
		s.fail("the child: %v", err)
	}
	s.see("the caller is uid %d; its child: uid %d inside with %s, uid_map %q; seen from the caller's side, real uid %d", me, r.UID, capsWord(r.CapEff), r.UIDMap, hostUID)
	s.check(r.UID == 0, "the child is uid %d inside, not 0", r.UID)
	s.check(uerr == nil && hostUID == me, "the child's uid outside is %d (%v), not the user's %d", hostUID, uerr, me)

	c = userns.Command("/proc/self/exe", selfArgs("probe", "-hold")...)
	c.SubIDs = true
	c.UID, c.GID = 1000, 1000
	h, err = startHeld(c.Cmd, c.Start, &r)
	if err != nil {
		how := "apt-get install uidmap; usermod --add-subuids 100000-165535 --add-subgids 100000-165535 " + userName(me)
		switch {
		case errors.Is(err, userns.ErrNoHelper), errors.Is(err, userns.ErrNoSubIDs), errors.Is(err, idmap.ErrNoSubIDs), lacksPrivilege(err):
			if userns.RunningInUserNS() {
				how = "run the tour as an ordinary user outside any user namespace: newuidmap is setuid root, and host root is not mapped here"
			}
			s.notRun("a child with the subordinate range through newuidmap", err.Error(), how)
		default:
			s.fail("starting the child through newuidmap: %v", err)
		}
		return
	}
	m, merr := idmap.ReadUIDMap(h.pid())
	hostUID, uerr = realUID(h.pid())
	if err := h.release(); err != nil {
		s.fail("the child: %v", err)
	}
	if merr != nil {
		s.fail("reading the child's uid_map: %v", merr)
		return
	}
	want, ok := m.ToHost(1000)
	s.see("through newuidmap: uid_map read from the caller's side %q (%d IDs); the child is uid %d inside, uid %d outside", mapText(m), m.Size(), r.UID, hostUID)
	s.check(r.UID == 1000, "the child is uid %d inside, not 1000", r.UID)
	s.check(m.Size() >= 65537, "the map holds %d IDs, not the user's own plus a 65536-wide range", m.Size())
	s.check(ok && uerr == nil && uint32(hostUID) == want, "the child's uid outside is %d (%v), not %d as the map says", hostUID, uerr, want)
}

// rootlessUser picks an ordinary user with a 65536-wide range in both
// /etc/subuid and /etc/subgid, for root to run step 6 as.
func rootlessUser() (name string, uid, gid uint32, err error) {
	f, err := os.Open("/etc/subuid")
	if err != nil {
		return "", 0, 0, err
	}
	defer f.Close()
	entries, err := idmap.ParseSubIDs(f)
	if err != nil {
		return "", 0, 0, err
	}
	for _, e := range entries {
		if e.Count < 65536 {
			continue
		}
		u, err := user.Lookup(e.Owner)
		if err != nil {
			if u, err = user.LookupId(e.Owner); err != nil {
				continue
			}
		}
		id, _ := strconv.ParseUint(u.Uid, 10, 32)
		g, _ := strconv.ParseUint(u.Gid, 10, 32)
		if id == 0 {
			continue
		}
		gs, err := idmap.LookupSubGIDs(u.Username)
		if err != nil || !wide(gs) {
			continue
		}
		return u.Username, uint32(id), uint32(g), nil
	}
	return "", 0, 0, errors.New("no user other than root has one")
}

func wide(rs []idmap.SubIDRange) bool {
	for _, r := range rs {
		if r.Count >= 65536 {
			return true
		}
	}
	return false
}

func userName(uid int) string {
	if u, err := user.LookupId(strconv.Itoa(uid)); err == nil {
		return u.Username
	}
	return "$USER"
}
