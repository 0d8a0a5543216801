//go:build linux

package userns

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/nonroot-go/nonroot/caps"
	"github.com/nonroot-go/nonroot/idmap"
	"github.com/nonroot-go/nonroot/internal/testenv"
)

// The capabilities a child actually holds, read from its /proc/PID/status
// while it runs, are exactly those asked for.
func TestIntegrationCapsExact(t *testing.T) {
	requireUserNS(t)
	checkCapsExact(t, func(t *testing.T, c *Cmd, uid uint32) {
		if uid != 0 {
			manyUIDs(t, c)
		}
	}, nil)
}

// The same through newuidmap with a map that leaves the caller's own uid
// and gid out ("0:100000:65536", as rootless podman users type it): the
// stage keeps its capabilities across its first execve in the ambient set.
func TestIntegrationNewuidmapWithoutOwnID(t *testing.T) {
	requireUserNS(t)
	m, g := subordinateOnly(t)
	checkCapsExact(t, func(t *testing.T, c *Cmd, uid uint32) {
		c.UIDMap, c.GIDMap = m, g
	}, nil)
	c := Command("/bin/sh", "-c", "id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map")
	c.UIDMap, c.GIDMap = m, g
	out, err := c.Output()
	if err != nil {
		t.Fatalf("Output: %v", err)
	}
	if want := "0\n0\n" + indent(m.String()) + indent(g.String()); string(out) != want {
		t.Errorf("child says\n%s\nwant\n%s", out, want)
	}
}

// Maps written directly that leave uid 0 out: the stage has no root to
// start as and carries the namespace's capabilities in the ambient set.
func TestIntegrationCapsWithoutRoot(t *testing.T) {
	requireUserNS(t)
	testenv.Require(t, testenv.MultiMap, testenv.ProbeMultiMap())
	m := idmap.MustNew(idmap.Range{ContainerID: 1000, HostID: 100000, Size: 1000})
	checkCapsExact(t, func(t *testing.T, c *Cmd, uid uint32) {
		c.UIDMap, c.GIDMap = m, m
	}, func(uid uint32) bool { return uid != 0 })
}

// subordinateOnly returns the caller's first /etc/subuid and /etc/subgid
// ranges mapped from 0, or skips where the caller does not take the
// newuidmap path with them.
func subordinateOnly(t *testing.T) (uid, gid idmap.Map) {
	t.Helper()
	p := requireNewuidmapPath(t, Command("/bin/true"))
	r, gr := p.uidMap.Ranges()[1], p.gidMap.Ranges()[1]
	r.ContainerID, gr.ContainerID = 0, 0
	return idmap.MustNew(r), idmap.MustNew(gr)
}

