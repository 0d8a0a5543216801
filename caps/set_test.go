package caps

import (
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"testing"
)

func TestSetOps(t *testing.T) {
	s := SetOf(0, 5, 21, 40, 63, 64, 200)
	if s.Len() != 5 || !s.Has(21) || !s.Has(63) || s.Has(64) || s.Has(1) {
		t.Fatalf("SetOf: %#x", uint64(s))
	}
	if got := s.Values(); !slices.Equal(got, []Value{0, 5, 21, 40, 63}) {
		t.Errorf("Values = %v", got)
	}
	if s.Without(5, 63).With(1) != SetOf(0, 1, 21, 40) {
		t.Errorf("With/Without")
	}
	a, b := SetOf(1, 2, 3), SetOf(3, 4)
	if a.Union(b) != SetOf(1, 2, 3, 4) || a.Intersect(b) != SetOf(3) || a.Difference(b) != SetOf(1, 2) {
		t.Errorf("set algebra")
	}
	if !a.HasAll(SetOf(1, 3)) || a.HasAll(b) || !a.HasAny(b) || a.HasAny(SetOf(9)) || !Set(0).IsEmpty() {
		t.Errorf("HasAll/HasAny/IsEmpty")
	}
	n := 0
	for range s.All() {
		n++
		break
	}
	if n != 1 {
		t.Errorf("All ignores break")
	}
}

func TestDockerDefault(t *testing.T) {
	// The mask docker documents and FACTS.md measured.
	if DockerDefault != 0xa80425fb || DockerDefault.Len() != 14 {
		t.Fatalf("DockerDefault = %s (%d caps)", DockerDefault.Mask(), DockerDefault.Len())
	}
	want := "CHOWN,DAC_OVERRIDE,FSETID,FOWNER,MKNOD,NET_RAW,SETGID,SETUID,SETFCAP,SETPCAP,NET_BIND_SERVICE,SYS_CHROOT,KILL,AUDIT_WRITE"
	if p, err := Parse(want); err != nil || p != DockerDefault {
		t.Errorf("Parse(docker list) = %s, %v", p.Mask(), err)
	}
}

func TestFormat(t *testing.T) {
	s := SetOf(0, 21, 45)
	for d, want := range map[Dialect]string{
		Libcap:   "cap_chown,cap_sys_admin,45",
		Kernel:   "CAP_CHOWN,CAP_SYS_ADMIN,45",
		Docker:   "CHOWN,SYS_ADMIN,45",
		Libcapng: "chown,sys_admin,45",
		Number:   "0,21,45",
	} {
		if got := s.Format(d); got != want {
			t.Errorf("Format(%d) = %q, want %q", d, got, want)
		}
		if back, err := Parse(s.Format(d)); err != nil || back != s {
			t.Errorf("Parse(Format(%d)) = %v, %v", d, back, err)
		}
	}
	if s.String() != "cap_chown,cap_sys_admin,45" || Set(0).String() != "" {
		t.Errorf("String = %q / %q", s.String(), Set(0).String())
	}
	if DockerDefault.Mask() != "0xa80425fb" {
		t.Errorf("Mask = %s", DockerDefault.Mask())
	}
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Set
	}{
		{"", 0},
		{"  ", 0},
		{"CAP_SYS_ADMIN", SetOf(21)},
		{"SYS_ADMIN", SetOf(21)},
		{"sys_admin", SetOf(21)},
		{"cap_sys_admin", SetOf(21)},
		{"Cap_Sys_Admin", SetOf(21)},
		{"21", SetOf(21)},
		{"63", SetOf(63)},
		{"cap_chown, kill ,NET_RAW", SetOf(0, 5, 13)},
		{"41,cap_checkpoint_restore", SetOf(40, 41)},
		{"0xa80425fb", DockerDefault},
		{"0X3,kill", SetOf(0, 1, 5)},
		{"ALL", Supported()},
		{"all,63", Supported() | SetOf(63)},
		{"cap_sys_admin,cap_chown=ep", SetOf(0, 21)},
		{"CAP_SYS_ADMIN,Chown=ep", SetOf(0, 21)},
		{"=ep cap_sys_admin-ep", Supported().Without(21)},
		{"cap_chown=p cap_kill+i", SetOf(0, 5)},
	} {
		got, err := Parse(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("Parse(%q) = %s, %v; want %s", tc.in, got.Mask(), err, tc.want.Mask())
		}
	}
	for _, tc := range []struct {
		in  string
		err error
	}{
		{"cap_sys_admin,", ErrUnknownName},
		{"chown,,kill", ErrUnknownName},
		{"sys_admn", ErrUnknownName},
		{"cap_", ErrUnknownName},
		{"64", ErrRange},
		{"99999999999999999999999", ErrRange},
		{"-1", errNoOp},
		{"cap_chown=x", errBadFlag},
		{"0xZZ", strconv.ErrSyntax},
		{"0x1ffffffffffffffff", strconv.ErrSyntax},
		{"chown kill", ErrUnknownName},
	} {
		_, err := Parse(tc.in)
		var pe *ParseError
		if !errors.Is(err, tc.err) || !errors.As(err, &pe) || (pe.Func != "Parse" && pe.Func != "ParseText") {
			t.Errorf("Parse(%q) = %v, want a *ParseError wrapping %v", tc.in, err, tc.err)
		}
	}
}

