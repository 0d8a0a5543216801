//go:build linux

package main

import (
	"fmt"
	"strconv"
	"strings"
	"syscall"

	"github.com/nonroot-go/nonroot/caps"
	"github.com/nonroot-go/nonroot/idmap"
	"github.com/nonroot-go/nonroot/limits"
	"github.com/nonroot-go/nonroot/userns"
)

// containerMap is the map of step 4: podman's --uidmap 0:2000:1000.
var containerMap = idmap.MustNew(idmap.Range{ContainerID: 0, HostID: 2000, Size: 1000})

// stepUserNS: remedy two, a user namespace with a map.
func stepUserNS(e *env, s *Step) {
	s.Title = "Remedy two, a user namespace mapped 0:2000:1000"
	s.Setup = fmt.Sprintf("a child starts in a new user namespace whose uid and gid maps are %q (podman --uidmap 0:2000:1000): uid 0 inside is uid 2000 on the host. It reports who it is and appends to %s; the host reads its /proc/PID/status meanwhile. Then step 3 again, with one user namespace per container, each made by this (root) process and mapping 0 to step 3's uid",
		mapText(containerMap), e.fix.Shadow)
	s.Expect = "inside, the child is uid 0 with every capability; on the host it is uid 2000; the append fails with EACCES, because its capabilities count only over what its namespace owns, and host root is not even mapped into it. Since Linux 5.14 the kernel counts RLIMIT_NPROC per user namespace, charging the parent level to the namespace's creator (root, who has no limit): every container starts all its processes"
	wouldShow := "uid 0 with all capabilities inside, uid 2000 in the host's /proc/PID/status, EACCES on the append; and containers of one host uid, each in a namespace of its own, all starting their processes where step 3's failed"
	if !e.fix.RootOwned {
		s.skip("writing the map 0 2000 1000 needs CAP_SETUID and CAP_SETGID over the initial user namespace, and the stand-in needs its root: "+e.fix.Why, wouldShow, asRoot)
		return
	}
	c := userns.Command("/proc/self/exe", selfArgs("probe", "-append", e.fix.Shadow, "-control", e.fix.Passwd, "-hold")...)
	c.UIDMap, c.GIDMap = containerMap, containerMap
	var r probeReport
	h, err := startHeld(c.Cmd, c.Start, &r)
	if err != nil {
		if lacksPrivilege(err) {
			s.skip("starting a child with the map 0 2000 1000 failed: "+err.Error(), wouldShow, asRoot)
			return
		}
		s.fail("starting the child: %v", err)
		return
	}
	hp, perr := caps.Of(h.pid())
	rep, ierr := userns.Inspect(h.pid())
	if err := h.release(); err != nil {
		s.fail("the child: %v", err)
	}
	s.see("inside: uid %d, gid %d, %s, /proc/self/uid_map %q", r.UID, r.GID, capsWord(r.CapEff), r.UIDMap)
	if perr != nil {
		s.fail("reading the child's /proc/%d/status: %v", h.pid(), perr)
		return
	}
	s.see("host's view of /proc/%d/status (caps.Of): real uid %d, gid %d, CapEff %s, effective over user namespace %s (%s the host's, depth %d, owned by uid %d)",
		hp.Pid, hp.Uid.Real, hp.Gid.Real, hp.Effective.Mask(), hp.Namespace.ID, hp.Namespace.Relation, hp.Namespace.Depth, hp.Namespace.Owner)
	if ierr == nil {
		s.see("host's view of its maps (userns.Inspect): uid_map %q, gid_map %q", mapText(rep.UIDMap), mapText(rep.GIDMap))
	}
	s.see("append to shadow: %s; read of passwd, the control: %s", r.Append, r.Control)
	s.check(r.Control == "ok", "the child could not read the control file either (%s): the directory is out of its reach, so the EACCES proves nothing", r.Control)
	s.check(r.UID == 0, "the child is uid %d inside, not 0", r.UID)
	s.check(r.CapEff == caps.Supported(), "the child's CapEff is %s, not the full set %s", r.CapEff.Mask(), caps.Supported().Mask())
	s.check(hp.Uid.Real == 2000, "the host sees the child as uid %d, not 2000", hp.Uid.Real)
	s.check(hp.Namespace.Depth == 1, "the child's capabilities belong to a namespace %s the host's (depth %d), not to a child of it", hp.Namespace.Relation, hp.Namespace.Depth)
	s.check(isErrno(r.Append, syscall.EACCES), "the append from uid 0 of the namespace gave %s, not EACCES", r.Append)

	perNamespaceNproc(e, s)
	s.Why = "root inside, an ordinary uid outside: the container has its root and the host keeps its own; and a namespace made by a privileged parent gives each container its own process count"
}

// perNamespaceNproc repeats step 3 with a user namespace per container,
// each made by this (privileged) process.
func perNamespaceNproc(e *env, s *Step) {
	uid := e.nprocUID
	if uid == 0 {
		uid, _ = freeUID()
	}
	one := idmap.MustNew(idmap.Range{ContainerID: 0, HostID: uid, Size: 1})
	var hs []*held
	defer func() {
		for _, h := range hs {
			_ = h.release()
		}
	}()
	all := true
	for i := range containers {
		c := userns.Command("/proc/self/exe", selfArgs("forkers", "-n", strconv.Itoa(perContainer))...)
		c.UIDMap, c.GIDMap = one, one
		c.Rlimits = map[limits.Resource]limits.Rlimit{limits.NPROC: {Soft: nprocLimit, Hard: nprocLimit}}
		c.Pdeathsig = syscall.SIGKILL
		var r forkersReport
		h, err := startHeld(c.Cmd, c.Start, &r)
		if err != nil {
			s.fail("starting container %d: %v", i+1, err)
			return
		}
		hs = append(hs, h)
		line := fmt.Sprintf("container %d (init pid %d, RLIMIT_NPROC %s): %d of %d processes started", i+1, r.PID, r.Limit, r.Result.Started, perContainer)
		if len(r.Result.Failed) > 0 {
			line += "; " + summarize(r.Result.Failed)
		}
		s.see("%s", line)
		all = all && r.Result.Started == perContainer
	}
	u, err := limits.CountTasks(uid)
	if err != nil {
		s.fail("counting the tasks of uid %d: %v", uid, err)
		return
	}
	s.see("with all running: %d tasks run as host uid %d, more than its limit of %d; %d of them are charged to uid %d's count on the host (limits.CountTasks)", u.Tasks, uid, nprocLimit, u.Charged, uid)
	s.check(all, "a container in its own namespace failed to start all its processes")
	s.check(u.Tasks > nprocLimit, "only %d tasks of uid %d ran; the experiment did not exceed the limit of %d", u.Tasks, uid, nprocLimit)
}

// capsWord describes a capability set briefly.
func capsWord(s caps.Set) string {
	all := caps.Supported()
	switch {
	case s == all:
		return fmt.Sprintf("all %d capabilities", all.Len())
	case s.IsEmpty():
		return "no capabilities"
	case s.Len() < all.Len() && all.Difference(s).Len() <= 3 && all.HasAll(s):
		return fmt.Sprintf("all %d capabilities but %s", all.Len(), all.Difference(s).Format(caps.Docker))
	case s.Len() <= 16:
		return fmt.Sprintf("%d capabilities: %s", s.Len(), strings.ReplaceAll(s.Format(caps.Docker), ",", ", "))
	}
	return fmt.Sprintf("%d capabilities, %s", s.Len(), s.Mask())
}
