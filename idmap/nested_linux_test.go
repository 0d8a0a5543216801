//go:build linux

package idmap

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/nonroot-go/nonroot/internal/testenv"
)

// nestReport is what the "nest" helper prints: the grandchild it started
// and the maps as seen from inside the middle namespace.
type nestReport struct {
	Pid      int    `json:"pid"`      // the grandchild, 0 if starting it failed
	Errno    int    `json:"errno"`    // errno of starting it, 0 if it started
	Err      string `json:"err"`      // its error text
	SelfUID  string `json:"selfUID"`  // the helper's own uid_map, as it reads it
	InnerUID string `json:"innerUID"` // the grandchild's uid_map, as the helper reads it
}

func init() {
	// nest MAP: start `sleep` in a new user namespace whose uid and gid
	// maps are MAP (podman form), report as JSON, and wait for stdin to
	// close.
	testenv.Helper("nest", func(args []string) int {
		var rep nestReport
		if self, err := SelfUIDMap(); err == nil {
			rep.SelfUID = self.String()
		} else {
			rep.Err = err.Error()
		}
		m, err := ParsePodman(args[0])
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		ids, err := m.ToSysProcIDMap()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		cmd := exec.Command("sleep", "600")
		cmd.SysProcAttr = &syscall.SysProcAttr{
			Cloneflags:  syscall.CLONE_NEWUSER,
			UidMappings: ids,
			GidMappings: ids,
		}
		if err := cmd.Start(); err != nil {
			rep.Err = err.Error()
			var errno syscall.Errno
			if errors.As(err, &errno) {
				rep.Errno = int(errno)
			}
		} else {
			rep.Pid = cmd.Process.Pid
			if inner, err := ReadUIDMap(rep.Pid); err == nil {
				rep.InnerUID = inner.String()
			} else {
				rep.Err = err.Error()
			}
			defer func() { cmd.Process.Kill(); cmd.Wait() }()
		}
		if err := json.NewEncoder(os.Stdout).Encode(rep); err != nil {
			return 1
		}
		io.Copy(io.Discard, os.Stdin)
		return 0
	})
}

