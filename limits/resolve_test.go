package limits

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeRoot makes a root directory holding the given files (paths
// relative to the root).
func writeRoot(t testing.TB, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, text := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

var (
	alice = User{Name: "alice", UID: 1000, GID: 1000, Groups: []Group{{Name: "alice", GID: 1000}, {Name: "dev", GID: 1500}}}
	root0 = User{Name: "root", UID: 0, GID: 0, Groups: []Group{{Name: "root", GID: 0}}}
)

func all(l Rlimit) map[Resource]Rlimit {
	m := map[Resource]Rlimit{}
	for _, r := range Resources() {
		m[r] = l
	}
	return m
}

// testStart: the caller has everything unlimited; PID 1 has 77:2^30 for
// everything and a nofile of 4096:8192.
func testStart() Start {
	pid1 := all(Rlimit{77, 1 << 30})
	pid1[NOFILE] = Rlimit{4096, 8192}
	return Start{Caller: all(Rlimit{Unlimited, Unlimited}), PID1: pid1, NrOpen: 1048576}
}

func resolveText(t *testing.T, conf string, u User, f Flavor) Result {
	t.Helper()
	c, _ := Parse("/etc/security/limits.conf", []byte(conf))
	return c.ResolveWith(u, f, testStart())
}

func TestResolveTable(t *testing.T) {
	const inf = Unlimited
	type want struct {
		item string
		l    Rlimit
		set  bool
	}
	cases := []struct {
		name   string
		conf   string
		user   User
		flavor Flavor
		want   []want
	}{
		{"soft only", "alice soft nofile 100\n", alice, Upstream, []want{{"nofile", Rlimit{100, inf}, true}}},
		{
			"user beats group beats star",
			"alice soft nproc 30\n@dev soft nproc 20\n* soft nproc 10\n", alice, Upstream,
			[]want{{"nproc", Rlimit{30, inf}, true}},
		},
		{
			"group beats star whatever the order",
			"@dev soft nproc 20\n* soft nproc 10\n", alice, Upstream,
			[]want{{"nproc", Rlimit{20, inf}, true}},
		},
		{
			"last line of a class wins",
			"* - nproc 10\n* - nproc 11\n", alice, Upstream,
			[]want{{"nproc", Rlimit{11, 11}, true}},
		},
		{
			"dash quirk: blocked soft half drops the hard half",
			"alice soft fsize 100\n* - fsize 200\n", alice, Upstream,
			[]want{{"fsize", Rlimit{102400, inf}, true}},
		},
		{
			"dash applies both halves when not blocked",
			"alice hard fsize 300\n* - fsize 200\n", alice, Upstream,
			[]want{{"fsize", Rlimit{204800, 307200}, true}},
		},
		{"soft clamped to hard", "alice soft nofile 200\nalice hard nofile 100\n", alice, Upstream, []want{{"nofile", Rlimit{100, 100}, true}}},
		{"uid range min:max", "900:1100 - nproc 5\n", alice, Upstream, []want{{"nproc", Rlimit{5, 5}, true}}},
		{"uid range min:", "1000: - nproc 6\n", alice, Upstream, []want{{"nproc", Rlimit{6, 6}, true}}},
		{"uid :exact", ":1000 - nproc 7\n:1001 - nproc 8\n", alice, Upstream, []want{{"nproc", Rlimit{7, 7}, true}}},
		{"uid range outside", "1001:2000 - nproc 7\n", alice, Upstream, []want{{"nproc", Rlimit{inf, inf}, false}}},
		{"uid range is class 0 and beats group", "@dev - nproc 9\n0:5000 - nproc 8\n", alice, Upstream, []want{{"nproc", Rlimit{8, 8}, true}}},
		{"gid range matches the primary gid only", "@1400:1600 - nproc 9\n", alice, Upstream, []want{{"nproc", Rlimit{inf, inf}, false}}},
		{"gid range on the primary gid", "@900:1000 - nproc 9\n", alice, Upstream, []want{{"nproc", Rlimit{9, 9}, true}}},
		{"@:gid matches supplementary groups", "@:1500 - nproc 9\n", alice, Upstream, []want{{"nproc", Rlimit{9, 9}, true}}},
		{"domain is case-sensitive", "ALICE - nproc 9\n", alice, Upstream, []want{{"nproc", Rlimit{inf, inf}, false}}},
		{
			"type item value are lower-cased", "alice SOFT NOFILE 5\nalice Hard NProc UNLIMITED\n", alice, Upstream,
			[]want{{"nofile", Rlimit{5, inf}, true}, {"nproc", Rlimit{inf, inf}, true}},
		},
		{"cpu in minutes", "* - cpu 2\n", alice, Upstream, []want{{"cpu", Rlimit{120, 120}, true}}},
		{"sizes in KB", "* - as 1\n* - memlock 64\n", alice, Upstream, []want{{"as", Rlimit{1024, 1024}, true}, {"memlock", Rlimit{65536, 65536}, true}}},
		{"KB overflow is unlimited", "* - data 18014398509481984\n", alice, Upstream, []want{{"data", Rlimit{inf, inf}, true}}},
		{"nice is 20 minus value", "* soft nice 5\n* hard nice -20\n", alice, Upstream, []want{{"nice", Rlimit{15, 40}, true}}},
		{"nice clamped to 19 and -20", "* soft nice 25\n* hard nice -99\n", alice, Upstream, []want{{"nice", Rlimit{1, 40}, true}}},
		{"nice -1 is a number, not unlimited", "* - nice -1\n", alice, Upstream, []want{{"nice", Rlimit{21, 21}, true}}},
		{"nofile unlimited is nr_open", "* - nofile unlimited\n", alice, Upstream, []want{{"nofile", Rlimit{1048576, 1048576}, true}}},
		{
			"infinity and -1 and -", "* - core infinity\n* - nproc -1\n* - locks -\n", alice, Upstream,
			[]want{{"core", Rlimit{inf, inf}, true}, {"nproc", Rlimit{inf, inf}, true}, {"locks", Rlimit{inf, inf}, true}},
		},
		{
			"leading digits only", "* - nproc 10abc\n* - locks 0x10\n", alice, Upstream,
			[]want{{"nproc", Rlimit{10, 10}, true}, {"locks", Rlimit{0, 0}, true}},
		},
		{"negative wraps like strtoull", "* - sigpending -5\n", alice, Upstream, []want{{"sigpending", Rlimit{inf - 4, inf - 4}, true}}},
		{"comment ends the line", "alice soft nofile 5 # hard nofile 1\n", alice, Upstream, []want{{"nofile", Rlimit{5, inf}, true}}},
		{
			"exemption stops everything", "alice soft nofile 5\nalice -\n* - nproc 3\n", alice, Upstream,
			[]want{{"nofile", Rlimit{inf, inf}, false}, {"nproc", Rlimit{inf, inf}, false}},
		},
		{"group exemption", "* - nproc 3\n@dev -\n", alice, Upstream, []want{{"nproc", Rlimit{inf, inf}, false}}},
		{"%:uid exemption falls through to the uid test", "* - nproc 3\n%:1000 -\n", alice, Upstream, []want{{"nproc", Rlimit{inf, inf}, false}}},
		{"star exemption never matches", "* -\n* - nproc 3\n", alice, Upstream, []want{{"nproc", Rlimit{3, 3}, true}}},
		{"percent domain is for maxlogins only", "% - nproc 3\n", alice, Upstream, []want{{"nproc", Rlimit{inf, inf}, false}}},

		{"debian starts from PID 1", "", alice, Debian, []want{{"nproc", Rlimit{77, 1 << 30}, false}, {"nofile", Rlimit{1024, 8192}, false}}},
		{"debian soft nofile cap goes when a rule sets it", "* soft nofile 2000\n", alice, Debian, []want{{"nofile", Rlimit{2000, 8192}, true}}},
		{"debian hard rule clamps the capped soft", "* hard nofile 500\n", alice, Debian, []want{{"nofile", Rlimit{500, 500}, true}}},
		{"debian: star does not touch root", "* - core 5\n", root0, Debian, []want{{"core", Rlimit{77, 1 << 30}, false}}},
		{"upstream: star touches root", "* - core 5\n", root0, Upstream, []want{{"core", Rlimit{5120, 5120}, true}}},
		{"debian: named group does not touch root", "@root - core 5\n", root0, Debian, []want{{"core", Rlimit{77, 1 << 30}, false}}},
		{"debian: @:gid reaches root", "@:0 soft core 5\n", root0, Debian, []want{{"core", Rlimit{5120, 1 << 30}, true}}},
		{"debian: @min:max reaches root", "@0:10 soft core 6\n", root0, Debian, []want{{"core", Rlimit{6144, 1 << 30}, true}}},
		{"debian: named root is touched", "root soft core 7\n", root0, Debian, []want{{"core", Rlimit{7168, 1 << 30}, true}}},
		{"debian: @root exemption exempts root", "root soft core 7\n@root -\n", root0, Debian, []want{{"core", Rlimit{inf, inf}, false}}},
		{"debian: uid range reaches root", "0: soft core 8\n", root0, Debian, []want{{"core", Rlimit{8192, 1 << 30}, true}}},
		// Measured with Debian 12's module: root's numeric @ and % lines are
		// uid ranges of the user class, for any item.
		{"debian: @:0 is user class for root", "root soft core 7\n@:0 soft core 5\n", root0, Debian, []want{{"core", Rlimit{5120, 1 << 30}, true}}},
		{"upstream: @:0 is group class for root", "root soft core 7\n@:0 soft core 5\n", root0, Upstream, []want{{"core", Rlimit{7168, inf}, true}}},
		{"debian: %:0 reaches root for any item", "%:0 soft core 4\n%0: soft locks 3\n", root0, Debian, []want{{"core", Rlimit{4096, 1 << 30}, true}, {"locks", Rlimit{3, 1 << 30}, true}}},
		{"upstream: %:0 is for maxlogins only", "%:0 soft core 4\n%0: soft locks 3\n", root0, Upstream, []want{{"core", Rlimit{inf, inf}, false}, {"locks", Rlimit{inf, inf}, false}}},
		{"debian: %:0 is upstream's for others", "%:1000 soft core 4\n", alice, Debian, []want{{"core", Rlimit{77, 1 << 30}, false}}},
		{"debian: supplementary @:gid does not reach root", "@:1500 soft core 4\n", User{Name: "root", Groups: []Group{{Name: "root"}, {Name: "dev", GID: 1500}}}, Debian, []want{{"core", Rlimit{77, 1 << 30}, false}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := resolveText(t, c.conf, c.user, c.flavor)
			for _, w := range c.want {
				l, set := res.Limit(w.item)
				if l != w.l || set != w.set {
					t.Errorf("%s = %v (set %v), want %v (set %v); skipped %v", w.item, l, set, w.l, w.set, res.Skipped)
				}
			}
		})
	}
}

func TestResolveSources(t *testing.T) {
	root := writeRoot(t, map[string]string{
		"etc/security/limits.conf":         "* soft nproc 10\n",
		"etc/security/limits.d/10-a.conf":  "\n@dev soft nproc 20\n",
		"etc/security/limits.d/9-b.conf":   "# comment\n\n* hard nproc 40\n@dev soft nproc 25\n* soft nproc 30\n",
		"etc/security/limits.d/.h.conf":    "* hard nproc 1\n",
		"etc/security/limits.d/x.conf.bak": "* hard nproc 2\n",
		"etc/security/limits.d/d.conf/x":   "",
	})
	c, warns, err := Load(root)
	if err != nil {
		t.Fatal(err)
	}
	wantFiles := []string{ConfFile, ConfDir + "/10-a.conf", ConfDir + "/9-b.conf"}
	if strings.Join(c.Files, ",") != strings.Join(wantFiles, ",") {
		t.Fatalf("files %v, want %v", c.Files, wantFiles)
	}
	if len(warns) != 1 || !strings.Contains(warns[0].Reason, "directory") {
		t.Errorf("warnings %v, want one about d.conf", warns)
	}
	res := c.ResolveWith(alice, Upstream, testStart())
	it := res.Items[NPROC]
	if it.Rlimit != (Rlimit{25, 40}) || it.SoftRule.Pos() != ConfDir+"/9-b.conf:4" || it.HardRule.Pos() != ConfDir+"/9-b.conf:3" {
		t.Errorf("nproc %v from %v / %v", it.Rlimit, it.SoftRule.Pos(), it.HardRule.Pos())
	}
	if it.Soft != FromRule || res.Items[CORE].Soft != FromCaller {
		t.Errorf("origins %v %v", it.Soft, res.Items[CORE].Soft)
	}
	if len(res.Skipped) != 1 || res.Skipped[0].Rule.Pos() != ConfDir+"/9-b.conf:5" {
		t.Errorf("skipped %v, want the * line of 9-b.conf", res.Skipped)
	}
	d := c.ResolveWith(alice, Debian, testStart())
	if d.Items[CORE].Soft != FromPID1 {
		t.Errorf("debian core origin %v", d.Items[CORE].Soft)
	}
}

func TestResolveOtherItems(t *testing.T) {
	conf := "alice - priority 5\n* - priority 10\n* - nonewprivs 1\n@dev - maxlogins 4\nalice - maxlogins 3\n* - maxsyslogins 9\n* - chroot /srv/jail\n"
	up := resolveText(t, conf, alice, Upstream)
	if up.Priority.Value != 10 || up.Priority.Rule.Line != 2 {
		t.Errorf("priority %+v, want 10 from line 2 (last line wins, any class)", up.Priority)
	}
	if up.NoNewPrivs.Value != 1 {
		t.Errorf("nonewprivs %+v", up.NoNewPrivs)
	}
	if up.MaxLogins.Value != 3 || !up.SysWide {
		t.Errorf("maxlogins %+v syswide %v: want 3 (user class) and the syswide flag of the last line read", up.MaxLogins, up.SysWide)
	}
	if up.Chroot != "" || up.Skipped[len(up.Skipped)-1].Rule.Item != "chroot" {
		t.Errorf("upstream chroot %q, skipped %v", up.Chroot, up.Skipped)
	}
	if deb := resolveText(t, conf, alice, Debian); deb.Chroot != "/srv/jail" {
		t.Errorf("debian chroot %q", deb.Chroot)
	}
	off := resolveText(t, "* - nonewprivs 1\nalice - nonewprivs yes\n", alice, Upstream)
	if off.NoNewPrivs.Value != 0 || off.NoNewPrivs.Rule.Line != 2 {
		t.Errorf("a bad nonewprivs value must turn it off: %+v", off.NoNewPrivs)
	}
}

func TestRlimitsMap(t *testing.T) {
	up := resolveText(t, "* soft nofile 100\n", alice, Upstream)
	if m := up.Rlimits(); len(m) != 1 || m[NOFILE] != (Rlimit{100, Unlimited}) {
		t.Errorf("upstream map %v", m)
	}
	deb := resolveText(t, "* soft nofile 100\n", alice, Debian)
	if m := deb.Rlimits(); len(m) != NumResources || m[NPROC] != (Rlimit{77, 1 << 30}) {
		t.Errorf("debian map %v", m)
	}
	ex := resolveText(t, "* soft nofile 100\nalice -\n", alice, Debian)
	if m := ex.Rlimits(); len(m) != 0 || ex.Exempt == nil {
		t.Errorf("exempt map %v", m)
	}
}

func TestDebianNofileCap(t *testing.T) {
	if it := resolveText(t, "", alice, Debian).Items[NOFILE]; !it.Capped || it.Rlimit != (Rlimit{1024, 8192}) {
		t.Errorf("no rule: %+v", it)
	}
	if it := resolveText(t, "* soft nofile 2048\n", alice, Debian).Items[NOFILE]; it.Capped {
		t.Errorf("soft rule: %+v", it)
	}
	if it := resolveText(t, "", alice, Upstream).Items[NOFILE]; it.Capped {
		t.Errorf("upstream: %+v", it)
	}
}

// TestResolveLoginFlag: pam_limits sets its count-everyone flag from
// every matching maxlogins or maxsyslogins line it reads, even one it then
// rejects (bad value, % domain for maxsyslogins) or whose class loses.
func TestResolveLoginFlag(t *testing.T) {
	for _, c := range []struct {
		conf    string
		limit   int
		sysWide bool
	}{
		{"* - maxlogins 1\n", 1, false},
		{"* - maxlogins 1\n% - maxsyslogins 10\n", 1, true},
		{"* - maxlogins 1\n* - maxsyslogins abc\n", 1, true},
		{"* - maxsyslogins 1\n* - maxlogins abc\n", 1, false},
		{"alice - maxlogins 1\n* - maxsyslogins 5\n", 1, true},
		{"* - maxlogins 1\nbob - maxsyslogins abc\n", 1, false},
		{"* - maxlogins 1\n%1:5 - maxsyslogins 10\n", 1, false}, // a % range never reaches process_limit
	} {
		res := resolveText(t, c.conf, alice, Upstream)
		if res.MaxLogins.Value != c.limit || res.SysWide != c.sysWide {
			t.Errorf("%q: limit %d syswide %v, want %d %v", c.conf, res.MaxLogins.Value, res.SysWide, c.limit, c.sysWide)
		}
	}
}

// setpriority(2) clamps what pam_limits passes; Resolve says what the
// session gets.
func TestResolvePriorityClamped(t *testing.T) {
	for conf, want := range map[string]int{"* - priority 25\n": 19, "* - priority -30\n": -20, "* - priority -5\n": -5} {
		if got := resolveText(t, conf, alice, Upstream).Priority.Value; got != want {
			t.Errorf("%q: priority %d, want %d", conf, got, want)
		}
	}
}

// Without limits.conf pam_limits fails the session before limits.d, so
// no rule applies; a limits.d that is not a directory matches nothing.
func TestLoadMissingConfAndOddConfDir(t *testing.T) {
	root := writeRoot(t, map[string]string{"etc/security/limits.d/a.conf": "alice soft locks 11\n"})
	c, warns, err := Load(root)
	if err != nil || len(c.Rules) != 0 || len(warns) != 1 || !strings.Contains(warns[0].Reason, "applies nothing") {
		t.Fatalf("Load without limits.conf: %d rules, warnings %v, %v; want no rule and the warning", len(c.Rules), warns, err)
	}
	root = writeRoot(t, map[string]string{"etc/security/limits.conf": "alice soft locks 12\n", "etc/security/limits.d": "not a directory\n"})
	c, _, err = Load(root)
	if err != nil || len(c.Rules) != 1 {
		t.Fatalf("Load with a file at limits.d: %v, %v; want limits.conf's one rule", c, err)
	}
}
