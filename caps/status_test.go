package caps

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// statusLine returns the value of key in a status sample, read the slow
// obvious way as an oracle.
func statusLine(t *testing.T, text, key string) string {
	t.Helper()
	for line := range strings.Lines(text) {
		if k, v, ok := strings.Cut(strings.TrimSuffix(line, "\n"), ":"); ok && k == key {
			return strings.TrimSpace(v)
		}
	}
	t.Fatalf("no %s line", key)
	return ""
}

func TestParseStatusSamples(t *testing.T) {
	files, _ := filepath.Glob("testdata/status-*")
	if len(files) < 5 {
		t.Fatalf("only %d samples", len(files))
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		p, err := ParseStatus(b)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		text := string(b)
		for key, got := range map[string]Set{"CapEff": p.Effective, "CapPrm": p.Permitted, "CapInh": p.Inheritable, "CapBnd": p.Bounding, "CapAmb": p.Ambient} {
			want, err := strconv.ParseUint(statusLine(t, text, key), 16, 64)
			if err != nil || uint64(got) != want {
				t.Errorf("%s: %s = %s, want %#x", f, key, got.Mask(), want)
			}
		}
		uid := strings.Fields(statusLine(t, text, "Uid"))
		if strconv.FormatUint(uint64(p.Uid.Real), 10) != uid[0] || strconv.FormatUint(uint64(p.Uid.Effective), 10) != uid[1] ||
			strconv.FormatUint(uint64(p.Uid.Saved), 10) != uid[2] || strconv.FormatUint(uint64(p.Uid.FS), 10) != uid[3] {
			t.Errorf("%s: Uid = %+v, want %v", f, p.Uid, uid)
		}
		if strconv.Itoa(p.Pid) != statusLine(t, text, "Pid") || strconv.Itoa(int(p.Seccomp)) != statusLine(t, text, "Seccomp") ||
			p.NoNewPrivs != (statusLine(t, text, "NoNewPrivs") == "1") {
			t.Errorf("%s: %+v", f, p)
		}
	}
}

// The samples were taken under known conditions (see internal/proc's
// testdata); check what those conditions imply.
func TestParseStatusKnown(t *testing.T) {
	read := func(name string) Process {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		p, err := ParseStatus(b)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	// setpriv --inh-caps=+net_bind_service --ambient-caps=+net_bind_service --bounding-set=-all,+net_bind_service,+chown cat
	if p := read("status-ambient"); p.Ambient != SetOf(10) || p.Inheritable != SetOf(10) || p.Bounding != SetOf(0, 10) || p.Command != "cat" {
		t.Errorf("ambient sample: %+v", p)
	}
	if p := read("status-seccomp"); p.Seccomp != SeccompFilter || !p.NoNewPrivs {
		t.Errorf("seccomp sample: %+v", p)
	}
	// A python3 whose main thread seccomp killed while another lived on.
	if p := read("status-seccomp-dead"); p.Seccomp != SeccompDead || p.Seccomp.String() != "dead" || !p.NoNewPrivs {
		t.Errorf("seccomp-dead sample: %+v", p)
	}
	if p := read("status-user"); !p.Effective.IsEmpty() || !p.Permitted.IsEmpty() || p.Uid.Effective != 1001 {
		t.Errorf("ordinary user sample: %+v", p)
	}
	// An ordinary user's unshare -r: all capabilities, uid 0, yet only over
	// the namespace; the status alone cannot tell, which is why Of reads
	// the namespace.
	if p := read("status-user-unshare-r"); p.Uid.Effective != 0 || p.Effective.Len() < 38 {
		t.Errorf("unshare -r sample: %+v", p)
	}
	if p := read("status-escape"); p.Command != "x\\y\nz" {
		t.Errorf("escaped name: %q", p.Command)
	}
}

func TestParseStatusErrors(t *testing.T) {
	good, err := os.ReadFile("testdata/status-root")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, in, field string
	}{
		{"bad hex", strings.Replace(string(good), "CapEff:\t000001", "CapEff:\t0000g1", 1), "CapEff"},
		{"no CapBnd", strings.Replace(string(good), "CapBnd:", "CapBnx:", 1), "CapBnd"},
		{"no CapInh", strings.Replace(string(good), "CapInh:", "Capinh:", 1), "CapInh"},
		{"short Uid", strings.Replace(string(good), "Uid:\t0\t0\t0\t0", "Uid:\t0\t0", 1), "Uid"},
		{"empty", "", "CapInh"},
	} {
		_, err := ParseStatus([]byte(tc.in))
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Field != tc.field || pe.Func != "ParseStatus" {
			t.Errorf("%s: %v, want a *ParseError on %s", tc.name, err, tc.field)
		}
	}
	// CapAmb arrived in Linux 4.3: without it the ambient set is empty.
	old := strings.Replace(string(good), "CapAmb:", "XCapAmb:", 1)
	if p, err := ParseStatus([]byte(old)); err != nil || p.Ambient != 0 {
		t.Errorf("status without CapAmb: %+v, %v", p, err)
	}
}

func FuzzParseStatus(f *testing.F) {
	files, _ := filepath.Glob("testdata/status-*")
	for _, file := range files {
		b, _ := os.ReadFile(file)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParseStatus(b)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T is not a *ParseError", err)
			}
			return
		}
		// Round trip: the capability lines as the kernel prints them.
		var sb strings.Builder
		for _, kv := range []struct {
			k string
			v Set
		}{{"CapInh", p.Inheritable}, {"CapPrm", p.Permitted}, {"CapEff", p.Effective}, {"CapBnd", p.Bounding}, {"CapAmb", p.Ambient}} {
			h := strconv.FormatUint(uint64(kv.v), 16)
			sb.WriteString(kv.k + ":\t" + strings.Repeat("0", 16-len(h)) + h + "\n")
		}
		q, err := ParseStatus([]byte(sb.String()))
		if err != nil || q.Sets != p.Sets {
			t.Fatalf("round trip: %+v, %v; want %+v", q.Sets, err, p.Sets)
		}
	})
}

func BenchmarkParseStatus(b *testing.B) {
	data, err := os.ReadFile("testdata/status-root")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ParseStatus(data); err != nil {
			b.Fatal(err)
		}
	}
}

func TestSeccompText(t *testing.T) {
	for m := range 256 {
		b, _ := Seccomp(m).MarshalText()
		var back Seccomp
		if err := back.UnmarshalText(b); err != nil || back != Seccomp(m) {
			t.Errorf("%d -> %q -> %d, %v", m, b, back, err)
		}
	}
	var m Seccomp
	for _, bad := range []string{"", "Filter", "seccomp(256)", "seccomp(x)", "seccomp(1"} {
		if err := m.UnmarshalText([]byte(bad)); err == nil {
			t.Errorf("UnmarshalText(%q) accepted", bad)
		}
	}
}