// checkCapsExact starts a command for each row of its table whose uid
// only (nil: all) accepts, with the map setup gives it, and compares the
// sets /proc/PID/status shows with the row's.
func checkCapsExact(t *testing.T, setup func(t *testing.T, c *Cmd, uid uint32), only func(uid uint32) bool) {
	all := allCaps()
	const docker = caps.DockerDefault
	const netBind, chown = caps.Set(1 << 10), caps.Set(1 << 0)
	type want struct{ bnd, eff, inh, amb caps.Set }
	for _, tc := range []struct {
		name string
		uid  uint32
		caps *Capabilities
		want want
	}{
		{"root default", 0, nil, want{all, all, 0, 0}},
		{"root docker default", 0, &Capabilities{Bounding: docker, Effective: docker}, want{docker, docker, 0, 0}},
		{"root one cap via noroot", 0, &Capabilities{Bounding: all, Effective: netBind, Inheritable: netBind, Ambient: netBind}, want{all, netBind, netBind, 0 | netBind}},
		{"root docker plus inheritable", 0, &Capabilities{Bounding: docker, Effective: docker, Inheritable: chown}, want{docker, docker, chown, 0}},
		{"uid 1000 default", 1000, nil, want{all, 0, 0, 0}},
		{"uid 1000 ambient", 1000, &Capabilities{Bounding: docker, Effective: netBind | chown, Inheritable: netBind | chown, Ambient: netBind | chown}, want{docker, netBind | chown, netBind | chown, netBind | chown}},
		{"uid 1000 bounding only", 1000, &Capabilities{Bounding: docker}, want{docker, 0, 0, 0}},
	} {
		if only != nil && !only(tc.uid) {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			c := Command("/bin/sleep", "60")
			setup(t, c, tc.uid)
			c.UID, c.GID = tc.uid, tc.uid
			c.Caps = tc.caps
			if err := c.Start(); err != nil {
				t.Fatalf("Start: %v", err)
			}
			defer func() { _ = c.Process.Kill(); _ = c.Wait() }()
			st, err := readStatus(c.Process.Pid)
			if err != nil {
				t.Fatal(err)
			}
			check := func(field string, w caps.Set) {
				got, err := strconv.ParseUint(st[field], 16, 64)
				if err != nil || caps.Set(got) != w {
					t.Errorf("%s = %s, want %016x (path %v)", field, st[field], uint64(w), c.how)
				}
			}
			check("CapBnd", tc.want.bnd)
			check("CapEff", tc.want.eff)
			check("CapPrm", tc.want.eff)
			check("CapInh", tc.want.inh)
			check("CapAmb", tc.want.amb)
			// Uid is shown in the reader's namespace: host IDs here, all
			// four (real, effective, saved, fs) the same.
			m, _, err := c.maps()
			if err != nil {
				t.Fatal(err)
			}
			host, _ := m.ToHost(tc.uid)
			if f, w := strings.Fields(st["Uid"]), strings.Repeat(fmt.Sprint(host)+" ", 4); strings.Join(f, " ")+" " != w {
				t.Errorf("Uid line %q, want host uid %d four times", st["Uid"], host)
			}
		})
	}
}

func TestNewuidmapPath(t *testing.T) {
	c := Command("/bin/sh", "-c", "id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map")
	requireNewuidmapPath(t, c)
	out, err := c.Output()
	if err != nil {
		t.Fatalf("Output: %v", err)
	}
	m, _, _ := c.maps()
	g := m
	_, g, _ = c.maps()
	want := "0\n0\n" + indent(m.String()) + indent(g.String())
	if string(out) != want {
		t.Errorf("child says\n%s\nwant\n%s", out, want)
	}
	// A non-root identity takes the Go stage.
	c = Command("/bin/sh", "-c", "id -u; id -g")
	c.SubIDs, c.UID, c.GID = true, 1000, 1000
	if out, err = c.Output(); err != nil || string(out) != "1000\n1000\n" {
		t.Errorf("as 1000:1000: %q, %v", out, err)
	}
}

// indent formats a map as /proc shows it: columns of width 10.
func indent(s string) string {
	var out string
	m, err := idmap.ParseProc(s)
	if err != nil {
		return err.Error()
	}
	for _, r := range m.Ranges() {
		out += fmt.Sprintf("%10d %10d %10d\n", r.ContainerID, r.HostID, r.Size)
	}
	return out
}

func TestNoSubIDs(t *testing.T) {
	requireUserNS(t)
	c := Command("/bin/true")
	c.UIDMap = mustSpec(t, fmt.Sprintf("0:%d:1,1:5000000:10", os.Geteuid()))
	_, err := c.plan()
	if !errorsIs(err, ErrNoSubIDs) {
		testenv.Require(t, featureNewuidmapPath, fmt.Errorf("the caller does not take the newuidmap path (plan: %v)", err))
	}
	for _, s := range []string{"/etc/subuid", "5000000-5000009", currentCaller().String(), "usermod --add-subuids"} {
		if !contains(err.Error(), s) {
			t.Errorf("error %q does not name %q", err, s)
		}
	}
	if !errorsIs(err, os.ErrPermission) {
		t.Errorf("error %v does not answer os.ErrPermission", err)
	}
}

func mustSpec(t *testing.T, s string) (m mapT) {
	t.Helper()
	m, err := parseSpec(s)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
