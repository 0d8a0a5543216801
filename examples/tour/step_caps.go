//go:build linux

package main

import (
	"fmt"
	"os"
	"strings"
	"syscall"

	"github.com/nonroot-go/nonroot/caps"
	"github.com/nonroot-go/nonroot/idmap"
	"github.com/nonroot-go/nonroot/userns"
)

// stepCaps: what root in a namespace holds, and over what.
func stepCaps(e *env, s *Step) {
	s.Title = "Capabilities: what root in a namespace holds, and over what"
	wouldShow := "root of a namespace, holding every capability, refused the host's hostname and an unmapped owner's file, allowed the hostname of a UTS namespace of its own; and with docker's 14 default capabilities, refused even that"
	if !e.caller.CanCreateNS {
		s.skip("this caller cannot create user namespaces: "+e.caller.UserNSError, wouldShow,
			"allow user namespaces (sysctl -w user.max_user_namespaces=15000), or "+asRoot)
		return
	}
	m := idmap.Map{}
	mapText := "0 <caller's uid> 1"
	if e.caller.HostRoot {
		m, mapText = containerMap, "0 2000 1000"
	}
	target, control, why := unmappedFile(e, m)
	hostname, err := os.Hostname()
	if err != nil {
		s.fail("reading the hostname: %v", err)
		return
	}
	s.Setup = fmt.Sprintf("children in a namespace mapped %q, as uid 0 inside: (a) calls sethostname(%q), the host's own name, and opens %s for reading; (b) the same in a new UTS namespace too, setting the name \"tour-container\"; (c) as (b) but started with docker's default capabilities (userns.Cmd.Caps = caps.DockerDefault)", mapText, hostname, target)
	s.Expect = "(a) has every capability, yet sethostname fails with EPERM (the host's UTS namespace belongs to the host's user namespace) and the open with EACCES (its owner is not mapped); (b) sets its own hostname; (c) holds the 14 capabilities, mask 0xa80425fb, without CAP_SYS_ADMIN, so even its own hostname is refused with EPERM"

	// (a) the host's objects
	a := userns.Command("/proc/self/exe", selfArgs("probe", "-sethostname", hostname, "-read", target, "-control", control)...)
	a.UIDMap, a.GIDMap = m, m
	var ra probeReport
	if !runProbe(s, "(a)", a, &ra) {
		return
	}
	s.see("(a) uid %d inside with %s: sethostname(%q): %s; open %s: %s; open %s, the control: %s", ra.UID, capsWord(ra.CapEff), hostname, ra.Sethostname, target, ra.Read, control, ra.Control)
	s.check(ra.CapEff == caps.Supported(), "(a) holds %s, not every capability", ra.CapEff.Mask())
	s.check(isErrno(ra.Sethostname, syscall.EPERM), "(a) setting the host's hostname gave %s, not EPERM", ra.Sethostname)
	if why != "" {
		s.see("(a) the open of %s is not judged: %s", target, why)
	} else {
		s.check(isErrno(ra.Read, syscall.EACCES), "(a) opening %s gave %s, not EACCES", target, ra.Read)
		s.check(ra.Control == "ok", "(a) could not read the control %s either (%s), so the EACCES proves nothing", control, ra.Control)
	}

	// (b) its own UTS namespace
	b := userns.Command("/proc/self/exe", selfArgs("probe", "-sethostname", "tour-container")...)
	b.UIDMap, b.GIDMap = m, m
	b.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWUTS}
	var rb probeReport
	if !runProbe(s, "(b)", b, &rb) {
		return
	}
	s.see("(b) in its own UTS namespace: sethostname(\"tour-container\"): %s", rb.Sethostname)
	s.check(rb.Sethostname == "ok", "(b) setting the hostname of its own UTS namespace gave %s", rb.Sethostname)

	// (c) docker's default set
	c := userns.Command("/proc/self/exe", selfArgs("probe", "-sethostname", "tour-container")...)
	c.UIDMap, c.GIDMap = m, m
	c.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWUTS}
	c.Caps = &userns.Capabilities{Bounding: caps.DockerDefault, Effective: caps.DockerDefault}
	var rc probeReport
	if !runProbe(s, "(c)", c, &rc) {
		return
	}
	s.see("(c) with docker's defaults: effective %s (%s), bounding %s; sethostname(\"tour-container\"): %s", rc.CapEff.Mask(), strings.ReplaceAll(rc.CapEff.Format(caps.Docker), ",", ", "), rc.CapBnd.Mask(), rc.Sethostname)
	s.check(rc.CapEff == caps.DockerDefault, "(c) holds %s, not docker's %s", rc.CapEff.Mask(), caps.DockerDefault.Mask())
	s.check(rc.CapBnd == caps.DockerDefault, "(c) has the bounding set %s, not docker's %s", rc.CapBnd.Mask(), caps.DockerDefault.Mask())
	s.check(isErrno(rc.Sethostname, syscall.EPERM), "(c) without CAP_SYS_ADMIN, setting its own hostname gave %s, not EPERM", rc.Sethostname)
	s.Why = "a namespace's capabilities reach only what the namespace owns; dropping to docker's set removes even some of those"
}

// runProbe runs a probing child to completion; false means the step
// cannot go on.
func runProbe(s *Step, label string, c *userns.Cmd, r *probeReport) bool {
	h, err := startHeld(c.Cmd, c.Start, r)
	if err != nil {
		s.fail("%s starting the child: %v", label, err)
		return false
	}
	if err := h.release(); err != nil {
		s.fail("%s the child: %v", label, err)
	}
	return true
}

// unmappedFile picks a file whose owner the map m leaves out: the
// stand-in shadow when host root made it, else the real /etc/shadow,
// which the child only opens for reading. why is non-empty when neither
// qualifies, and the read is then not judged.
func unmappedFile(e *env, m idmap.Map) (name, control, why string) {
	if e.fix.RootOwned {
		return e.fix.Shadow, e.fix.Passwd, ""
	}
	var st syscall.Stat_t
	if err := syscall.Stat("/etc/shadow", &st); err != nil {
		return e.fix.Shadow, e.fix.Passwd, "no /etc/shadow: " + err.Error()
	}
	owner := st.Uid
	mapped := false
	if m.IsZero() {
		mapped = int(owner) == e.caller.UID
	} else {
		_, mapped = m.ToContainer(owner)
	}
	if mapped {
		return "/etc/shadow", "/etc/passwd", fmt.Sprintf("its owner, uid %d here, is the caller's own uid, which the child's namespace maps to its 0", owner)
	}
	return "/etc/shadow", "/etc/passwd", ""
}
