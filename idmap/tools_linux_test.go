//go:build linux

package idmap

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nonroot-go/nonroot/internal/testenv"
)

// mountNSFeature names a private mount namespace in which /etc/subuid can
// be bind-mounted over (root, or `unshare -r`).
const mountNSFeature = "mountns"

// getsubidsWith runs getsubids user with subuid bind-mounted over
// /etc/subuid in a private mount namespace, so the real shadow-utils
// parser reads our file. It returns getsubids' output, empty when it
// finds no range.
func getsubidsWith(t *testing.T, subuid, user string) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "subuid")
	if err := os.WriteFile(file, []byte(subuid), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chmod(filepath.Dir(file), 0o755)
	cmd := exec.Command("unshare", "-m", "sh", "-c", `mount --bind "$1" /etc/subuid && exec getsubids "$2"`, "sh", file, user)
	out, err := cmd.CombinedOutput()
	if err != nil {
		if strings.Contains(string(out), "Error fetching ranges") {
			return ""
		}
		t.Fatalf("getsubids on %q: %v: %s", subuid, err, out)
	}
	return string(out)
}

func probeMountNS() error {
	if _, err := exec.LookPath("unshare"); err != nil {
		return fmt.Errorf("unshare not found (apt-get install util-linux)")
	}
	out, err := exec.Command("unshare", "-m", "sh", "-c", "mount --bind /etc/subuid /etc/subuid").CombinedOutput()
	if err != nil {
		return fmt.Errorf("bind-mounting over /etc/subuid in a new mount namespace: %v: %s (needs CAP_SYS_ADMIN: run as root or under unshare -r)", err, strings.TrimSpace(string(out)))
	}
	return nil
}

