//go:build linux

package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/nonroot-go/nonroot/idmap"
	"github.com/nonroot-go/nonroot/userns"
)

// nestReport is what the outer child of step 5 reports.
type nestReport struct {
	OuterPID int         `json:"outer_pid"`
	Inner    probeReport `json:"inner"`
	Err      string      `json:"err,omitempty"`
}

// stepNested: a namespace inside the namespace.
func stepNested(e *env, s *Step) {
	s.Title = "Namespaces nest"
	// Host root shows the wide maps; anyone else nests single-ID maps,
	// which any user may write.
	outer, inner := containerMap, idmap.MustNew(idmap.Range{ContainerID: 0, HostID: 100, Size: 10})
	wide := e.caller.HostRoot
	if !wide {
		outer, inner = idmap.Map{}, idmap.Map{}
	}
	if !e.caller.CanCreateNS {
		s.skip("this caller cannot create user namespaces: "+e.caller.UserNSError,
			"a namespace inside a namespace, and the composed map taking the inner IDs straight to the host",
			"allow user namespaces (sysctl -w user.max_user_namespaces=15000), or "+asRoot)
		return
	}
	innerText := "0:100:10"
	if wide {
		s.Setup = fmt.Sprintf("a child in a namespace mapped %q (as in step 4) starts, as root of that namespace, a grandchild in a namespace of its own mapped %q (0:100:10, IDs of the middle namespace)", mapText(outer), mapText(inner))
	} else {
		innerText = ""
		s.Setup = "a child in a namespace mapping 0 to the caller's uid starts, as root of that namespace, a grandchild in a namespace of its own mapping 0 to the middle namespace's 0 (single-ID maps, which any user may write; as host root the tour nests 0:2000:1000 and 0:100:10)"
	}
	s.Expect = "the kernel keeps each map relative to its parent; read from here, the grandchild's /proc/PID/uid_map is the inner map composed with the outer one (idmap.Map.Compose), and its uid here is that composition applied to 0"
	c := userns.Command("/proc/self/exe", selfArgs("nest", "-uidmap", innerText)...)
	c.UIDMap, c.GIDMap = outer, outer
	var r nestReport
	h, err := startHeld(c.Cmd, c.Start, &r)
	if err != nil {
		s.fail("starting the outer child: %v", err)
		return
	}
	defer func() {
		if err := h.release(); err != nil {
			s.fail("the outer child: %v", err)
		}
	}()
	if r.Err != "" {
		s.fail("the outer child could not start the inner one: %s", r.Err)
		return
	}
	outerSeen, err := idmap.ReadUIDMap(r.OuterPID)
	if err != nil {
		s.fail("reading the outer child's uid_map: %v", err)
		return
	}
	innerSeen, err := idmap.ReadUIDMap(r.Inner.PID)
	if err != nil {
		s.fail("reading the inner child's uid_map: %v", err)
		return
	}
	innerUID, uerr := realUID(r.Inner.PID)
	innerOwn, perr := idmap.ParseProc(r.Inner.UIDMap)
	s.see("outer child (pid %d): uid_map read from here %q", r.OuterPID, mapText(outerSeen))
	s.see("inner child (pid %d): uid %d inside, its own /proc/self/uid_map %q (relative to the middle namespace)", r.Inner.PID, r.Inner.UID, r.Inner.UIDMap)
	s.see("inner child read from here: uid_map %q, real uid %d", mapText(innerSeen), innerUID)
	if perr != nil {
		s.fail("parsing the inner child's own uid_map: %v", perr)
		return
	}
	composed, err := innerOwn.Compose(outerSeen)
	if err != nil {
		s.fail("composing %q with %q: %v", mapText(innerOwn), mapText(outerSeen), err)
		return
	}
	want, _ := composed.ToHost(0)
	s.see("idmap: %q composed with %q is %q, which takes inner uid 0 to %d", mapText(innerOwn), mapText(outerSeen), mapText(composed), want)
	s.check(composed.Equivalent(innerSeen), "the kernel shows the inner map as %q here, but the composition is %q", mapText(innerSeen), mapText(composed))
	s.check(uerr == nil && uint32(innerUID) == want, "the inner child's uid here is %d (%v), not %d", innerUID, uerr, want)
	if wide {
		s.check(want == 2100, "inner uid 0 is host uid %d, not 2000+100", want)
	}
	s.Why = "every level maps into the one above; composing the maps gives what the host sees, which is how a runtime inside a container (rootless podman in a pod) knows whose files it touches"
}

// nest is the outer child of step 5: it starts the inner child in a
// namespace of its own and reports both.
func nest(args []string) int {
	fs := flag.NewFlagSet("nest", flag.ContinueOnError)
	uidmap := fs.String("uidmap", "", "the inner namespace's map, podman's container:host:size; empty maps 0 to 0")
	if fs.Parse(args) != nil {
		return 2
	}
	r := nestReport{OuterPID: os.Getpid()}
	m, err := idmap.ParsePodman(*uidmap)
	if err != nil {
		r.Err = err.Error()
		return report(r, false)
	}
	c := userns.Command("/proc/self/exe", selfArgs("probe", "-hold")...)
	c.UIDMap, c.GIDMap = m, m
	h, err := startHeld(c.Cmd, c.Start, &r.Inner)
	if err != nil {
		r.Err = err.Error()
		return report(r, false)
	}
	code := report(r, true)
	if err := h.release(); err != nil && code == 0 {
		fmt.Fprintln(os.Stderr, "inner child:", err)
		code = 1
	}
	return code
}

// report writes a child's report and, with hold, waits for stdin to close.
func report(v any, hold bool) int {
	if err := jsonLine(v); err != nil {
		return 1
	}
	if hold {
		waitForEOF()
	}
	return 0
}
