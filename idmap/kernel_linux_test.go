//go:build linux

package idmap

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nonroot-go/nonroot/internal/testenv"
)

// target is a child in a new user namespace whose maps nobody has
// written yet: sleep, started without UidMappings.
type target struct {
	cmd *exec.Cmd
}

func startTarget(t *testing.T) *target {
	t.Helper()
	testenv.Require(t, testenv.UserNS, testenv.ProbeUserNS())
	cmd := exec.Command("sleep", "600")
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWUSER}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting a child in a new user namespace: %v", err)
	}
	tg := &target{cmd: cmd}
	t.Cleanup(tg.stop)
	return tg
}

func (tg *target) stop() {
	if tg.cmd.ProcessState == nil {
		tg.cmd.Process.Kill()
		tg.cmd.Wait()
	}
}

// writeFile writes text to /proc/PID/file in exactly one write(2), as the
// kernel requires, and returns the errno.
func writeFile(pid int, file, text string) error {
	fd, err := syscall.Open("/proc/"+strconv.Itoa(pid)+"/"+file, syscall.O_WRONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer syscall.Close(fd)
	n, err := syscall.Write(fd, []byte(text))
	if err == nil && n != len(text) {
		return fmt.Errorf("short write %d of %d", n, len(text))
	}
	return err
}

// writer describes what the test process may write to a child's map.
type writer struct {
	self       Map    // the test process's own uid map, its parent's IDs
	euid       uint32 // its euid, in its own namespace
	privileged bool   // CAP_SETUID over its own namespace with a multi-ID map
}

func probeWriter(t *testing.T) writer {
	t.Helper()
	self, err := SelfUIDMap()
	if err != nil {
		t.Fatalf("SelfUIDMap: %v", err)
	}
	// IDs written to a child's map are IDs of our namespace: our own map
	// seen from inside is relative to our parent, so the parent map the
	// kernel checks against is the identity over what we map.
	var own []Range
	for _, x := range self.Ranges() {
		own = append(own, Range{ContainerID: x.ContainerID, HostID: x.ContainerID, Size: x.Size})
	}
	return writer{
		self:       MustNew(own...),
		euid:       uint32(os.Geteuid()),
		privileged: testenv.ProbeMultiMap() == nil,
	}
}

// expect is the errno the kernel should answer for writing rs, from New
// and CheckParent and the rule for unprivileged writers.
func (w writer) expect(rs []Range) error {
	m, err := New(rs...)
	if err != nil || m.IsZero() {
		return syscall.EINVAL
	}
	selfOnly := len(rs) == 1 && rs[0].Size == 1 && rs[0].HostID == w.euid
	if m.CheckParent(w.self) != nil || (!w.privileged && !selfOnly) {
		return syscall.EPERM
	}
	return nil
}

// randomRanges makes maps of every kind the kernel judges: valid ones
// inside the writer's own map, and ones with size 0, 4294967295, wrap
// around, overlaps, too many extents, or too long a text.
func (w writer) randomRanges(rng *rand.Rand) []Range {
	own := w.self.Ranges()
	host := func() uint32 {
		switch rng.IntN(6) {
		case 0:
			return rng.Uint32()
		case 1:
			return 4294967295 - rng.Uint32N(3)
		case 2:
			return w.euid
		default: // inside our own map
			x := own[rng.IntN(len(own))]
			return x.ContainerID + rng.Uint32N(x.Size)
		}
	}
	container := func() uint32 {
		switch rng.IntN(6) {
		case 0:
			return rng.Uint32()
		case 1:
			return 4294967295 - rng.Uint32N(3)
		default:
			return rng.Uint32N(100000)
		}
	}
	size := func() uint32 {
		switch rng.IntN(8) {
		case 0:
			return 0
		case 1:
			return rng.Uint32()
		case 2, 3:
			return 1 + rng.Uint32N(1000)
		default:
			return 1
		}
	}
	var n int
	switch rng.IntN(10) {
	case 0:
		n = 338 + rng.IntN(5) // around the 340 limit, short numbers
		rs := make([]Range, n)
		base := w.euid
		if w.privileged {
			base = 0
		}
		for i := range rs {
			rs[i] = Range{ContainerID: uint32(i) * 2, HostID: base + uint32(i)*2, Size: 1}
		}
		return rs
	case 1:
		return lineOf(4090 + rng.IntN(12)) // around the 4096-byte limit
	case 2, 3, 4:
		n = 1 // the map an unprivileged writer may write
		return []Range{{ContainerID: container(), HostID: w.euid, Size: 1}}
	default:
		n = 1 + rng.IntN(6)
	}
	rs := make([]Range, n)
	for i := range rs {
		rs[i] = Range{ContainerID: container(), HostID: host(), Size: size()}
		if i > 0 && rng.IntN(4) == 0 { // invite an overlap
			p := rs[rng.IntN(i)]
			rs[i].ContainerID = p.ContainerID + rng.Uint32N(p.Size|1)
		}
	}
	return rs
}

// TestKernelAgreesWithNew writes random maps to real child namespaces
// and checks that the kernel accepts what New (with CheckParent) accepts
// and refuses the rest with the errno New's verdict implies: EINVAL for
// the rules New checks, EPERM for the parent map and privilege.
//
// As root on the host every map is probed. Inside `unshare -r`, and as
// an ordinary user, only maps of the single own ID can succeed; the
// invalid ones are still probed, and EINVAL against EPERM tells which
// check the kernel failed.
func TestKernelAgreesWithNew(t *testing.T) {
	w := probeWriter(t)
	t.Logf("own map %q, euid %d, privileged %v", w.self.String(), w.euid, w.privileged)
	rng := rand.New(rand.NewPCG(testSeed(t), 0))
	tg := startTarget(t)
	seen := map[string]int{}
	trials := 400
	if testing.Short() {
		trials = 60
	}
	for range trials {
		rs := w.randomRanges(rng)
		// The final newline may be left out; leave it out or not at random
		// unless the text needs the byte.
		text := mapText(rs, rng.IntN(2) == 0 && len(mapText(rs, true)) < MaxText)
		want := w.expect(rs)
		got := writeFile(tg.cmd.Process.Pid, "uid_map", text)
		if !errors.Is(got, want) && !(got == nil && want == nil) {
			t.Errorf("writing %d extents (%.60q...): kernel says %v, New and CheckParent say %v", len(rs), text, got, want)
			continue
		}
		seen[fmt.Sprint(want)]++
		if got == nil {
			// The map is written: check what the kernel shows, then take a
			// fresh child for the next map.
			shown, err := ReadUIDMap(tg.cmd.Process.Pid)
			if want := kernelShows(rs); err != nil || !shown.Equal(want) {
				t.Errorf("after writing %d extents the kernel shows %d, %v; want %d in the kernel's order", len(rs), shown.Len(), err, want.Len())
			}
			tg.stop()
			tg = startTarget(t)
		}
	}
	t.Logf("verdicts: %v", seen)
	if seen["<nil>"] == 0 || seen[syscall.EINVAL.Error()] == 0 {
		t.Errorf("the random maps did not cover both accepted and EINVAL: %v", seen)
	}
	if !w.privileged && seen[syscall.EPERM.Error()] == 0 {
		t.Errorf("no EPERM seen without privilege: %v", seen)
	}
}

// testSeed returns the seed of a randomised test: $IDMAP_SEED, or the
// time, logged so that a failure can be replayed.
func testSeed(t *testing.T) uint64 {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("IDMAP_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("IDMAP_SEED=%q: %v", s, err)
		}
	}
	t.Logf("seed %d (IDMAP_SEED=%d replays this run)", seed, seed)
	return seed
}

