//go:build linux

package idmap

import (
	"errors"
	"math"
	"os/exec"
	"slices"
	"strconv"
	"syscall"
	"testing"

	"github.com/nonroot-go/nonroot/internal/testenv"
)

// rangeOn64 is ErrRange where int can hold a number above 4294967295,
// and nil where it cannot.
var rangeOn64 = func() error {
	if strconv.IntSize == 64 {
		return ErrRange
	}
	return nil
}()

func sysProcRoundTrip(t *testing.T, m Map) {
	t.Helper()
	s, err := m.ToSysProcIDMap()
	if m.textLen() >= MaxText { // Go writes the final newline too
		if !errors.Is(err, ErrTooLong) {
			t.Fatalf("ToSysProcIDMap of %d bytes of text with the final newline: %v, want ErrTooLong", m.textLen(), err)
		}
		return
	}
	if slices.ContainsFunc(m.ranges, func(r Range) bool { return uint64(max(r.ContainerID, r.HostID, r.Size)) > math.MaxInt }) {
		if !errors.Is(err, ErrRange) { // int has 32 bits
			t.Fatalf("ToSysProcIDMap(%v) = %v, want ErrRange where int has %d bits", m, err, strconv.IntSize)
		}
		return
	}
	if err != nil {
		t.Fatalf("ToSysProcIDMap(%v): %v", m, err)
	}
	got, err := FromSysProcIDMap(s)
	if err != nil || !got.Equal(m) {
		t.Fatalf("FromSysProcIDMap(ToSysProcIDMap()) = %v, %v; want %v", got, err, m)
	}
}

func TestFromSysProcIDMap(t *testing.T) {
	for _, tt := range []struct {
		in    []syscall.SysProcIDMap
		err   error
		line  int
		field int
	}{
		{in: []syscall.SysProcIDMap{{ContainerID: 0, HostID: 100000, Size: 65536}}},
		{in: nil},
		{in: []syscall.SysProcIDMap{{ContainerID: -1, HostID: 0, Size: 1}}, err: ErrRange, line: 1, field: 1},
		// Above 4294967295 where int has 64 bits; valid where it has 32.
		{in: []syscall.SysProcIDMap{{ContainerID: 0, HostID: 0, Size: 1}, {ContainerID: 1, HostID: math.MaxInt, Size: 1}}, err: rangeOn64, line: 2, field: 2},
		{in: []syscall.SysProcIDMap{{ContainerID: 0, HostID: 0, Size: 1}, {ContainerID: 1, HostID: 1, Size: -5}}, err: ErrRange, line: 2, field: 3},
		{in: []syscall.SysProcIDMap{{ContainerID: 0, HostID: 0, Size: 10}, {ContainerID: 5, HostID: 100, Size: 1}}, err: ErrOverlap, line: 2},
		{in: []syscall.SysProcIDMap{{ContainerID: 0, HostID: 0, Size: 0}}, err: ErrEmpty, line: 1},
	} {
		m, err := FromSysProcIDMap(tt.in)
		if tt.err != nil {
			var pe *ParseError
			if !errors.Is(err, tt.err) || !errors.As(err, &pe) || pe.Line != tt.line || pe.Field != tt.field {
				t.Errorf("FromSysProcIDMap(%v) = %v, want %v at %d/%d", tt.in, err, tt.err, tt.line, tt.field)
			}
			continue
		}
		if err != nil || m.Len() != len(tt.in) {
			t.Errorf("FromSysProcIDMap(%v) = %v, %v", tt.in, m, err)
			continue
		}
		sysProcRoundTrip(t, m)
	}
}

func FuzzFromSysProcIDMap(f *testing.F) {
	f.Add(0, 100000, 65536, 65536, 1000, 1)
	f.Add(-1, 0, 1, 0, 0, 0)
	f.Add(0, math.MaxInt, 1, 1, 1, 1)
	f.Fuzz(func(t *testing.T, c1, h1, s1, c2, h2, s2 int) {
		in := []syscall.SysProcIDMap{{ContainerID: c1, HostID: h1, Size: s1}, {ContainerID: c2, HostID: h2, Size: s2}}
		m, err := FromSysProcIDMap(in)
		if err != nil {
			isParseError(t, err)
			return
		}
		roundTrip(t, m)
		out, err := m.ToSysProcIDMap()
		if err != nil || !slices.Equal(out, in) {
			t.Fatalf("ToSysProcIDMap(FromSysProcIDMap(%v)) = %v, %v", in, out, err)
		}
	})
}

// TestKernelSysProcTextLimit starts children through os/exec with maps
// of 4095 and 4096 bytes of text (final newline included, as Go writes
// it): the kernel takes the first and refuses the second with EINVAL,
// which is why ToSysProcIDMap refuses what New accepts.
func TestKernelSysProcTextLimit(t *testing.T) {
	testenv.Require(t, testenv.UserNS, testenv.ProbeUserNS())
	testenv.Require(t, testenv.MultiMap, testenv.ProbeMultiMap())
	for _, n := range []int{4095, 4096} {
		m := MustNew(lineOf(n)...)
		ids, err := m.ToSysProcIDMap()
		if (err == nil) != (n < MaxText) {
			t.Errorf("ToSysProcIDMap of %d bytes: %v", n, err)
		}
		if ids == nil { // what ToSysProcIDMap refuses, converted by hand
			for _, r := range m.Ranges() {
				ids = append(ids, syscall.SysProcIDMap{ContainerID: int(r.ContainerID), HostID: int(r.HostID), Size: int(r.Size)})
			}
		}
		cmd := exec.Command("true")
		cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWUSER, UidMappings: ids}
		err = cmd.Run()
		switch {
		case n < MaxText && err != nil:
			t.Errorf("starting a child with %d bytes of uid_map text: %v", n, err)
		case n >= MaxText && !errors.Is(err, syscall.EINVAL):
			t.Errorf("starting a child with %d bytes of uid_map text: %v, want EINVAL", n, err)
		}
	}
}