// TestSubIDsAgainstGetsubids gives shadow-utils' own parser, through
// getsubids, the quirky lines of a subuid file one by one: where it
// takes a line, ParseSubIDs must read the same numbers; where it skips a
// line as unreadable, ParseSubIDs must fail. Three lines shadow-utils
// takes are refused on purpose (a negative start, an end at 4294967295 or
// beyond, a count of 0): no namespace can use them.
func TestSubIDsAgainstGetsubids(t *testing.T) {
	testenv.RequireTool(t, "getsubids", "uidmap")
	testenv.Require(t, mountNSFeature, probeMountNS())
	for _, tt := range []struct {
		line    string
		refused bool // taken by shadow-utils, refused by ParseSubIDs
	}{
		{line: "u:100000:65536"},
		{line: "u:0x10:0100"},
		{line: "u: 100000:65536"},
		{line: "u:100000:+5"},
		{line: "u:100000:65536:extra"},
		{line: "u:100000:65536 "},
		{line: "u:100000x:1"},
		{line: "u::1"},
		{line: "u:08:1"},
		{line: "u:1_000:1"},
		{line: "u:99999999999999999999:1"},
		{line: "u:100000"},
		{line: "u:-1:5", refused: true},
		{line: "u:4294967295:10", refused: true},
		{line: "u:100000:0", refused: true},
	} {
		out := getsubidsWith(t, tt.line+"\n", "u")
		ours, perr := ParseSubIDs(strings.NewReader(tt.line + "\n"))
		if tt.refused {
			if strings.Count(out, "\n") != 1 || perr == nil {
				t.Errorf("%q: getsubids %q, ParseSubIDs %v, %v; want getsubids to take it and ParseSubIDs to refuse it", tt.line, out, ours, perr)
			}
			continue
		}
		shadow, err := parseGetsubids(out)
		if err != nil {
			t.Fatalf("getsubids' output %q: %v", out, err)
		}
		switch {
		case len(shadow) == 0:
			if perr == nil {
				t.Errorf("%q: getsubids skips it, ParseSubIDs reads %v", tt.line, ours)
			}
		case perr != nil || !slices.Equal(ours, shadow):
			t.Errorf("%q: getsubids reads %v, ParseSubIDs %v, %v", tt.line, shadow, ours, perr)
		}
	}
	// Entries by uid and by name, in the file's order; getsubids names
	// them all by the user asked for.
	file := "1001:300000:10\nnrtest:100000:65536\nother:5:5\n"
	shadow, err := parseGetsubids(getsubidsWith(t, file, "nrtest"))
	if err != nil {
		t.Fatal(err)
	}
	entries, err := ParseSubIDs(strings.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	if name, uid := nrtestPasswd(t); !sameRanges(SelectSubIDs(entries, name, uid), shadow) {
		t.Errorf("SelectSubIDs(%q, %q) = %v; getsubids says %v", name, uid, SelectSubIDs(entries, name, uid), shadow)
	}
}

func nrtestPasswd(t *testing.T) (string, string) {
	u, err := lookupPasswd("/etc/passwd", "nrtest")
	if err != nil {
		testenv.Require(t, "nrtest", fmt.Errorf("user nrtest missing (useradd -u 1001 nrtest): %v", err))
	}
	return u.name, u.uid
}

// TestLookupSubUIDsMachine compares the look-up of the machine's own
// files with what getsubids answers for the same user.
func TestLookupSubUIDsMachine(t *testing.T) {
	prog := testenv.RequireTool(t, "getsubids", "uidmap")
	name, uid := nrtestPasswd(t)
	for _, gids := range []bool{false, true} {
		want, err := getsubids(prog, gids, name)
		if err != nil {
			t.Fatal(err)
		}
		look := LookupSubUIDs
		if gids {
			look = LookupSubGIDs
		}
		for _, user := range []string{name, uid} {
			got, err := look(user)
			if len(want) == 0 {
				if !errors.Is(err, ErrNoSubIDs) {
					t.Errorf("lookup %q (gids %v) = %v, %v; getsubids has none", user, gids, got, err)
				}
				continue
			}
			if err != nil || !sameRanges(got, want) {
				t.Errorf("lookup %q (gids %v) = %v, %v; getsubids says %v", user, gids, got, err, want)
			}
		}
	}
	// A user with no entry: the look-up asks getsubids, which has none.
	_, err := LookupSubUIDs("idmap-test-no-such-user")
	if !errors.Is(err, ErrNoSubIDs) {
		t.Errorf("unknown user: %v, want ErrNoSubIDs", err)
	}
	// A getsubids that fails is reported, not taken for "none".
	_, err = SubIDSource{Getsubids: "/bin/false"}.UIDs("idmap-test-no-such-user")
	if err == nil || errors.Is(err, ErrNoSubIDs) {
		t.Errorf("failing getsubids: %v", err)
	}
}

// TestUnshareTool hands FormatUnshare's value to util-linux unshare
// --map-users and reads the map the child shows.
func TestUnshareTool(t *testing.T) {
	testenv.RequireTool(t, "unshare", "util-linux")
	m := MustNew(Range{0, 100000, 65536})
	args := m.FormatUnshare()
	// unshare runs newuidmap, which wants the range in the caller's own
	// /etc/subuid entry, root included.
	out, err := exec.Command("unshare", "--user", "--map-users="+args[0], "cat", "/proc/self/uid_map").CombinedOutput()
	testenv.Require(t, "unshare-map-users", probeErr(err, out, "unshare --map-users=100000,0,65536 (needs newuidmap, run from the initial namespace, and 100000:65536 in the caller's /etc/subuid entry: usermod --add-subuids 100000-165535 $USER)"))
	got, err := ParseProc(string(out))
	if err != nil || !got.Equal(m) {
		t.Errorf("unshare --map-users=%s shows %q (%v); want %v", args[0], out, err, m)
	}
	// Numbers as unshare reads them, and what it refuses.
	for _, v := range []string{" +100000,0,+65536", "0100000,0,65536", "100000 ,0,65536", "0x186a0,0,65536", "100000,0,65536,"} {
		out, err := exec.Command("unshare", "--user", "--map-users="+v, "cat", "/proc/self/uid_map").CombinedOutput()
		parsed, perr := ParseUnshare(v)
		if (err == nil) != (perr == nil) {
			t.Errorf("--map-users=%q: unshare %v (%s), ParseUnshare %v", v, err, bytes.TrimSpace(out), perr)
			continue
		}
		if shown, serr := ParseProc(string(out)); err == nil && (serr != nil || !shown.Equal(parsed)) {
			t.Errorf("--map-users=%q: unshare shows %q, ParseUnshare says %v", v, out, parsed)
		}
	}
	// podman's order with unshare's commas, the common mistake, reads as
	// the inverse map.
	wrong, err := ParseUnshare(strings.ReplaceAll(m.FormatPodman(), ":", ","))
	if err != nil || !wrong.Equal(m.Inverse()) {
		t.Errorf("podman's order as unshare's = %v, %v; want the inverse %v", wrong, err, m.Inverse())
	}
}

func probeErr(err error, out []byte, what string) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s failed: %v: %s", what, err, strings.TrimSpace(string(out)))
}

