//go:build linux

package userns

import (
	"os"
	"os/exec"
	"syscall"
	"testing"

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
		run(b, func() error {
			c := exec.Command("/bin/true")
			c.SysProcAttr = &syscall.SysProcAttr{
				Cloneflags:  syscall.CLONE_NEWUSER,
				UidMappings: []syscall.SysProcIDMap{{HostID: os.Geteuid(), Size: 1}},
				GidMappings: []syscall.SysProcIDMap{{HostID: os.Getegid(), Size: 1}},
				Credential:  &syscall.Credential{NoSetGroups: true},
			}
			return c.Run()
		})
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

func itoa(v uint32) string { return formatUint(uint64(v)) }
