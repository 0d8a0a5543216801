package proc

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// reference parses a status sample the slow, obvious way, as an oracle.
func reference(t *testing.T, text string) map[string]string {
	t.Helper()
	m := map[string]string{}
	for line := range strings.Lines(text) {
		k, v, ok := strings.Cut(strings.TrimSuffix(line, "\n"), ":")
		if ok {
			m[k] = strings.TrimSpace(v)
		}
	}
	return m
}

func hexOf(t *testing.T, s string) uint64 {
	n, err := strconv.ParseUint(s, 16, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestParseStatusSamples(t *testing.T) {
	files, _ := filepath.Glob("testdata/status-*")
	if len(files) == 0 {
		t.Fatal("no samples")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var st Status
			if err := ParseStatus(b, &st); err != nil {
				t.Fatal(err)
			}
			ref := reference(t, string(b))
			if st.Has&FieldsCaps != FieldsCaps || st.Has&(FieldUid|FieldGid|FieldName|FieldThreads|FieldSeccomp|FieldNoNewPrivs) == 0 {
				t.Errorf("Has = %b", st.Has)
			}
			for k, got := range map[string]uint64{"CapInh": st.CapInh, "CapPrm": st.CapPrm, "CapEff": st.CapEff, "CapBnd": st.CapBnd, "CapAmb": st.CapAmb} {
				if want := hexOf(t, ref[k]); got != want {
					t.Errorf("%s = %#x, want %#x", k, got, want)
				}
			}
			for i, s := range strings.Fields(ref["Uid"]) {
				if strconv.FormatUint(uint64(st.Uid[i]), 10) != s {
					t.Errorf("Uid[%d] = %d, want %s", i, st.Uid[i], s)
				}
			}
			for i, s := range strings.Fields(ref["Gid"]) {
				if strconv.FormatUint(uint64(st.Gid[i]), 10) != s {
					t.Errorf("Gid[%d] = %d, want %s", i, st.Gid[i], s)
				}
			}
			if strconv.Itoa(st.Threads) != ref["Threads"] || strconv.Itoa(st.Pid) != ref["Pid"] ||
				strconv.Itoa(st.PPid) != ref["PPid"] || strconv.Itoa(st.Tgid) != ref["Tgid"] || strconv.Itoa(st.TracerPid) != ref["TracerPid"] ||
				strconv.Itoa(st.Seccomp) != ref["Seccomp"] || (st.NoNewPrivs != (ref["NoNewPrivs"] == "1")) ||
				string(st.State) != ref["State"][:1] {
				t.Errorf("parsed %+v, reference %v", st, ref)
			}
		})
	}
}

// The samples were taken under known conditions; check those directly.
func TestParseStatusKnown(t *testing.T) {
	for _, tc := range []struct {
		file  string
		check func(Status) bool
	}{
		{"status-ambient", func(s Status) bool {
			// setpriv --inh-caps=+net_bind_service --ambient-caps=+net_bind_service --bounding-set=-all,+net_bind_service,+chown
			return s.CapAmb == 1<<10 && s.CapInh == 1<<10 && s.CapBnd == 1<<10|1 && s.Name == "cat"
		}},
		{"status-nnp", func(s Status) bool { return s.NoNewPrivs && s.Seccomp == 0 }},
		{"status-seccomp", func(s Status) bool { return s.NoNewPrivs && s.Seccomp == 2 }},
		// The leader of a python3 whose main thread a seccomp filter killed
		// (SECCOMP_RET_KILL_THREAD) while another thread lived on.
		{"status-seccomp-dead", func(s Status) bool { return s.NoNewPrivs && s.Seccomp == 3 && s.State == 'Z' && s.Threads == 2 }},
		{"status-user", func(s Status) bool { return s.Uid == [4]uint32{1001, 1001, 1001, 1001} && s.CapEff == 0 }},
		{"status-unmapped-from-ns", func(s Status) bool { return s.Uid == [4]uint32{65534, 65534, 65534, 65534} }},
		{"status-escape", func(s Status) bool { return s.Name == "x\\y\nz" }},
		{"status-paren", func(s Status) bool { return s.Name == "a b) (c" }},
		{"status-kthread", func(s Status) bool { return s.Name == "kthreadd" && s.PPid == 0 }},
	} {
		b, err := os.ReadFile("testdata/" + tc.file)
		if err != nil {
			t.Fatal(err)
		}
		var st Status
		if err := ParseStatus(b, &st); err != nil {
			t.Fatal(err)
		}
		if !tc.check(st) {
			t.Errorf("%s: %+v", tc.file, st)
		}
	}
}

