//go:build linux

package userns

import (
	"os"
	"os/exec"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/nonroot-go/nonroot/internal/testenv"
)

// BenchmarkStart starts /bin/true and waits for it: plain exec.Command,
// Go's own SysProcAttr spawn with the map unshare -r writes, this
// package's fast path with the same map, its stage, and util-linux's
// unshare -r. Compare medians of -count 10 (see BENCHMARKS.md).
func BenchmarkStart(b *testing.B) {
	if err := testenv.ProbeUserNS(); err != nil {
		b.Skip(err)
	}
	run := func(b *testing.B, mk func() error) {
		b.ReportAllocs()
		for b.Loop() {
			if err := mk(); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("exec", func(b *testing.B) {
		run(b, func() error { return exec.Command("/bin/true").Run() })
	})
	b.Run("sysprocattr", func(b *testing.B) {
		run(b, sysProcAttrTrue)
	})
	b.Run("fastpath", func(b *testing.B) {
		run(b, func() error { return Command("/bin/true").Run() })
	})
	b.Run("stage", func(b *testing.B) {
		run(b, func() error { c := Command("/bin/true"); c.NoNewPrivs = true; return c.Run() })
	})
	if path, err := exec.LookPath("unshare"); err == nil {
		b.Run("unshare-r", func(b *testing.B) {
			run(b, func() error { return exec.Command(path, "-r", "/bin/true").Run() })
		})
	}
}

// BenchmarkStartNewuidmap starts /bin/true with the caller's subordinate
// ranges mapped (0 to the caller, 1..65536 to its /etc/subuid range):
// through this package's newuidmap path, and through util-linux's
// unshare --map-users, which runs the same helpers.
func BenchmarkStartNewuidmap(b *testing.B) {
	c := Command("/bin/true")
	c.SubIDs = true
	p, err := c.plan()
	if err == nil && p.path != pathNewuidmap {
		b.Skipf("the caller writes maps directly (path %v): run as an ordinary user with /etc/subuid ranges", p.path)
	}
	if err != nil {
		b.Skip(err)
	}
	r := p.uidMap.Ranges()[1]
	g := p.gidMap.Ranges()[1]
	b.Run("userns", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			c := Command("/bin/true")
			c.SubIDs = true
			if err := c.Run(); err != nil {
				b.Fatal(err)
			}
		}
	})
	// An identity other than the caller's own takes the Go stage.
	b.Run("userns-uid1000", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			c := Command("/bin/true")
			c.SubIDs = true
			c.UID, c.GID = 1000, 1000
			if err := c.Run(); err != nil {
				b.Fatal(err)
			}
		}
	})
	path, err := exec.LookPath("unshare")
	if err != nil {
		return
	}
	// util-linux 2.38 takes outer,inner,count.
	users := "--map-users=" + itoa(r.HostID) + "," + itoa(r.ContainerID) + "," + itoa(r.Size)
	groups := "--map-groups=" + itoa(g.HostID) + "," + itoa(g.ContainerID) + "," + itoa(g.Size)
	b.Run("unshare-map-users", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if out, err := exec.Command(path, "--map-root-user", users, groups, "/bin/true").CombinedOutput(); err != nil {
				b.Fatalf("%v: %s", err, out)
			}
		}
	})
}

// sysProcAttrTrue starts /bin/true as Go alone would, with the map the
// fast path writes: the anchor of the fast path.
func sysProcAttrTrue() error {
	c := exec.Command("/bin/true")
	c.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags:  syscall.CLONE_NEWUSER,
		UidMappings: []syscall.SysProcIDMap{{HostID: os.Geteuid(), Size: 1}},
		GidMappings: []syscall.SysProcIDMap{{HostID: os.Getegid(), Size: 1}},
		Credential:  &syscall.Credential{NoSetGroups: true},
	}
	return c.Run()
}

func itoa(v uint32) string { return formatUint(uint64(v)) }

// BenchmarkPlan is what Start adds before the spawn on the fast path:
// validating the Cmd and choosing how to write the maps.
func BenchmarkPlan(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		c := Command("/bin/true")
		if _, err := c.plan(); err != nil {
			b.Fatal(err)
		}
	}
}

// paired runs a and b alternately, in swapped order every other round, so
// that both see the same load, and reports the ratio of the medians of
// their times as name (a/b).
func paired(bm *testing.B, name string, a, b func() error) {
	var ta, tb []time.Duration
	timed := func(f func() error, into *[]time.Duration) {
		t0 := time.Now()
		if err := f(); err != nil {
			bm.Fatal(err)
		}
		*into = append(*into, time.Since(t0))
	}
	i := 0
	for bm.Loop() {
		if i%2 == 0 {
			timed(a, &ta)
			timed(b, &tb)
		} else {
			timed(b, &tb)
			timed(a, &ta)
		}
		i++
	}
	ma, mb := median(ta), median(tb)
	bm.ReportMetric(float64(ma.Microseconds())/1000, "a-ms")
	bm.ReportMetric(float64(mb.Microseconds())/1000, "b-ms")
	bm.ReportMetric(float64(ma)/float64(mb), name)
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}

// BenchmarkPaired compares, round by round under the same load, the fast
// path with Go's own SysProcAttr spawn of the same map (target: at most
// 1.15) and with unshare -r, and, where the caller takes the newuidmap
// path, that path with util-linux's unshare --map-users (target: below 1)
// and its ELF stage with its shell stage.
func BenchmarkPaired(b *testing.B) {
	if err := testenv.ProbeUserNS(); err != nil {
		b.Skip(err)
	}
	fast := func() error { return Command("/bin/true").Run() }
	b.Run("fastpath-vs-sysprocattr", func(b *testing.B) { paired(b, "fast/sysprocattr", fast, sysProcAttrTrue) })
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		return
	}
	b.Run("fastpath-vs-unshare-r", func(b *testing.B) {
		paired(b, "fast/unshare-r", fast, func() error { return exec.Command(unshare, "-r", "/bin/true").Run() })
	})
	c := Command("/bin/true")
	c.SubIDs = true
	if p, err := c.plan(); err != nil || p.path != pathNewuidmap {
		return
	}
	m, g, _ := c.maps()
	r, gr := m.Ranges()[1], g.Ranges()[1]
	users := "--map-users=" + itoa(r.HostID) + "," + itoa(r.ContainerID) + "," + itoa(r.Size)
	groups := "--map-groups=" + itoa(gr.HostID) + "," + itoa(gr.ContainerID) + "," + itoa(gr.Size)
	b.Run("newuidmap-vs-unshare-map-users", func(b *testing.B) {
		paired(b, "newuidmap/unshare", func() error {
			c := Command("/bin/true")
			c.SubIDs = true
			return c.Run()
		}, func() error { return exec.Command(unshare, "--map-root-user", users, groups, "/bin/true").Run() })
	})
	if _, err := elfStage(); err != nil {
		return
	}
	b.Run("elfstage-vs-shellstage", func(b *testing.B) {
		defer forceShellStage.Store(false)
		run := func(shell bool) func() error {
			return func() error {
				forceShellStage.Store(shell)
				c := Command("/bin/true")
				c.SubIDs = true
				return c.Run()
			}
		}
		paired(b, "elf/shell", run(false), run(true))
	})
}
