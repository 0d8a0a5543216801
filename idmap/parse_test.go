package idmap

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type parseCase struct {
	in    string
	want  []Range // nil with err == nil: the zero Map
	err   error
	line  int
	field int
}

func checkParse(t *testing.T, fn string, got Map, err error, tt parseCase) {
	t.Helper()
	if tt.err != nil {
		var pe *ParseError
		if !errors.Is(err, tt.err) || !errors.As(err, &pe) {
			t.Errorf("%s(%q) error = %v, want a *ParseError for %v", fn, tt.in, err, tt.err)
			return
		}
		if pe.Line != tt.line || pe.Field != tt.field {
			t.Errorf("%s(%q): line %d field %d, want line %d field %d (%v)", fn, tt.in, pe.Line, pe.Field, tt.line, tt.field, err)
		}
		return
	}
	if err != nil {
		t.Errorf("%s(%q): %v", fn, tt.in, err)
		return
	}
	if want := MustNew(tt.want...); !got.Equal(want) {
		t.Errorf("%s(%q) = %v, want %v", fn, tt.in, got.Ranges(), tt.want)
	}
}

func TestParseProc(t *testing.T) {
	for _, tt := range []parseCase{
		{in: "", want: nil},
		{in: "0 1000 1", want: []Range{r(0, 1000, 1)}},
		{in: "0 1000 1\n", want: []Range{r(0, 1000, 1)}},
		{in: "0\t1000\t1\n", want: []Range{r(0, 1000, 1)}},
		{in: "         0          0 4294967295\n", want: []Range{r(0, 0, 4294967295)}},
		{in: "  0 100000 65536  \n65536 1000 1\r\n", want: []Range{r(0, 100000, 65536), r(65536, 1000, 1)}},
		{in: "007 0010 01", want: []Range{r(7, 10, 1)}},
		// unshare(1)'s EXAMPLES (util-linux 2.38): --map-root-user, and
		// --map-auto with --map-root-user.
		{in: "         0       1000          1\n", want: []Range{r(0, 1000, 1)}},
		{in: "         0       1000          1\n         1     100000      65535\n", want: []Range{r(0, 1000, 1), r(1, 100000, 65535)}},
		// podman --userns=keep-id:uid=11 (podman PR #15389).
		{in: "         0          1         11\n        11          0          1\n        12         12      65525\n", want: []Range{r(0, 1, 11), r(11, 0, 1), r(12, 12, 65525)}},
		{in: "0 0 1\n\n", err: ErrSyntax, line: 2, field: 1},
		{in: "\n0 0 1", err: ErrSyntax, line: 1, field: 1},
		{in: "0 0", err: ErrSyntax, line: 1, field: 3},
		{in: "0 0 1 1", err: ErrSyntax, line: 1, field: 4},
		{in: "0 0 1\n2 2", err: ErrSyntax, line: 2, field: 3},
		{in: "+0 0 1", err: ErrSyntax, line: 1, field: 1},
		{in: "-1 0 1", err: ErrSyntax, line: 1, field: 1},
		{in: "0x10 0 1", err: ErrSyntax, line: 1, field: 1},
		{in: "1_000 0 1", err: ErrSyntax, line: 1, field: 1},
		{in: "0 0 1\u00a0", err: ErrSyntax, line: 1, field: 3},
		{in: "4294967296 0 1", err: ErrRange, line: 1, field: 1},
		{in: "0 99999999999999999999 1", err: ErrRange, line: 1, field: 2},
		{in: "0 4294967295 4294967295", err: ErrRange, line: 1, field: 2},
		{in: "0 0 0", err: ErrEmpty, line: 1},
		{in: "0 4294901760 65536", err: ErrRange, line: 1},
		{in: "0 0 10\n5 100 1\n", err: ErrOverlap, line: 2},
		{in: mapText(seq(341, 2), false), err: ErrTooMany, line: 341},
		{in: mapText(wide(171), true), err: ErrTooLong},
	} {
		m, err := ParseProc(tt.in)
		checkParse(t, "ParseProc", m, err, tt)
	}
}