// kernelShows is the map /proc shows after rs is written: in the order
// written up to 5 extents (UID_GID_MAP_MAX_BASE_EXTENTS); beyond that
// the kernel keeps them sorted by the inside ID and shows them so.
func kernelShows(rs []Range) Map {
	rs = slices.Clone(rs)
	if len(rs) > 5 {
		slices.SortFunc(rs, func(a, b Range) int { return cmp32(a.ContainerID, b.ContainerID) })
	}
	return MustNew(rs...)
}

// TestKernelTextLimit checks the 4096-byte limit at its edge: the text
// is measured without the final newline, which WriteTo leaves out.
func TestKernelTextLimit(t *testing.T) {
	w := probeWriter(t)
	tg := startTarget(t)
	for _, tt := range []struct {
		bytes   int // with the final newline
		newline bool
		einval  bool
	}{
		{4097, false, true},  // 4096 bytes written
		{4096, true, true},   // 4096 bytes written
		{4096, false, false}, // 4095 bytes written
	} {
		rs := lineOf(tt.bytes)
		text := mapText(rs, tt.newline)
		err := writeFile(tg.cmd.Process.Pid, "uid_map", text)
		if tt.einval != errors.Is(err, syscall.EINVAL) {
			t.Errorf("writing %d bytes: %v, want EINVAL %v", len(text), err, tt.einval)
		}
		_, nerr := New(rs...)
		if (nerr != nil) != (tt.bytes > MaxText) {
			t.Errorf("New of %d bytes of text: %v", tt.bytes, nerr)
		}
		if !tt.einval {
			var b strings.Builder
			MustNew(rs...).WriteTo(&b)
			if b.String() != text {
				t.Errorf("WriteTo does not write the text the kernel takes")
			}
			if w.privileged && err != nil {
				t.Errorf("privileged write of %d bytes: %v", len(text), err)
			}
			if !w.privileged && !errors.Is(err, syscall.EPERM) {
				t.Errorf("unprivileged write of %d bytes passed the length check, then: %v, want EPERM", len(text), err)
			}
		}
	}
}

