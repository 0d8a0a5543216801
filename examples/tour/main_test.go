//go:build linux

package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/nonroot-go/nonroot/idmap"
	"github.com/nonroot-go/nonroot/internal/testenv"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testenv.RemovePrograms()
	os.Exit(code)
}

// Feature names of this test, beyond internal/testenv's.
const (
	// subuidUser: a user other than root has 65536 IDs in /etc/subuid and
	// /etc/subgid (for root's run of step 6).
	subuidUser = "subuid-user"
)

// probeHostRoot reports why the caller is not root of the initial user
// namespace, able to give a file to uid 0 and to start children as
// 6667:6667 (steps 1 to 3 need all three); its feature is testenv.SetID,
// which CI requires where it runs as root.
func probeHostRoot() error {
	m, err := idmap.SelfUIDMap()
	if err != nil {
		return err
	}
	if !m.Equal(idmap.MustNew(idmap.Range{ContainerID: 0, HostID: 0, Size: 4294967295})) {
		return errors.New("the caller runs in a user namespace (uid_map " + strings.TrimSpace(m.String()) + "), not as host root: run the test as root on the host")
	}
	f, err := os.CreateTemp("", "tour-probe-")
	if err != nil {
		return err
	}
	f.Close()
	defer os.Remove(f.Name())
	if err := os.Chown(f.Name(), 0, 0); err != nil {
		return errors.New("giving a file to uid 0 failed: " + err.Error() + " (run the test as root)")
	}
	return testenv.ProbeSetID()
}

func probeSubUIDUser() error {
	_, _, _, err := rootlessUser()
	return err
}

// stepNeeds says, per step, the feature the caller needs for the step to
// run and the probe for it.
func stepNeeds() map[int]struct {
	feature string
	err     error
} {
	type need = struct {
		feature string
		err     error
	}
	host := probeHostRoot()
	ns := testenv.ProbeUserNS()
	multi := host
	if multi == nil {
		multi = testenv.ProbeMultiMap()
	}
	rootless := need{testenv.UserNS, ns}
	if host == nil {
		rootless = need{subuidUser, probeSubUIDUser()}
	}
	return map[int]need{
		1: {testenv.SetID, host},
		2: {testenv.SetID, host},
		3: {testenv.SetID, host},
		4: {testenv.MultiMap, multi},
		5: {testenv.UserNS, ns},
		6: rootless,
		7: {testenv.UserNS, ns},
	}
}

func TestTourJSON(t *testing.T) {
	bin := testenv.Program(t, "tour")
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(bin, "--json")
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var tour Tour
	if jerr := json.Unmarshal(stdout.Bytes(), &tour); jerr != nil {
		t.Fatalf("tour --json: %v; output is not JSON (%v):\n%s\nstderr: %s", err, jerr, stdout.String(), stderr.String())
	}
	if err != nil {
		for _, s := range tour.Steps {
			if s.Verdict != VerdictOK && s.Verdict != VerdictSkipped {
				t.Errorf("step %d %q: %s: %s\nobserved: %q", s.N, s.Title, s.Verdict, s.Why, s.Observed)
			}
		}
		t.Fatalf("tour --json exited with %v; stderr: %s", err, stderr.String())
	}
	if len(tour.Steps) != 7 {
		t.Fatalf("the tour has %d steps, want 7", len(tour.Steps))
	}
	needs := stepNeeds()
	for _, s := range tour.Steps {
		t.Run(fmt.Sprintf("step%d", s.N), func(t *testing.T) {
			switch s.Verdict {
			case VerdictOK:
				if len(s.Observed) == 0 {
					t.Errorf("step %d has the verdict ok but observed nothing", s.N)
				}
			case VerdictSkipped:
				if s.Skipped == "" || s.WouldShow == "" || s.HowToRun == "" {
					t.Errorf("step %d is skipped without saying why (%q), what it would show (%q) and how to run it (%q)", s.N, s.Skipped, s.WouldShow, s.HowToRun)
				}
			default:
				t.Fatalf("step %d: verdict %q (%s) with exit status 0", s.N, s.Verdict, s.Why)
			}
			if s.Title == "" || s.Setup == "" || s.Expect == "" {
				t.Errorf("step %d lacks a title, setup or expectation: %+v", s.N, s)
			}
			need := needs[s.N]
			if s.Verdict == VerdictSkipped {
				// The tour skipped: the caller must really lack what the
				// step needs, and CI requires the features it has.
				if need.err == nil {
					t.Fatalf("step %d skipped (%s), but %s is available here", s.N, s.Skipped, need.feature)
				}
				testenv.Require(t, need.feature, fmt.Errorf("step %d skipped (%s); the probe agrees: %w", s.N, s.Skipped, need.err))
			}
			if s.N == 6 && len(s.NotRun) > 0 {
				// The newuidmap half: required where the caller (or, as
				// root, the user the tour picks) has ranges and the tools.
				err := testenv.ProbeNewuidmap(65536)
				if needs[1].err == nil {
					err = newuidmapTools()
				}
				if err == nil {
					t.Fatalf("step 6 did not run the newuidmap child, though newuidmap and subordinate ranges are available: %q", s.NotRun)
				}
				testenv.Require(t, testenv.Newuidmap, err)
			}
		})
	}
}

func newuidmapTools() error {
	for _, name := range []string{"newuidmap", "newgidmap"} {
		p, err := exec.LookPath(name)
		if err != nil {
			return errors.New(name + " not found (apt-get install uidmap)")
		}
		var st syscall.Stat_t
		if err := syscall.Stat(p, &st); err != nil || st.Mode&syscall.S_ISUID == 0 {
			return errors.New(p + " is not setuid (reinstall uidmap)")
		}
	}
	return nil
}

// TestTourText runs the tour as a newcomer would and checks that every
// step prints its parts and a verdict.
func TestTourText(t *testing.T) {
	bin := testenv.Program(t, "tour")
	out, err := exec.Command(bin).CombinedOutput()
	if err != nil {
		t.Fatalf("tour: %v\n%s", err, out)
	}
	text := string(out)
	for n := 1; n <= 7; n++ {
		i := strings.Index(text, "\n"+string(rune('0'+n))+". ")
		if i < 0 {
			t.Fatalf("no step %d in the output:\n%s", n, text)
		}
		block := text[i+1:]
		if j := strings.Index(block, "\n\n"); j >= 0 {
			block = block[:j]
		}
		for _, part := range []string{"setup:", "expect:"} {
			if !strings.Contains(block, part) {
				t.Errorf("step %d prints no %q:\n%s", n, part, block)
			}
		}
		if !strings.Contains(block, "verdict:") && !strings.Contains(block, "skipped:") {
			t.Errorf("step %d prints no verdict:\n%s", n, block)
		}
	}
	if !strings.Contains(text, "0 contradicted, 0 errors") {
		t.Errorf("the summary line does not say 0 contradicted, 0 errors:\n%s", text)
	}
}

func TestTourBadUsage(t *testing.T) {
	bin := testenv.Program(t, "tour")
	out, err := exec.Command(bin, "--no-such-flag").CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 {
		t.Fatalf("tour --no-such-flag: %v, want exit status 2\n%s", err, out)
	}
}
