package limits_test

import (
	"fmt"

	"github.com/nonroot-go/nonroot/limits"
)

// Resolve a limits.conf for a user given by hand, from fixed starting
// values, and ask where each half of a limit came from.
func ExampleConfig_ResolveWith() {
	conf, warns := limits.Parse("/etc/security/limits.conf", []byte(`
*       hard  nproc  4096
@build  soft  nproc  2048
ci      soft  fsize  100
*       -     fsize  200
ci      soft  nofile lots
`))
	for _, w := range warns {
		fmt.Println("warning:", w)
	}
	ci := limits.User{Name: "ci", UID: 2000, GID: 2000, Groups: []limits.Group{{Name: "build", GID: 2000}}}
	start := limits.Start{Caller: map[limits.Resource]limits.Rlimit{
		limits.NPROC: {Soft: 100, Hard: 8192},
		limits.FSIZE: {Soft: limits.Unlimited, Hard: limits.Unlimited},
	}}
	res := conf.ResolveWith(ci, limits.Upstream, start)
	for _, r := range []limits.Resource{limits.NPROC, limits.FSIZE} {
		it := res.Items[r]
		fmt.Printf("%s %v soft from %s, hard from %v\n", r, it.Rlimit, it.SoftRule.Pos(), it.Hard)
	}
	for _, s := range res.Skipped {
		fmt.Println("skipped", s.Rule.Pos()+":", s.Reason)
	}
	// Output:
	// warning: /etc/security/limits.conf:6: wrong value "lots" (want a number, unlimited, infinity or -1): "ci      soft  nofile lots"
	// nproc 2048:4096 soft from /etc/security/limits.conf:3, hard from rule
	// fsize 102400:unlimited soft from /etc/security/limits.conf:4, hard from caller
	// skipped /etc/security/limits.conf:5: the soft limit was set by a more specific line at /etc/security/limits.conf:4; pam_limits then leaves the hard half of this "-" line unapplied too
}

func ExampleParseResource() {
	for _, name := range []string{"nofile", "RLIMIT_NPROC", "LimitMEMLOCK", "Max open files"} {
		r, err := limits.ParseResource(name)
		fmt.Println(int(r), r, r.KernelName(), err)
	}
	// Output:
	// 7 nofile RLIMIT_NOFILE <nil>
	// 6 nproc RLIMIT_NPROC <nil>
	// 8 memlock RLIMIT_MEMLOCK <nil>
	// 7 nofile RLIMIT_NOFILE <nil>
}

func ExampleParseRlimit() {
	l, err := limits.ParseRlimit("1024:unlimited")
	fmt.Println(l.Soft, l.Hard == limits.Unlimited, l, err)
	_, err = limits.ParseRlimit("10:5")
	fmt.Println(err)
	// Output:
	// 1024 true 1024:unlimited <nil>
	// limits: parsing rlimit "10:5": soft limit above hard limit
}

func ExampleParseProcLimits() {
	m, err := limits.ParseProcLimits([]byte(`Limit                     Soft Limit           Hard Limit           Units     
Max processes             50                   60                   processes 
Max open files            1024                 unlimited            files     
`))
	fmt.Println(m[limits.NPROC], m[limits.NOFILE], err)
	// Output: 50:60 1024:unlimited <nil>
}

// How close is uid 1000 to its process limit? The headroom is what a new
// process of that uid would see in this user namespace.
func ExampleCountTasks() {
	use, err := limits.CountTasks(1000)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d tasks charged, room for %d more under 4096\n", use.Charged, use.Headroom(4096))
}

// Explain where a user's process limit comes from, in an image unpacked
// under testdata/root.
func ExampleLoad() {
	conf, warns, err := limits.Load("testdata/root")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(conf.Files), "files,", len(warns), "lines skipped")
	alice, err := limits.LookupUser("testdata/root", "alice")
	if err != nil {
		fmt.Println(err)
		return
	}
	res := conf.ResolveWith(alice, limits.Upstream, limits.Start{NrOpen: 1048576})
	nproc := res.Items[limits.NPROC]
	fmt.Println("nproc", nproc.Rlimit)
	fmt.Println("  soft:", nproc.SoftRule.Pos(), nproc.SoftRule)
	fmt.Println("  hard:", nproc.HardRule.Pos(), nproc.HardRule)
	l, set := res.Limit("nofile")
	fmt.Println("nofile", l, set)
	// Output:
	// 3 files, 4 lines skipped
	// nproc 2048:8192
	//   soft: /etc/security/limits.conf:7 alice soft nproc 2048
	//   hard: /etc/security/limits.conf:6 @docker hard nproc 8192
	// nofile 1048576:1048576 true
}
