package idmap

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
)

func TestParseSubIDs(t *testing.T) {
	for _, tt := range []struct {
		in    string
		want  []SubIDRange
		err   error
		line  int
		field int
	}{
		{in: "", want: nil},
		{in: "alice:100000:65536\n", want: []SubIDRange{{"alice", 100000, 65536}}},
		{in: "# comment\n\n   \nalice:100000:65536\n1000:200000:10", want: []SubIDRange{{"alice", 100000, 65536}, {"1000", 200000, 10}}},
		// shadow-utils reads numbers with strtoll base 0 (checked against
		// getsubids in TestSubIDsAgainstGetsubids).
		{in: "alice:0x10:0100", want: []SubIDRange{{"alice", 16, 64}}},
		{in: "alice: 100000:+65536", want: []SubIDRange{{"alice", 100000, 65536}}},
		{in: "alice:100000:65536:extra", want: []SubIDRange{{"alice", 100000, 65536}}},
		{in: " gina:5:5", want: []SubIDRange{{" gina", 5, 5}}},
		{in: "alice:100000", err: ErrSyntax, line: 1, field: 3},
		{in: "alice", err: ErrSyntax, line: 1, field: 2},
		{in: ":100000:65536", err: ErrSyntax, line: 1, field: 1},
		{in: "ok:1:1\nalice:100000x:65536", err: ErrSyntax, line: 2, field: 2},
		{in: "alice:100000:65536 ", err: ErrSyntax, line: 1, field: 3},
		{in: "alice:100000:65536\r", err: ErrSyntax, line: 1, field: 3},
		{in: "alice::65536", err: ErrSyntax, line: 1, field: 2},
		{in: "alice:08:1", err: ErrSyntax, line: 1, field: 2},
		{in: "alice:1_000:1", err: ErrSyntax, line: 1, field: 2},
		{in: "alice:0b1:1", err: ErrSyntax, line: 1, field: 2},
		{in: "alice:-1:5", err: ErrRange, line: 1, field: 2},
		{in: "alice:4294967296:1", err: ErrRange, line: 1, field: 2},
		{in: "alice:99999999999999999999:1", err: ErrRange, line: 1, field: 2},
		{in: "alice:4294967295:1", err: ErrRange, line: 1, field: 3},
		{in: "alice:100000:0", err: ErrEmpty, line: 1, field: 3},
	} {
		got, err := ParseSubIDs(strings.NewReader(tt.in))
		if tt.err != nil {
			var pe *ParseError
			if !errors.Is(err, tt.err) || !errors.As(err, &pe) || pe.Line != tt.line || pe.Field != tt.field {
				t.Errorf("ParseSubIDs(%q) error = %v, want %v at line %d field %d", tt.in, err, tt.err, tt.line, tt.field)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("ParseSubIDs(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestSubIDSource(t *testing.T) {
	src := SubIDSource{Root: "testdata/root"}
	for _, tt := range []struct {
		user string
		gids bool
		want []SubIDRange
		err  error
	}{
		{user: "alice", want: []SubIDRange{{"alice", 100000, 65536}, {"alice", 500000, 10}}},
		{user: "1000", want: []SubIDRange{{"alice", 100000, 65536}, {"alice", 500000, 10}}},
		// bob's entries by uid and by name, in the file's order, as
		// getsubids lists them.
		{user: "bob", want: []SubIDRange{{"1001", 165536, 65536}, {"bob", 300000, 1000}}},
		{user: "1001", want: []SubIDRange{{"1001", 165536, 65536}, {"bob", 300000, 1000}}},
		{user: "carol", err: ErrNoSubIDs},
		{user: "nobody-here", err: ErrNoSubIDs},
		{user: "alice", gids: true, want: []SubIDRange{{"alice", 200000, 65536}}},
		{user: "bob", gids: true, err: ErrNoSubIDs},
		{user: "", err: ErrSyntax},
	} {
		look := src.UIDs
		if tt.gids {
			look = src.GIDs
		}
		got, err := look(tt.user)
		if tt.err != nil {
			var se *SubIDError
			if !errors.Is(err, tt.err) || !errors.As(err, &se) {
				t.Errorf("lookup %q (gids %v) error = %v, want %v", tt.user, tt.gids, err, tt.err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("lookup %q (gids %v) = %v, %v; want %v", tt.user, tt.gids, got, err, tt.want)
		}
	}
	_, err := src.UIDs("carol")
	if err == nil || !strings.Contains(err.Error(), "usermod --add-subuids 100000-165535 carol)") {
		t.Errorf("no-entry error %v does not say how to add a range", err)
	}
	// Asked by uid, the remedy names the login usermod wants.
	_, err = src.GIDs("1001")
	if err == nil || !strings.Contains(err.Error(), "usermod --add-subgids 100000-165535 bob)") {
		t.Errorf("no-entry error %v does not name bob's login", err)
	}
	_, err = SubIDSource{Root: t.TempDir()}.UIDs("alice")
	if !errors.Is(err, ErrNoSubIDs) {
		t.Errorf("missing files: %v, want ErrNoSubIDs", err)
	}
}

func TestParseGetsubids(t *testing.T) {
	b, err := os.ReadFile("testdata/getsubids.txt")
	if err != nil {
		t.Fatal(err)
	}
	got, err := parseGetsubids(string(b))
	want := []SubIDRange{{"alice", 16, 64}, {" gina", 5, 5}, {"bob", 100000, 65536}, {"bob", 200000, 10}}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("parseGetsubids = %v, %v; want %v", got, err, want)
	}
	for _, bad := range []string{"0: alice 1x 5\n", "alice 1 5\n", "0: alice 5\n", "0: alice 5 0\n", "0:  5 5\n"} {
		if _, err := parseGetsubids(bad); err == nil {
			t.Errorf("parseGetsubids(%q) succeeded", bad)
		}
	}
}

func TestRootlessMap(t *testing.T) {
	m, err := RootlessMap(1000, []SubIDRange{{"alice", 100000, 65536}, {"alice", 500000, 10}})
	if err != nil || !m.Equal(MustNew(r(0, 1000, 1), r(1, 100000, 65536), r(65537, 500000, 10))) {
		t.Errorf("RootlessMap = %v, %v", m.Ranges(), err)
	}
	if _, err := RootlessMap(100005, []SubIDRange{{"x", 100000, 65536}}); !errors.Is(err, ErrOverlap) {
		t.Errorf("uid inside its own range: %v, want ErrOverlap", err)
	}
	if _, err := RootlessMap(1000, []SubIDRange{{"x", 100000, 4000000000}, {"y", 10, 500000000}}); !errors.Is(err, ErrRange) {
		t.Errorf("too many IDs: %v, want ErrRange", err)
	}
}

func TestFormatSubIDs(t *testing.T) {
	in := []SubIDRange{{"alice", 100000, 65536}, {"1001", 5, 5}}
	if got := FormatSubIDs(in); got != "alice:100000:65536\n1001:5:5\n" {
		t.Errorf("FormatSubIDs = %q", got)
	}
}
