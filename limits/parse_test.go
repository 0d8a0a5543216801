package limits

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
)

func TestParseWarnings(t *testing.T) {
	cases := []struct {
		line   string
		reason string // "" for a kept rule without warning
	}{
		{"alice soft nofile 10", ""},
		{"   alice\tsoft\tnofile\t10   ", ""},
		{"alice soft nofile 10 extra", "more than four fields"},
		{"alice soft nofile", "invalid line: 3 fields"},
		{"alice soft#nofile 10", "invalid line: 2 fields"},
		{"alice", "invalid line: 1 fields"},
		{"alice -", ""},
		{"alice -whatever", ""},
		{"* -", "never matches"},
		{"% -", "never matches"},
		{"alice soft nofiles 10", "unknown item"},
		{"alice medium nofile 10", "unknown type"},
		{"alice soft nofile lots", "wrong value"},
		{"alice soft nice unlimited", "wrong value"},
		{"alice soft rttime 10", "unknown item"},
		{"abc:5 - nproc 5", "invalid uid range"},
		{"5:x - nproc 5", "invalid uid range"},
		{"@: - nproc 5", "invalid uid range"},
		{":5: - nproc 5", "invalid uid range"},
		{"%docker - nproc 5", "maxlogins only"},
		{"%1:5 - maxlogins 5", "range is not supported"},
		{"%docker - maxlogins 5", ""},
		{"alice whatever maxlogins 5", ""},
		{"alice - nonewprivs 2", "nonewprivs wants 0 or 1"},
		{"# only a comment", ""},
	}
	for _, c := range cases {
		conf, warns := Parse("f", []byte(c.line+"\n"))
		switch {
		case c.reason == "" && len(warns) != 0:
			t.Errorf("%q: unexpected warnings %v", c.line, warns)
		case c.reason != "" && (len(warns) != 1 || !strings.Contains(warns[0].Reason, c.reason) || warns[0].Line != 1 || warns[0].File != "f"):
			t.Errorf("%q: warnings %v, want one at f:1 containing %q", c.line, warns, c.reason)
		}
		if c.reason == "" && !strings.HasPrefix(c.line, "#") && len(conf.Rules) != 1 {
			t.Errorf("%q: rules %v, want one", c.line, conf.Rules)
		}
	}
}

func TestParseLongLine(t *testing.T) {
	// pam_limits' fgets reads 1023 bytes at a time; the rest of a longer
	// line is parsed as a line of its own.
	long := "alice soft nofile 10" + strings.Repeat(" ", 1003) + "bob soft nproc 7\n"
	conf, warns := Parse("f", []byte(long))
	if len(conf.Rules) != 2 || conf.Rules[1].Domain != "bob" || conf.Rules[1].Line != 1 {
		t.Fatalf("rules %v", conf.Rules)
	}
	if len(warns) != 1 || !strings.Contains(warns[0].Reason, "1023") {
		t.Errorf("warnings %v", warns)
	}
}

func TestParseNUL(t *testing.T) {
	conf, _ := Parse("f", []byte("alice soft nofile 10\x00 hard\n"))
	if len(conf.Rules) != 1 || conf.Rules[0].Value != "10" {
		t.Errorf("rules %v", conf.Rules)
	}
}

func TestLoadSamples(t *testing.T) {
	c, warns, err := Load("testdata/root")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Rules) != 11 {
		t.Errorf("%d rules, want 11: %v", len(c.Rules), c.Rules)
	}
	var got []string
	for _, w := range warns {
		got = append(got, w.File+":"+string(rune('0'+w.Line)))
	}
	want := "/etc/security/limits.d/10-bad.conf:1 /etc/security/limits.d/10-bad.conf:2 /etc/security/limits.d/10-bad.conf:3 /etc/security/limits.d/10-bad.conf:4"
	if strings.Join(got, " ") != want {
		t.Errorf("warnings at %v\nwant %s", got, want)
	}
	if _, err := LoadStrict("testdata/root"); err == nil {
		t.Error("LoadStrict accepted 10-bad.conf")
	} else if pe := (*ParseError)(nil); !errors.As(err, &pe) || pe.Line != 1 {
		t.Errorf("LoadStrict error %v", err)
	}
	deb, err := os.ReadFile("testdata/limits.conf.debian12")
	if err != nil {
		t.Fatal(err)
	}
	dc, dw := Parse("limits.conf", deb)
	if len(dc.Rules) != 0 || len(dw) != 0 {
		t.Errorf("Debian's stock limits.conf is all comments, got %v %v", dc.Rules, dw)
	}
	root := t.TempDir()
	c, warns, err = Load(root)
	if err != nil || len(c.Rules) != 0 || len(warns) != 1 || !strings.Contains(warns[0].Reason, "missing") {
		t.Errorf("empty root: %v %v %v", c, warns, err)
	}
}

