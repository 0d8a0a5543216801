package caps

import (
	"errors"
	"testing"
)

func TestParseText(t *testing.T) {
	all := Supported()
	e := func(eff, prm, inh Set) Sets { return Sets{Effective: eff, Permitted: prm, Inheritable: inh} }
	chown, kill, setuid := SetOf(0), SetOf(5), SetOf(7)
	// Expected states were checked against libcap's C cap_from_text.
	for _, tc := range []struct {
		in   string
		want Sets
	}{
		{"", Sets{}},
		{"=", Sets{}},
		{"=ep", e(all, all, 0)},
		{"all=ep", e(all, all, 0)},
		{"ALL=EP", e(all, all, 0)},
		{"=eip", e(all, all, all)},
		{"cap_chown=p cap_kill=e", e(kill, chown, 0)},
		{"cap_setuid=p cap_chown=i", e(0, setuid, chown)}, // '=' resets only the listed caps
		{"=ep cap_chown-e", e(all&^chown, all, 0)},
		{"CAP_CHOWN=ep", e(chown, chown, 0)},
		{"cap_chown=ep-e+i", e(0, chown, chown)},
		{"cap_chown+ep-e", e(0, chown, 0)},
		{"41=ep", e(SetOf(41), SetOf(41), 0)},
		{"cap_chown=pe cap_chown=", Sets{}},
		{"all=e+p", e(all, all, 0)},
		{"=e+p", e(all, all, 0)}, // libcap rejects this; the meaning is plain
		{"all-p", Sets{}},
		{"=ep all-p", e(all, 0, 0)},
		{"cap_chown,cap_kill+p", e(0, chown|kill, 0)},
		{"cap_chown=p\tcap_kill=e", e(kill, chown, 0)},
		{" =ep ", e(all, all, 0)},
		{"cap_chown=+p", e(0, chown, 0)},
		{"cap_chown=-p", Sets{}},
		{"= cap_chown=p", e(0, chown, 0)},
		{"sys_admin,KILL=i", e(0, 0, SetOf(21)|kill)},
	} {
		got, err := ParseText(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseText(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
	for _, in := range []string{
		"cap_chown", "cap_chown+", "cap_chown-", "+p", "-e", "=e-", "cap_chown=p=e", "cap_chown-e=p",
		"chown,,kill=p", "cap_chown=p,", "64=p", "cap_chown=px", "cap_chown=pxe", "bogus=ep",
	} {
		_, err := ParseText(in)
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Func != "ParseText" {
			t.Errorf("ParseText(%q) = %v, want a *ParseError", in, err)
		}
	}
}

func TestTextRoundTrip(t *testing.T) {
	all := Supported()
	for _, s := range []Sets{
		{},
		{Effective: all, Permitted: all},
		{Effective: all, Permitted: all, Inheritable: all},
		{Permitted: SetOf(0, 5), Effective: SetOf(0)},
		{Permitted: all &^ SetOf(21), Effective: all &^ SetOf(21, 7), Inheritable: SetOf(10)},
		{Permitted: SetOf(50, 3), Inheritable: SetOf(63)},
	} {
		text := s.Text()
		back, err := ParseText(text)
		if err != nil || back != s {
			t.Errorf("ParseText(%q) = %+v, %v; want %+v", text, back, err, s)
		}
	}
	if got := (Sets{}).Text(); got != "=" {
		t.Errorf("empty Text = %q, want =", got)
	}
	if got := (Sets{Effective: all, Permitted: all}).Text(); got != "=ep" {
		t.Errorf("full Text = %q, want =ep", got)
	}
	if got := (Sets{Permitted: SetOf(7), Inheritable: SetOf(0)}).Text(); got != "cap_chown=i cap_setuid+p" {
		t.Errorf("Text = %q, want libcap's \"cap_chown=i cap_setuid+p\"", got)
	}
}

func FuzzParseText(f *testing.F) {
	for _, s := range []string{"", "=ep", "cap_chown,cap_kill=ep cap_setuid+i", "=ep cap_sys_admin-e", "all=e+p", "41=p 63+i", "cap_chown=ep-e+i"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseText(s)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T is not a *ParseError", err)
			}
			return
		}
		if got.Bounding != 0 || got.Ambient != 0 {
			t.Fatalf("text set bounding or ambient: %+v", got)
		}
		back, err := ParseText(got.Text())
		if err != nil || back != got {
			t.Fatalf("round trip %q -> %q -> %+v, %v; want %+v", s, got.Text(), back, err, got)
		}
	})
}

func BenchmarkParseText(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseText("=ep cap_sys_admin,cap_net_admin-e cap_chown+i"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkText(b *testing.B) {
	s := Sets{Effective: Supported() &^ SetOf(21), Permitted: Supported(), Inheritable: SetOf(0)}
	b.ReportAllocs()
	for b.Loop() {
		_ = s.Text()
	}
}
