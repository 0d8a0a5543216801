//go:build linux

package idmap

import (
	"errors"
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