// startNest runs the nest helper in a new user namespace with map outer
// (uid and gid) as uid 0 inside, asking it to start a grandchild with
// map inner.
func startNest(t *testing.T, outer, inner Map) nestReport {
	t.Helper()
	ids, err := outer.ToSysProcIDMap()
	if err != nil {
		t.Fatal(err)
	}
	cmd := testenv.Command("nest", inner.FormatPodman())
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags:  syscall.CLONE_NEWUSER,
		UidMappings: ids,
		GidMappings: ids,
		Credential:  &syscall.Credential{Uid: 0, Gid: 0, NoSetGroups: true},
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting the nest helper under %q: %v", outer.String(), err)
	}
	t.Cleanup(func() { stdin.Close(); cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadBytes('\n')
	if err != nil {
		t.Fatalf("reading the nest helper's report: %v", err)
	}
	var rep nestReport
	if err := json.Unmarshal(line, &rep); err != nil {
		t.Fatalf("nest helper's report %q: %v", line, err)
	}
	return rep
}

// TestKernelCompose compares Compose with the kernel's own composition:
// /proc/PID/uid_map of a grandchild, read from here, shows its IDs
// relative to this namespace.
func TestKernelCompose(t *testing.T) {
	testenv.Require(t, testenv.UserNS, testenv.ProbeUserNS())
	big := MustNew(Range{0, 100000, 65536})
	tests := []struct {
		name  string
		outer Map // nil: the single own ID
		inner Map
	}{
		{"single", Map{}, MustNew(Range{0, 0, 1})},
		{"nested 0:1000:1000 in 0:100000:65536", big, MustNew(Range{0, 1000, 1000})},
		{"several", big, MustNew(Range{0, 1, 10}, Range{10, 0, 1}, Range{1000, 60000, 5000})},
		{"two middle extents", MustNew(Range{0, 100000, 1000}, Range{1000, 300000, 1000}), MustNew(Range{0, 500, 500}, Range{500, 1000, 500})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.outer.IsZero() {
				tt.outer = MustNew(Range{0, uint32(os.Geteuid()), 1})
			} else {
				testenv.Require(t, testenv.MultiMap, testenv.ProbeMultiMap())
			}
			if err := tt.inner.CheckParent(tt.outer); err != nil {
				t.Fatalf("test map does not fit its parent: %v", err)
			}
			rep := startNest(t, tt.outer, tt.inner)
			if rep.Pid == 0 {
				t.Fatalf("the middle namespace could not start the grandchild: %s", rep.Err)
			}
			if self, err := ParseProc(rep.SelfUID); err != nil || !self.Equal(tt.outer) {
				t.Errorf("the middle namespace reads its own map as %q (%v), want %q", rep.SelfUID, err, tt.outer.String())
			}
			if in, err := ParseProc(rep.InnerUID); err != nil || !in.Equal(tt.inner) {
				t.Errorf("the middle namespace reads the grandchild's map as %q (%v), want %q", rep.InnerUID, err, tt.inner.String())
			}
			want, err := tt.inner.Compose(tt.outer)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ReadUIDMap(rep.Pid)
			if err != nil || !got.Equal(want) {
				t.Errorf("from here the grandchild's map reads %v (%v); Compose says %v", got, err, want)
			}
			gid, err := ReadGIDMap(rep.Pid)
			if err != nil || !gid.Equal(want) {
				t.Errorf("gid map reads %v (%v); Compose says %v", gid, err, want)
			}
		})
	}
	t.Run("not in parent", func(t *testing.T) {
		testenv.Require(t, testenv.MultiMap, testenv.ProbeMultiMap())
		// One extent across two extents of the middle map: EPERM, as
		// CheckParent says; split, the kernel takes it.
		outer := MustNew(Range{0, 100000, 1000}, Range{1000, 300000, 1000})
		inner := MustNew(Range{0, 500, 1000})
		if err := inner.CheckParent(outer); !errors.Is(err, ErrNotInParent) {
			t.Fatalf("CheckParent = %v", err)
		}
		rep := startNest(t, outer, inner)
		if rep.Pid != 0 || syscall.Errno(rep.Errno) != syscall.EPERM {
			t.Errorf("writing %q under %q: pid %d, %s (errno %d); want EPERM", inner.String(), outer.String(), rep.Pid, rep.Err, rep.Errno)
		}
		split, err := inner.SplitParent(outer)
		if err != nil {
			t.Fatal(err)
		}
		rep = startNest(t, outer, split)
		want, _ := inner.Compose(outer)
		got, err := ReadUIDMap(rep.Pid)
		if rep.Pid == 0 || err != nil || !got.Equal(want) {
			t.Errorf("split map: pid %d (%s); reads %v, %v; want %v", rep.Pid, rep.Err, got, err, want)
		}
	})
}

// TestKernelToHost starts a child as a uid inside a namespace and reads
// its uid and gid from here in /proc/PID/status: they are what ToHost
// says.
func TestKernelToHost(t *testing.T) {
	testenv.Require(t, testenv.UserNS, testenv.ProbeUserNS())
	t.Run("own ID", func(t *testing.T) {
		testToHost(t, MustNew(Range{0, uint32(os.Geteuid()), 1}), 0)
	})
	t.Run("uid 5 under 0:100000:1000", func(t *testing.T) {
		testenv.Require(t, testenv.MultiMap, testenv.ProbeMultiMap())
		testToHost(t, MustNew(Range{0, 100000, 1000}), 5)
	})
	t.Run("uid 70000 under several", func(t *testing.T) {
		testenv.Require(t, testenv.MultiMap, testenv.ProbeMultiMap())
		testToHost(t, MustNew(Range{0, 100000, 1000}, Range{70000, 200000, 10}, Range{1000, 5000, 1}), 70000)
	})
}

