//go:build linux

package main

import (
	"fmt"
	"os"
	"syscall"
)

// stepRoot: root without a user namespace writes to root's files.
func stepRoot(e *env, s *Step) {
	s.Title = "Root without a user namespace: the danger"
	s.Setup = fmt.Sprintf("a child runs as host uid 0 with no user namespace, as a container does without -u and without userns-remap, and opens %s (owner 0:0, mode 0000) to append a line", e.fix.Shadow)
	s.Expect = "the append succeeds: uid 0 of the initial user namespace holds CAP_DAC_OVERRIDE over every file of the host, whatever its mode"
	if !e.fix.RootOwned {
		s.skip("this step needs root of the initial user namespace: "+e.fix.Why,
			"a child as host root appending to a root-owned file of mode 0000: it succeeds, as it would on the real /etc/shadow", asRoot)
		return
	}
	before := size(e.fix.Shadow)
	var r probeReport
	h, err := startHeld(self("probe", "-append", e.fix.Shadow), nil, &r)
	if err != nil {
		s.fail("starting the child: %v", err)
		return
	}
	uid, uerr := realUID(h.pid())
	if err := h.release(); err != nil {
		s.fail("the child: %v", err)
	}
	s.see("the child reports uid %d, %s", r.UID, capsWord(r.CapEff))
	if uerr == nil {
		s.see("the host's /proc/%d/status says real uid %d", r.PID, uid)
	}
	s.see("append: %s; the file grew from %d to %d bytes", r.Append, before, size(e.fix.Shadow))
	s.check(r.Append == "ok", "the append as host root failed: %s", r.Append)
	s.Why = "host root wrote to a file nobody may open: in a container without a user namespace, every root-owned file that reaches it is exposed the same way"
}

// stepUID: remedy one, an ordinary uid.
func stepUID(e *env, s *Step) {
	s.Title = "Remedy one, an ordinary uid (docker run -u 6667:6667)"
	s.Setup = fmt.Sprintf("a child runs as host uid 6667, gid 6667, no supplementary groups, no user namespace, and opens %s for appending", e.fix.Shadow)
	s.Expect = "the open fails with EACCES: uid 6667 has no capabilities and the file's mode grants it nothing"
	if !e.fix.RootOwned {
		s.skip("this step needs root of the initial user namespace: "+e.fix.Why,
			"a child as uid 6667 appending to the root-owned file: EACCES", asRoot)
		return
	}
	cmd := self("probe", "-append", e.fix.Shadow, "-control", e.fix.Passwd)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 6667, Gid: 6667, Groups: []uint32{}}}
	var r probeReport
	h, err := startHeld(cmd, nil, &r)
	if err != nil {
		if lacksPrivilege(err) {
			s.skip("starting a child as 6667:6667 failed: "+errnoText(err)+" (it needs CAP_SETUID and CAP_SETGID)",
				"a child as uid 6667 appending to the root-owned file: EACCES", asRoot)
			return
		}
		s.fail("starting the child as 6667:6667: %v", err)
		return
	}
	uid, uerr := realUID(h.pid())
	if err := h.release(); err != nil {
		s.fail("the child: %v", err)
	}
	s.see("the child reports uid %d, gid %d, %s", r.UID, r.GID, capsWord(r.CapEff))
	if uerr == nil {
		s.see("the host's /proc/%d/status says real uid %d", r.PID, uid)
	}
	s.see("append to shadow: %s; read of passwd, the control: %s", r.Append, r.Control)
	s.check(r.UID == 6667, "the child runs as uid %d, not 6667", r.UID)
	s.check(r.Control == "ok", "the child could not read the control file either (%s): the directory is out of its reach, so the EACCES proves nothing", r.Control)
	s.check(isErrno(r.Append, syscall.EACCES), "the append as uid 6667 gave %s, not EACCES", r.Append)
	s.Why = "an ordinary uid cannot touch root's files; step 3 shows what it costs"
}

func size(name string) int64 {
	fi, err := os.Stat(name)
	if err != nil {
		return -1
	}
	return fi.Size()
}
