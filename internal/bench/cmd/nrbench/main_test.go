//go:build linux

package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/nonroot-go/nonroot/userns"
)

// wantIDs are the rows the issue asks for, one per comparison and
// variant; run as root (even a namespace's), nrbench adds comparison 1
// as the ordinary user.
func wantIDs() []string {
	if os.Geteuid() == 0 {
		return []string{"1a", "1b", "1c", "1d", "2", "3/1", "3/5", "3/340", "4a", "4b", "4c", "4d", "5", "6"}
	}
	return []string{"1a", "1b", "2", "3/1", "3/5", "3/340", "4a", "4b", "4c", "4d", "5", "6"}
}

// mainEnv makes the test binary run nrbench's main instead of the tests,
// so that TestQuick needs no go command and works for any user.
const mainEnv = "NRBENCH_TEST_MAIN"

func TestMain(m *testing.M) {
	userns.Init() // the stage of comparison 2 is this binary re-executed
	if os.Getenv(mainEnv) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestQuick runs nrbench with -quick, so the command and
// its table cannot rot: every row must be there, and a row may lack a
// figure only with a reason, never because the two sides disagreed.
func TestQuick(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: nrbench -quick takes a few seconds")
	}
	var stdout, stderr bytes.Buffer
	c := exec.Command("/proc/self/exe", "-quick", "-json")
	c.Env = append(os.Environ(), mainEnv+"=1")
	c.Stdout, c.Stderr = &stdout, &stderr
	if err := c.Run(); err != nil {
		t.Fatalf("nrbench -quick -json: %v\n%s", err, stderr.Bytes())
	}
	var rows []row
	if err := json.Unmarshal(stdout.Bytes(), &rows); err != nil {
		t.Fatalf("decoding the rows: %v\n%s", err, stdout.Bytes())
	}
	var ids []string
	for _, r := range rows {
		ids = append(ids, r.ID)
		switch {
		case strings.Contains(r.Skipped, "disagree"), strings.Contains(r.Skipped, "panicked"):
			t.Errorf("row %s: %s", r.ID, r.Skipped)
		case r.Skipped != "":
			t.Logf("row %s not measured: %s", r.ID, r.Skipped)
		case r.OursNS <= 0 || (r.TheirsNS <= 0 && !r.NoPeer):
			t.Errorf("row %s has no reason to be skipped but lacks a median: ours %v, theirs %v", r.ID, r.OursNS, r.TheirsNS)
		}
	}
	if !slices.Equal(ids, wantIDs()) {
		t.Errorf("rows %q, want %q", ids, wantIDs())
	}

	var md bytes.Buffer
	writeMarkdown(&md, machine{Kernel: "k"}, rows)
	lines := strings.Split(strings.TrimSpace(md.String()), "\n")
	if got := len(lines) - 4; got != len(wantIDs()) { // a machine line, a blank, header, rule
		t.Errorf("markdown has %d table rows, want %d:\n%s", got, len(wantIDs()), md.String())
	}
	if t.Failed() || testing.Verbose() {
		writeText(os.Stderr, describe(), rows)
	}
}

func TestMet(t *testing.T) {
	for _, tc := range []struct {
		r    row
		want string
	}{
		{row{OursNS: 1, TheirsNS: 1, MaxRatio: 1.15}, "yes"},
		{row{OursNS: 1.2, TheirsNS: 1, MaxRatio: 1.15}, "NO"},
		{row{OursNS: 1, TheirsNS: 1, MaxRatio: 1, Below: true}, "NO"},
		{row{OursNS: 0.9, TheirsNS: 1, MaxRatio: 1, Below: true}, "yes"},
		{row{OursNS: 1, TheirsNS: 10, MaxRatio: 0.2, ZeroAllocs: true, OursAllocs: 1}, "NO"},
		{row{OursNS: 1, TheirsNS: 10, MaxRatio: 0.2, ZeroAllocs: true}, "yes"},
		{row{OursNS: 1, TheirsNS: 10}, "—"},
		{row{TheirsNS: 10, MaxRatio: 0.5, Skipped: "ours missing"}, "not measured"},
	} {
		if got := tc.r.met(); got != tc.want {
			t.Errorf("%+v: met() = %q, want %q", tc.r, got, tc.want)
		}
	}
}

func TestInterleave(t *testing.T) {
	var order []string
	a := side{"a", func(int) error { order = append(order, "a"); return nil }}
	b := side{"b", func(int) error { order = append(order, "b"); return nil }}
	s, err := interleave(3, 1, a, b)
	if err != nil {
		t.Fatal(err)
	}
	// One warm-up each, then rounds that rotate who goes first.
	if want := []string{"a", "b", "a", "b", "b", "a", "a", "b"}; !slices.Equal(order, want) {
		t.Errorf("order %q, want %q", order, want)
	}
	if len(s) != 2 || len(s[0].wall) != 3 || len(s[1].cpu) != 3 {
		t.Errorf("samples %v, want 2 sides × 3 rounds", s)
	}
}