func TestParseValue(t *testing.T) {
	for i := range Value(64) {
		for _, d := range []Dialect{Libcap, Kernel, Docker, Libcapng, Number} {
			v, err := ParseValue(Name(i, d))
			if err != nil || v != i {
				t.Errorf("ParseValue(Name(%d, %d)=%q) = %d, %v", i, d, Name(i, d), v, err)
			}
		}
	}
	if _, err := ParseValue("all"); !errors.Is(err, ErrUnknownName) {
		t.Errorf("ParseValue(all) = %v: all is a set, not a value", err)
	}
}

func TestSetJSON(t *testing.T) {
	in := struct{ Caps Set }{SetOf(0, 21, 50)}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"Caps":"cap_chown,cap_sys_admin,50"}` {
		t.Errorf("json = %s", b)
	}
	var out struct{ Caps Set }
	if err := json.Unmarshal([]byte(`{"Caps":"CAP_CHOWN, SYS_ADMIN,50"}`), &out); err != nil || out != in {
		t.Errorf("unmarshal = %+v, %v", out, err)
	}
	if err := json.Unmarshal([]byte(`{"Caps":"bogus"}`), &out); !errors.Is(err, ErrUnknownName) {
		t.Errorf("unmarshal bogus = %v", err)
	}
}

func TestDiff(t *testing.T) {
	old := Sets{Effective: SetOf(0, 21), Bounding: SetOf(0, 5, 21), Ambient: SetOf(10)}
	new := Sets{Effective: SetOf(0, 5), Bounding: SetOf(0, 5, 21), Ambient: SetOf(10)}
	d := old.Diff(new)
	if d.Effective.Gained != SetOf(5) || d.Effective.Lost != SetOf(21) || !d.Bounding.IsZero() || d.IsZero() {
		t.Errorf("Diff = %+v", d)
	}
	if got := d.String(); got != "effective: +cap_kill -cap_sys_admin" {
		t.Errorf("Diff.String = %q", got)
	}
	if !old.Diff(old).IsZero() || old.Diff(old).String() != "" {
		t.Errorf("self diff not zero")
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"", "CAP_SYS_ADMIN", "chown, kill", "0xa80425fb", "ALL", "63", "cap_chown,,", "Sys_Admin,41"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		set, err := Parse(s)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T is not a *ParseError", err)
			}
			return
		}
		for _, d := range []Dialect{Libcap, Kernel, Docker, Libcapng, Number} {
			back, err := Parse(set.Format(d))
			if err != nil || back != set {
				t.Fatalf("round trip of %q in dialect %d: %v, %v", s, d, back, err)
			}
		}
		if back, err := Parse(set.Mask()); err != nil || back != set {
			t.Fatalf("mask round trip of %q: %v, %v", s, back, err)
		}
	})
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("CAP_CHOWN,dac_override,FSETID,fowner,mknod,net_raw,setgid,setuid,setfcap,setpcap,net_bind_service,sys_chroot,kill,audit_write"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkString(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = DockerDefault.String()
	}
}