func TestResolveSampleRoot(t *testing.T) {
	c, _, err := Load("testdata/root")
	if err != nil {
		t.Fatal(err)
	}
	alice, err := LookupUser("testdata/root", "alice")
	if err != nil {
		t.Fatal(err)
	}
	if alice.UID != 1000 || len(alice.Groups) != 3 {
		t.Fatalf("alice %+v, want uid 1000 in alice, docker, ci", alice)
	}
	r := c.ResolveWith(alice, Upstream, testStart())
	nproc := r.Items[NPROC]
	// alice soft nproc 2048 (user class) beats @docker; the hard half
	// comes from @docker (class 1) over the later "* - nproc 1024".
	if nproc.Rlimit != (Rlimit{2048, 8192}) || nproc.SoftRule.Pos() != "/etc/security/limits.conf:7" || nproc.HardRule.Pos() != "/etc/security/limits.conf:6" {
		t.Errorf("alice nproc %v from %s and %s", nproc.Rlimit, nproc.SoftRule.Pos(), nproc.HardRule.Pos())
	}
	if l, _ := r.Limit("nofile"); l != (Rlimit{1048576, 1048576}) {
		t.Errorf("alice nofile %v, want nr_open from @ci unlimited", l)
	}
	if l, _ := r.Limit("cpu"); l != (Rlimit{36000, Unlimited}) {
		t.Errorf("alice cpu %v", l)
	}
	bob, err := LookupUser("testdata/root", "bob")
	if err != nil {
		t.Fatal(err)
	}
	if rb := c.ResolveWith(bob, Upstream, testStart()); rb.Exempt == nil || rb.Exempt.Pos() != "/etc/security/limits.d/90-ci.conf:6" {
		t.Errorf("bob not exempt: %+v", rb.Exempt)
	}
	if _, err := LookupUser("testdata/root", "mallory"); !errors.Is(err, ErrUnknownUser) {
		t.Errorf("mallory: %v", err)
	}
	if u, err := LookupUID("testdata/root", 2000); err != nil || u.Name != "build" {
		t.Errorf("uid 2000: %+v %v", u, err)
	}
}