func testToHost(t *testing.T, m Map, inside uint32) {
	ids, err := m.ToSysProcIDMap()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sleep", "600")
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags:  syscall.CLONE_NEWUSER,
		UidMappings: ids,
		GidMappings: ids,
		Credential:  &syscall.Credential{Uid: inside, Gid: inside, NoSetGroups: true},
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting a child as %d under %q: %v", inside, m.String(), err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	want, ok := m.ToHost(inside)
	if !ok {
		t.Fatalf("ToHost(%d) is not mapped in %v", inside, m)
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(cmd.Process.Pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"Uid:", "Gid:"} {
		var fields []string
		for l := range strings.Lines(string(b)) {
			if strings.HasPrefix(l, key) {
				fields = strings.Fields(l)[1:]
			}
		}
		if len(fields) != 4 {
			t.Fatalf("no %s line in status", key)
		}
		for _, f := range fields { // real, effective, saved, filesystem
			if f != strconv.FormatUint(uint64(want), 10) {
				t.Errorf("%s %v from here; ToHost(%d) = %d", key, fields, inside, want)
				break
			}
		}
	}
	if got, err := ReadUIDMap(cmd.Process.Pid); err != nil || !got.Equal(m) {
		t.Errorf("ReadUIDMap = %v, %v; want %v", got, err, m)
	}
	if c, ok := m.ToContainer(want); !ok || c != inside {
		t.Errorf("ToContainer(%d) = %d, %v", want, c, ok)
	}
}

// TestReadPID1 reads the initial namespace's map through /proc/1: seen
// from the initial namespace it is "0 0 4294967295"; seen from a
// namespace that does not map host uid 0 its start shows as 4294967295,
// which ReadUIDMap reports as ErrRange with the reason.
func TestReadPID1(t *testing.T) {
	m, err := ReadUIDMap(1)
	if err != nil {
		if !errors.Is(err, ErrRange) || !strings.Contains(err.Error(), "reader's namespace") {
			t.Fatalf("ReadUIDMap(1): %v", err)
		}
		var pe *os.PathError
		if !errors.As(err, &pe) || pe.Path != "/proc/1/uid_map" {
			t.Errorf("error %v is not a *os.PathError for /proc/1/uid_map", err)
		}
		t.Logf("host uid 0 is not visible here: %v", err)
		return
	}
	if m.Len() != 1 || m.Ranges()[0].Size != 4294967295 || m.Ranges()[0].ContainerID != 0 {
		t.Errorf("ReadUIDMap(1) = %v; the initial namespace maps all of 0..4294967294", m)
	}
	self, _ := os.Readlink("/proc/self/ns/user")
	init, _ := os.Readlink("/proc/1/ns/user")
	if self == init && !m.Equal(MustNew(Range{0, 0, 4294967295})) {
		t.Errorf("from the initial namespace /proc/1/uid_map reads %v", m)
	}
	if _, err := ReadUIDMap(-1); err == nil {
		t.Error("ReadUIDMap(-1) succeeded")
	}
}

// TestKernelReadLongView reads, from here, a nested map whose text in
// this namespace's IDs is longer than one write allows: the kernel holds
// and shows it, so ReadUIDMap must read it though ParseProc and WriteTo
// refuse it.
func TestKernelReadLongView(t *testing.T) {
	testenv.Require(t, testenv.UserNS, testenv.ProbeUserNS())
	testenv.Require(t, testenv.MultiMap, testenv.ProbeMultiMap())
	outer := MustNew(Range{0, 1000000000, 100000})
	var rs, want []Range
	for i := range uint32(300) {
		rs = append(rs, Range{i * 3, i * 3, 2})
		want = append(want, Range{i * 3, 1000000000 + i*3, 2})
	}
	inner := MustNew(rs...)
	rep := startNest(t, outer, inner)
	if rep.Pid == 0 {
		t.Fatalf("starting the grandchild: %s", rep.Err)
	}
	raw, err := os.ReadFile("/proc/" + strconv.Itoa(rep.Pid) + "/uid_map")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseProc(string(raw)); !errors.Is(err, ErrTooLong) {
		t.Errorf("ParseProc of the host's view: %v, want ErrTooLong", err)
	}
	got, err := ReadUIDMap(rep.Pid)
	if err != nil {
		t.Fatalf("ReadUIDMap of the host's view: %v", err)
	}
	if got.Len() != len(want) || !slices.Equal(got.Ranges(), want) {
		t.Errorf("ReadUIDMap = %d extents, want %d composed ones", got.Len(), len(want))
	}
	if _, err := inner.Compose(outer); !errors.Is(err, ErrTooLong) {
		t.Errorf("Compose: %v, want ErrTooLong", err)
	}
	var b strings.Builder
	if _, err := got.WriteTo(&b); !errors.Is(err, ErrTooLong) || b.Len() != 0 {
		t.Errorf("WriteTo of the long view wrote %d bytes, %v", b.Len(), err)
	}
}