func TestParseStatusErrors(t *testing.T) {
	for _, tc := range []struct {
		in, field string
		err       error
	}{
		{"Name:\tx\nCapEff:\t00000000zz000000\n", "CapEff", strconv.ErrSyntax},
		{"CapPrm:\t10000000000000000\n", "CapPrm", strconv.ErrRange},
		{"CapBnd:\t\n", "CapBnd", strconv.ErrSyntax},
		{"Uid:\t0\t0\t0\n", "Uid", strconv.ErrSyntax},
		{"Uid:\t0\t0\t0\t0\t0\n", "Uid", strconv.ErrSyntax},
		{"Gid:\t0\t0\t0\t4294967296\n", "Gid", strconv.ErrRange},
		{"Gid:\t-1\t0\t0\t0\n", "Gid", strconv.ErrSyntax},
		{"Threads:\tmany\n", "Threads", strconv.ErrSyntax},
		{"NoNewPrivs:\t2\n", "NoNewPrivs", strconv.ErrRange},
		{"Seccomp:\t256\n", "Seccomp", strconv.ErrRange},
		{"State:\n", "State", strconv.ErrSyntax},
	} {
		var st Status
		err := ParseStatus([]byte(tc.in), &st)
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Field != tc.field || !errors.Is(err, tc.err) {
			t.Errorf("ParseStatus(%q) = %v, want a ParseError on %s wrapping %v", tc.in, err, tc.field, tc.err)
		}
	}
	// Unknown lines, lines without a colon and a missing final newline are fine.
	var st Status
	if err := ParseStatus([]byte("Bogus\nWhatever:\tx\nCapEff:\t0000000000000001"), &st); err != nil || st.CapEff != 1 || st.Has != FieldCapEff {
		t.Errorf("lenient input: %+v, %v", st, err)
	}
}

func TestParseStat(t *testing.T) {
	for _, tc := range []struct {
		file, comm string
		ppid       int
	}{
		{"stat-kthread", "kthreadd", 0},
		{"stat-paren", "a b) (c", -1},
		{"stat-escape", "x\\y\nz", -1},
		{"stat-self", "cat", -1},
	} {
		b, err := os.ReadFile("testdata/" + tc.file)
		if err != nil {
			t.Fatal(err)
		}
		var s Stat
		if err := ParseStat(b, &s); err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		// Oracle: the fields after the last ')' split on spaces.
		rest := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
		if s.Comm != tc.comm || strconv.FormatUint(s.StartTime, 10) != rest[19] || strconv.Itoa(s.PPid) != rest[1] || string(s.State) != rest[0] {
			t.Errorf("%s: %+v; want comm %q, start %s, ppid %s", tc.file, s, tc.comm, rest[19], rest[1])
		}
		if tc.ppid >= 0 && s.PPid != tc.ppid {
			t.Errorf("%s: ppid %d", tc.file, s.PPid)
		}
	}
	for _, bad := range []string{"", "1 cat) S 1", "1 (cat S 1", "1 (cat) S 1 2 3", "1 (cat) S x 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1"} {
		var s Stat
		var pe *ParseError
		if err := ParseStat([]byte(bad), &s); !errors.As(err, &pe) {
			t.Errorf("ParseStat(%q) = %v, want ParseError", bad, err)
		}
	}
}

func FuzzParseStatus(f *testing.F) {
	files, _ := filepath.Glob("testdata/status-*")
	for _, file := range files {
		b, _ := os.ReadFile(file)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var st Status
		if err := ParseStatus(b, &st); err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Line < 1 {
				t.Fatalf("error %v is not a ParseError with a line", err)
			}
			return
		}
		// Round trip of the capability lines: print them as the kernel does
		// and parse again.
		var sb strings.Builder
		for _, kv := range []struct {
			k string
			v uint64
		}{{"CapInh", st.CapInh}, {"CapPrm", st.CapPrm}, {"CapEff", st.CapEff}, {"CapBnd", st.CapBnd}, {"CapAmb", st.CapAmb}} {
			sb.WriteString(kv.k + ":\t" + leftPad(strconv.FormatUint(kv.v, 16)) + "\n")
		}
		var again Status
		if err := ParseStatus([]byte(sb.String()), &again); err != nil {
			t.Fatal(err)
		}
		if again.CapInh != st.CapInh || again.CapPrm != st.CapPrm || again.CapEff != st.CapEff || again.CapBnd != st.CapBnd || again.CapAmb != st.CapAmb {
			t.Fatalf("round trip: %+v != %+v", again, st)
		}
	})
}

func leftPad(s string) string { return strings.Repeat("0", 16-len(s)) + s }

func FuzzParseStat(f *testing.F) {
	files, _ := filepath.Glob("testdata/stat-*")
	for _, file := range files {
		b, _ := os.ReadFile(file)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var s Stat
		if err := ParseStat(b, &s); err != nil {
			return
		}
		if strings.Count(string(b), "(") == 0 || !strings.Contains(string(b), s.Comm) {
			t.Fatalf("comm %q not in input", s.Comm)
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
	var st Status
	for b.Loop() {
		if err := ParseStatus(data, &st); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseStat(b *testing.B) {
	data, err := os.ReadFile("testdata/stat-self")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var s Stat
	for b.Loop() {
		if err := ParseStat(data, &s); err != nil {
			b.Fatal(err)
		}
	}
}