func TestProcLimitsSamples(t *testing.T) {
	data, err := os.ReadFile("testdata/proc-limits-prlimit")
	if err != nil {
		t.Fatal(err)
	}
	m, err := ParseProcLimits(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(m) != NumResources {
		t.Errorf("%d rows", len(m))
	}
	for r, want := range map[Resource]Rlimit{
		CPU: {10, Unlimited}, CORE: {0, 1024}, NPROC: {50, 60}, NOFILE: {1000, 2000},
		NICE: {0, 0}, RTTIME: {Unlimited, Unlimited},
	} {
		if m[r] != want {
			t.Errorf("%v = %v, want %v", r, m[r], want)
		}
	}
	if !bytes.Equal(FormatProcLimits(m), data) {
		t.Errorf("FormatProcLimits does not reproduce the kernel's text:\n%s", FormatProcLimits(m))
	}
	for _, bad := range []string{"", "Max cpu time 1 2\n", "Limit\nMax cpu time              lots                 1\n", "Limit\nMax open files            1\n", "Limit\nMax open files\n", "Limit\nMax open files     \n"} {
		if _, err := ParseProcLimits([]byte(bad)); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestNames(t *testing.T) {
	for _, r := range Resources() {
		for _, name := range []string{r.String(), strings.ToUpper(r.String()), r.KernelName(), "Limit" + strings.ToUpper(r.String()), r.ProcName()} {
			got, err := ParseResource(name)
			if err != nil || got != r {
				t.Errorf("ParseResource(%q) = %v, %v; want %v", name, got, err, r)
			}
		}
	}
	if _, err := ParseResource("files"); !errors.Is(err, ErrUnknownResource) {
		t.Errorf("files: %v", err)
	}
	if Resource(99).String() != "Resource(99)" {
		t.Error(Resource(99).String())
	}
}

func TestParseRlimit(t *testing.T) {
	for in, want := range map[string]Rlimit{
		"1024:4096": {1024, 4096}, "10": {10, 10}, "unlimited": {Unlimited, Unlimited},
		"0:unlimited": {0, Unlimited}, "-1:-1": {Unlimited, Unlimited}, "5:infinity": {5, Unlimited},
	} {
		got, err := ParseRlimit(in)
		if err != nil || got != want {
			t.Errorf("%q = %v, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "a", "5:", "10:5", "1:2:3", "18446744073709551616"} {
		if _, err := ParseRlimit(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if _, err := ParseRlimit("10:5"); !errors.Is(err, ErrSoftAboveHard) {
		t.Errorf("10:5: %v", err)
	}
}

func TestDetectFlavorImage(t *testing.T) {
	deb := writeRoot(t, map[string]string{
		"usr/lib/x86_64-linux-gnu/security/pam_limits.so": "\x7fELF...\x00chroot\x00...",
	})
	if f, why := DetectFlavor(deb); f != Debian || !strings.Contains(why, "chroot") {
		t.Errorf("patched module: %v %s", f, why)
	}
	up := writeRoot(t, map[string]string{"lib64/security/pam_limits.so": "\x7fELF...\x00nproc\x00"})
	if f, why := DetectFlavor(up); f != Upstream {
		t.Errorf("plain module: %v %s", f, why)
	}
	dpkg := writeRoot(t, map[string]string{"var/lib/dpkg/status": "Package: libpam-modules\nStatus: install ok installed\nVersion: 1.5.2-6\n\n"})
	if f, why := DetectFlavor(dpkg); f != Debian || !strings.Contains(why, "1.5.2-6") {
		t.Errorf("dpkg: %v %s", f, why)
	}
	if f, _ := DetectFlavor(t.TempDir()); f != Upstream {
		t.Errorf("empty root: %v", f)
	}
}

func TestEveryItem(t *testing.T) {
	for item, i := range pamItems {
		value := "5"
		if item == "nonewprivs" {
			value = "1"
		}
		c, warns := Parse("f", []byte("alice soft "+item+" "+value+"\n"))
		if len(warns) != 0 || len(c.Rules) != 1 || c.Rules[0].item != i {
			t.Errorf("%s: %v %v", item, c.Rules, warns)
		}
	}
}

func TestLoadOrderBytewise(t *testing.T) {
	root := writeRoot(t, map[string]string{
		"etc/security/limits.conf":        "",
		"etc/security/limits.d/a.conf":    "* - nproc 1\n",
		"etc/security/limits.d/Z.conf":    "* - nproc 2\n",
		"etc/security/limits.d/_.conf":    "* - nproc 3\n",
		"etc/security/limits.d/1.conf":    "* - nproc 4\n",
		"etc/security/limits.d/a.conf~":   "* - nproc 5\n",
		"etc/security/limits.d/.hid.conf": "* - nproc 6\n",
	})
	c, _, err := Load(root)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(c.Files, " ")
	want := ConfFile + " " + ConfDir + "/1.conf " + ConfDir + "/Z.conf " + ConfDir + "/_.conf " + ConfDir + "/a.conf"
	if got != want {
		t.Errorf("order\n%s\nwant\n%s", got, want)
	}
	if l, _ := c.ResolveWith(alice, Upstream, testStart()).Limit("nproc"); l != (Rlimit{1, 1}) {
		t.Errorf("last file wins: nproc %v", l)
	}
}

func TestDebianRootMaxLogins(t *testing.T) {
	conf := "%root - maxlogins 2\n%:0 - maxlogins 3\n"
	if r := resolveText(t, conf, root0, Debian); r.MaxLogins.Value != 3 {
		t.Errorf("Debian: %%root skipped for root, %%:0 applies: %+v", r.MaxLogins)
	}
	if r := resolveText(t, conf, root0, Upstream); r.MaxLogins.Value != 3 || r.MaxLogins.Rule.Line != 2 {
		t.Errorf("upstream: %+v", r.MaxLogins)
	}
	if r := resolveText(t, "%root - maxlogins 2\n", root0, Upstream); r.MaxLogins.Value != 2 {
		t.Errorf("upstream %%root: %+v", r.MaxLogins)
	}
}
