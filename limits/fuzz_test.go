package limits

import (
	"os"
	"strings"
	"testing"
)

func FuzzParse(f *testing.F) {
	for _, p := range []string{"testdata/root/etc/security/limits.conf", "testdata/root/etc/security/limits.d/90-ci.conf", "testdata/root/etc/security/limits.d/10-bad.conf", "testdata/limits.conf.debian12"} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("@1000:2000 - nice -5\n%:7 - maxlogins 2\n:0 - nonewprivs x\n% - maxsyslogins 3\n* - maxlogins x\n%0: soft core 1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, warns := Parse("f", data)
		for _, w := range warns {
			if w.Line < 1 || w.Reason == "" {
				t.Fatalf("bad warning %+v", w)
			}
		}
		// Round trip: the rules, written out again, parse to the same rules.
		var b strings.Builder
		for _, r := range c.Rules {
			b.WriteString(r.String() + "\n")
		}
		c2, _ := Parse("f", []byte(b.String()))
		if len(c2.Rules) != len(c.Rules) {
			t.Fatalf("%d rules became %d:\n%s", len(c.Rules), len(c2.Rules), b.String())
		}
		for i := range c.Rules {
			a, z := c.Rules[i], c2.Rules[i]
			if a.String() != z.String() || a.value != z.value || a.ival != z.ival || a.dom != z.dom || a.Exempt != z.Exempt || a.pctSkip != z.pctSkip || a.flagOnly != z.flagOnly {
				t.Fatalf("rule %q became %q", a.String(), z.String())
			}
		}
		for _, u := range []User{alice, root0} {
			for _, fl := range []Flavor{Upstream, Debian} {
				res := c.ResolveWith(u, fl, testStart())
				for _, it := range res.Items {
					if it.Rlimit.Soft > it.Rlimit.Hard {
						t.Fatalf("%v soft above hard: %v", it.Resource, it.Rlimit)
					}
				}
			}
		}
	})
}

func FuzzParseProcLimits(f *testing.F) {
	for _, p := range []string{"testdata/proc-limits-pid1", "testdata/proc-limits-prlimit", "testdata/proc-limits-cat"} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseProcLimits(data)
		if err != nil {
			return
		}
		m2, err := ParseProcLimits(FormatProcLimits(m))
		if err != nil || len(m2) != len(m) {
			t.Fatalf("round trip: %v %v / %v", err, m, m2)
		}
		for r, l := range m {
			if m2[r] != l {
				t.Fatalf("%v: %v became %v", r, l, m2[r])
			}
		}
	})
}

func FuzzParseRlimit(f *testing.F) {
	for _, s := range []string{"1024:4096", "unlimited", "0:-1", "5", "infinity:infinity", "1:0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l, err := ParseRlimit(s)
		if err != nil {
			return
		}
		if l.Soft > l.Hard {
			t.Fatalf("%q gave soft above hard: %v", s, l)
		}
		l2, err := ParseRlimit(l.String())
		if err != nil || l2 != l {
			t.Fatalf("%q -> %v -> %v, %v", s, l, l2, err)
		}
	})
}

func BenchmarkParse(b *testing.B) {
	var data []byte
	for _, p := range []string{"testdata/root/etc/security/limits.conf", "testdata/root/etc/security/limits.d/90-ci.conf", "testdata/limits.conf.debian12"} {
		d, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		data = append(data, d...)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		Parse("f", data)
	}
}

func BenchmarkResolve(b *testing.B) {
	c, _, err := Load("testdata/root")
	if err != nil {
		b.Fatal(err)
	}
	s := testStart()
	b.ReportAllocs()
	for b.Loop() {
		c.ResolveWith(alice, Debian, s)
	}
}

func BenchmarkParseProcLimits(b *testing.B) {
	data, err := os.ReadFile("testdata/proc-limits-prlimit")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ParseProcLimits(data); err != nil {
			b.Fatal(err)
		}
	}
}