// TestParseProcSamples reads maps the kernel showed on this machine.
func TestParseProcSamples(t *testing.T) {
	for _, tt := range []struct {
		file string
		want []Range
		err  error
	}{
		{"proc_root_init.uid_map", []Range{r(0, 0, 4294967295)}, nil},
		{"proc_unshare_r_root.uid_map", []Range{r(0, 0, 1)}, nil},
		{"proc_unshare_r_nrtest.uid_map", []Range{r(0, 1001, 1)}, nil},
		{"proc_multi_host_view.uid_map", []Range{r(0, 100000, 65536), r(65536, 1000, 1), r(70000, 2000000000, 10)}, nil},
		{"proc_multi_own_view.uid_map", []Range{r(0, 100000, 65536), r(65536, 1000, 1), r(70000, 2000000000, 10)}, nil},
		{"proc_340.uid_map", seq(340, 2), nil},
		// A grandchild mapped 0:1000:1000 inside a child mapped
		// 0:100000:65536, read from the child and from the host.
		{"proc_nested_middle_view.uid_map", []Range{r(0, 1000, 1000)}, nil},
		{"proc_nested_host_view.uid_map", []Range{r(0, 101000, 1000)}, nil},
		// /proc/1/uid_map read by uid 1001 inside `unshare -r`: the
		// reader's namespace does not map host uid 0.
		{"proc_unshare_r_nrtest_pid1.uid_map", nil, ErrRange},
	} {
		b, err := os.ReadFile(filepath.Join("testdata", tt.file))
		if err != nil {
			t.Fatal(err)
		}
		m, err := ParseProc(string(b))
		if tt.err != nil {
			if !errors.Is(err, tt.err) || !strings.Contains(err.Error(), "reader's namespace") {
				t.Errorf("%s: error %v, want %v explaining the reader's namespace", tt.file, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.file, err)
			continue
		}
		if !m.Equal(MustNew(tt.want...)) {
			t.Errorf("%s: got %v", tt.file, m)
		}
		if m2, err := ParseProc(m.String()); err != nil || !m2.Equal(m) {
			t.Errorf("%s: round trip gave %v, %v", tt.file, m2, err)
		}
	}
}

func TestParsePodman(t *testing.T) {
	for _, tt := range []parseCase{
		{in: "", want: nil},
		// podman-run(1): --uidmap=0:100000:65536 and several ranges.
		{in: "0:100000:65536", want: []Range{r(0, 100000, 65536)}},
		{in: "0:1:1000,1000:0:1,1001:1001:64535", want: []Range{r(0, 1, 1000), r(1000, 0, 1), r(1001, 1001, 64535)}},
		// The amount defaults to 1 (podman 4.6 and later).
		{in: "1000:0", want: []Range{r(1000, 0, 1)}},
		{in: "0:@1000:1", err: ErrSyntax, field: 1},
		{in: "+0:0:1", err: ErrSyntax, field: 1},
		{in: "u0:0:1", err: ErrSyntax, field: 1},
		{in: "g0:0:1", err: ErrSyntax, field: 1},
		{in: "0:0:1,", err: ErrSyntax, field: 2},
		{in: "0", err: ErrSyntax, field: 1},
		{in: "0:0:1:1", err: ErrSyntax, field: 1},
		{in: "0 :0:1", err: ErrSyntax, field: 1},
		{in: "0:0:0", err: ErrEmpty, field: 1},
		{in: "0:4294901760:65536", err: ErrRange, field: 1},
		{in: "0:0:4294967296", err: ErrRange, field: 1},
		{in: "0:0:10,5:100:1", err: ErrOverlap, field: 2},
	} {
		m, err := ParsePodman(tt.in)
		checkParse(t, "ParsePodman", m, err, tt)
	}
}

func TestParsePodmanRelative(t *testing.T) {
	// The caller's own map as rootless podman makes it for uid 1000 with
	// 100000:65536 in /etc/subuid.
	parent := MustNew(r(0, 1000, 1), r(1, 100000, 65536))
	for _, tt := range []parseCase{
		{in: "0:@1000:1", want: []Range{r(0, 0, 1)}},
		{in: "0:@100000:10,10:0:1", want: []Range{r(0, 1, 10), r(10, 0, 1)}},
		{in: "1:1:65536", want: []Range{r(1, 1, 65536)}},
		{in: "0:@2000:1", err: ErrNotInParent, field: 1},
		{in: "0:@165535:2", err: ErrNotInParent, field: 1},
		{in: "0:@1000:1,0:5:1", err: ErrOverlap, field: 2},
	} {
		m, err := ParsePodmanRelative(tt.in, parent)
		checkParse(t, "ParsePodmanRelative", m, err, tt)
	}
	// An @ range across two adjacent extents of the parent is split.
	adj := MustNew(r(0, 5000, 10), r(100, 5010, 10))
	m, err := ParsePodmanRelative("0:@5005:10", adj)
	if err != nil || !m.Equal(MustNew(r(0, 5, 5), r(5, 100, 5))) {
		t.Errorf("split @ range = %v, %v", m.Ranges(), err)
	}
}

func TestParseUnshare(t *testing.T) {
	for _, tt := range []struct {
		parseCase
		values []string
	}{
		// unshare(1) of util-linux 2.38: --map-users=outeruid,inneruid,count.
		{values: []string{"100000,0,65536"}, parseCase: parseCase{want: []Range{r(0, 100000, 65536)}}},
		// util-linux 2.39+: inneruid:outeruid:count.
		{values: []string{"0:100000:65536"}, parseCase: parseCase{want: []Range{r(0, 100000, 65536)}}},
		{values: []string{"1000,0,1", "1:100000:999"}, parseCase: parseCase{want: []Range{r(0, 1000, 1), r(1, 100000, 999)}}},
		// Numbers as 2.38.1's strtoul takes them (TestUnshareTool checks
		// the tool): blanks and + before, decimal with a leading 0.
		{values: []string{" +100000,\t0,+65536"}, parseCase: parseCase{want: []Range{r(0, 100000, 65536)}}},
		{values: []string{"0100000,00,065536"}, parseCase: parseCase{want: []Range{r(0, 100000, 65536)}}},
		{values: []string{"100000 ,0,65536"}, parseCase: parseCase{err: ErrSyntax, field: 1}},
		{values: []string{"0x186a0,0,65536"}, parseCase: parseCase{err: ErrSyntax, field: 1}},
		{values: []string{"-1,0,1"}, parseCase: parseCase{err: ErrSyntax, field: 1}},
		{values: []string{"100000,0,65536,"}, parseCase: parseCase{err: ErrSyntax, field: 1}},
		{values: nil, parseCase: parseCase{want: nil}},
		{values: []string{"auto"}, parseCase: parseCase{err: ErrSyntax, field: 1}},
		{values: []string{"0,0,1", "all"}, parseCase: parseCase{err: ErrSyntax, field: 2}},
		{values: []string{"0,0"}, parseCase: parseCase{err: ErrSyntax, field: 1}},
		{values: []string{"0:0,1"}, parseCase: parseCase{err: ErrSyntax, field: 1}},
		{values: []string{""}, parseCase: parseCase{err: ErrSyntax, field: 1}},
		{values: []string{"0,0,0"}, parseCase: parseCase{err: ErrEmpty, field: 1}},
		// The common mistake: podman's order given to unshare maps host
		// uid 0 and breaks the 2^32 rule on the inside.
		{values: []string{"0,4294901760,65536"}, parseCase: parseCase{err: ErrRange, field: 1}},
		{values: []string{"100000,0,10", "100005,100,1"}, parseCase: parseCase{err: ErrOverlap, field: 2}},
	} {
		tt.in = strings.Join(tt.values, " ")
		m, err := ParseUnshare(tt.values...)
		checkParse(t, "ParseUnshare", m, err, tt.parseCase)
	}
	m := MustNew(r(0, 100000, 65536), r(65536, 1000, 1))
	if got := m.FormatUnshare(); strings.Join(got, " ") != "100000,0,65536 1000,65536,1" {
		t.Errorf("FormatUnshare = %q", got)
	}
}

func TestFormatPodman(t *testing.T) {
	m := MustNew(r(0, 100000, 65536), r(65536, 1000, 1))
	if got := m.FormatPodman(); got != "0:100000:65536,65536:1000:1" {
		t.Errorf("FormatPodman = %q", got)
	}
	if got := (Map{}).FormatPodman(); got != "" {
		t.Errorf("FormatPodman of the zero Map = %q", got)
	}
}
