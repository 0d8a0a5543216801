//go:build linux

package idmap

import (
	"errors"
	"slices"
	"syscall"
	"testing"
)

func sysProcRoundTrip(t *testing.T, m Map) {
	t.Helper()
	s, err := m.ToSysProcIDMap()
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
		{in: []syscall.SysProcIDMap{{ContainerID: 0, HostID: 0, Size: 1}, {ContainerID: 1, HostID: 1 << 32, Size: 1}}, err: ErrRange, line: 2, field: 2},
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
	f.Add(0, 1<<32, 1, 1, 1, 1)
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