// TestKernelParseProc writes texts of the single own ID, which every
// writer may write, in the kernel's corner cases, and checks that
// ParseProc accepts exactly what the kernel accepts.
func TestKernelParseProc(t *testing.T) {
	w := probeWriter(t)
	tg := startTarget(t)
	for _, tt := range []struct {
		format string
		// kernelOnly: the kernel accepts, ParseProc deliberately refuses.
		kernelOnly bool
	}{
		{format: "0 %d 1"},
		{format: "0 %d 1\n"},
		{format: "0\t%d\t1\n"},
		{format: "  0   %d 1   "},
		{format: "0 %d 1\r\n"},
		{format: "0 %d 1\v"},
		{format: "00 %d 01"},
		{format: "0 %d 1\n\n"},
		{format: "\n0 %d 1"},
		{format: "+0 %d 1"},
		{format: "0x0 %d 1"},
		{format: "0 %d"},
		{format: "0 %d 1 1"},
		{format: "0 %d 1x"},
		{format: "0,%d,1"},
		// simple_strtoul keeps the low 32 bits: the kernel reads 0.
		{format: "4294967296 %d 1", kernelOnly: true},
		// The kernel's parser stops at a NUL byte.
		{format: "0 %d 1\x00junk", kernelOnly: true},
	} {
		text := fmt.Sprintf(tt.format, w.euid)
		_, perr := ParseProc(text)
		kerr := writeFile(tg.cmd.Process.Pid, "uid_map", text)
		switch {
		case tt.kernelOnly:
			if kerr != nil || perr == nil {
				t.Errorf("%q: kernel %v, ParseProc %v; want the kernel to accept and ParseProc to refuse", text, kerr, perr)
			}
		case (kerr == nil) != (perr == nil):
			t.Errorf("%q: kernel %v, ParseProc %v", text, kerr, perr)
		case kerr != nil && !errors.Is(kerr, syscall.EINVAL):
			t.Errorf("%q: kernel %v, want EINVAL", text, kerr)
		}
		if kerr == nil {
			shown, err := ReadUIDMap(tg.cmd.Process.Pid)
			if err != nil || !shown.Equal(MustNew(Range{0, w.euid, 1})) {
				t.Errorf("%q: the kernel shows %v, %v; want 0 %d 1", text, shown, err, w.euid)
			}
			tg.stop()
			tg = startTarget(t)
		}
	}
}

// TestKernelParseProcRandom writes random texts made of numbers, blanks,
// newlines and junk, and checks that the kernel accepts one exactly when
// ParseProc reads it and the map is one this writer may write.
func TestKernelParseProcRandom(t *testing.T) {
	w := probeWriter(t)
	rng := rand.New(rand.NewPCG(testSeed(t), 1))
	tokens := []string{"0", "1", "007", strconv.Itoa(int(w.euid)), "4294967295", "65536", " ", " ", "\t", "  ", "\n", "\r", "\v", "\f", "+", "x", "-", ":"}
	tg := startTarget(t)
	accepted := 0
	for range 300 {
		var b strings.Builder
		if rng.IntN(2) == 0 { // mostly well-formed: "c euid 1" with noise
			b.WriteString(tokens[rng.IntN(len(tokens))])
			fmt.Fprintf(&b, "%d%s%d%s1", rng.IntN(3), tokens[6+rng.IntN(6)], w.euid, tokens[6+rng.IntN(6)])
			b.WriteString(tokens[6+rng.IntN(len(tokens)-6)])
		} else {
			for range 1 + rng.IntN(8) {
				b.WriteString(tokens[rng.IntN(len(tokens))])
			}
		}
		text := b.String()
		if hasHugeNumber(text) {
			continue // the kernel keeps the low 32 bits: TestKernelParseProc
		}
		m, perr := ParseProc(text)
		var want error = syscall.EINVAL
		if perr == nil {
			want = w.expect(m.Ranges())
		}
		got := writeFile(tg.cmd.Process.Pid, "uid_map", text)
		if !errors.Is(got, want) && !(got == nil && want == nil) {
			t.Errorf("%q: kernel %v; ParseProc %v, %v implies %v", text, got, m.Ranges(), perr, want)
		}
		if got == nil {
			accepted++
			tg.stop()
			tg = startTarget(t)
		}
	}
	if accepted == 0 {
		t.Error("no random text was accepted: the generator probes only one side")
	}
	t.Logf("%d of 300 accepted", accepted)
}

// hasHugeNumber reports a run of digits above 4294967295.
func hasHugeNumber(s string) bool {
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r < '0' || r > '9' }) {
		if v, err := strconv.ParseUint(f, 10, 64); err != nil || v > 1<<32-1 {
			return true
		}
	}
	return false
}