// sameRanges compares starts and counts: getsubids names every entry by
// the user asked for, where the file may name it by uid.
func sameRanges(a, b []SubIDRange) bool {
	return slices.EqualFunc(a, b, func(x, y SubIDRange) bool { return x.Start == y.Start && x.Count == y.Count })
}

// TestGetsubidsFallback has the look-up find no entry in the machine's
// /etc/subuid and ask getsubids, which answers from another source: the
// real getsubids reading a file bind-mounted in its own mount namespace,
// as an LDAP or SSSD source would answer.
func TestGetsubidsFallback(t *testing.T) {
	testenv.RequireTool(t, "getsubids", "uidmap")
	testenv.Require(t, mountNSFeature, probeMountNS())
	const user = "idmap-fallback-user"
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	file := filepath.Join(dir, "subuid")
	if err := os.WriteFile(file, []byte(user+":300000:1000\n"+user+":400000:5\ndaemon:600000:7\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	wrapper := filepath.Join(dir, "getsubids")
	script := "#!/bin/sh\nexec unshare -m sh -c 'mount --bind \"$0\" /etc/subuid && exec getsubids \"$@\"' " + file + " \"$@\"\n"
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	if got, err := LookupSubUIDs(user); !errors.Is(err, ErrNoSubIDs) {
		t.Fatalf("the machine's files have an entry for %s: %v, %v", user, got, err)
	}
	got, err := SubIDSource{Getsubids: wrapper}.UIDs(user)
	want := []SubIDRange{{user, 300000, 1000}, {user, 400000, 5}}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("fallback to getsubids = %v, %v; want %v", got, err, want)
	}
	if _, err := (SubIDSource{Getsubids: "-"}).UIDs(user); !errors.Is(err, ErrNoSubIDs) {
		t.Errorf("with getsubids disabled: %v, want ErrNoSubIDs", err)
	}
	// Asked by uid, the look-up asks getsubids by name: getsubids itself
	// matches a name's entries only when given the name.
	d, err := lookupPasswd("/etc/passwd", "daemon")
	if err != nil {
		t.Skipf("no user daemon in /etc/passwd to look up by uid: %v", err)
	}
	if got, err := LookupSubUIDs("daemon"); !errors.Is(err, ErrNoSubIDs) {
		t.Skipf("the machine's subuid source has entries for daemon: %v, %v", got, err)
	}
	got, err = SubIDSource{Getsubids: wrapper}.UIDs(d.uid)
	if want := []SubIDRange{{"daemon", 600000, 7}}; err != nil || !slices.Equal(got, want) {
		t.Errorf("fallback to getsubids for uid %s = %v, %v; want %v", d.uid, got, err, want)
	}
}
