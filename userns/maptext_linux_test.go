//go:build linux

package userns

import (
	"errors"
	"testing"

	"github.com/nonroot-go/nonroot/idmap"
	"github.com/nonroot-go/nonroot/internal/testenv"
)

// longMap has exactly 4096 bytes of text with its final newline: New takes
// it (one write may leave that newline out), but os/exec and newuidmap
// write the newline too, so neither path can hand it to the kernel. Its
// host IDs lie in 100000-165535, the CI user's subordinate range, so that
// newuidmap itself would take them.
func longMap(t *testing.T) idmap.Map {
	t.Helper()
	var rs []idmap.Range
	for i := range uint32(204) { // "1000000000 100000 1\n": 20 bytes each
		size := uint32(1)
		if i < 16 {
			size = 10 // one digit more: 4096 bytes in all
		}
		rs = append(rs, idmap.Range{ContainerID: 1000000000 + 100*i, HostID: 100000 + 100*i, Size: size})
	}
	m, err := idmap.New(rs...)
	if err != nil {
		t.Fatalf("New refused a map of %d bytes of text: %v", len(m.String()), err)
	}
	if n := len(m.String()); n != idmap.MaxText {
		t.Fatalf("the map has %d bytes of text, want %d", n, idmap.MaxText)
	}
	return m
}

func TestMapTextWithNewlineTooLong(t *testing.T) {
	m := longMap(t)
	for _, tc := range []struct {
		name  string
		probe error
	}{
		{"direct", testenv.ProbeMultiMap()},
		{"newuidmap", errors.Join(testenv.ProbeNewuidmap(1), notPrivileged())},
	} {
		t.Run(tc.name, func(t *testing.T) {
			feature := map[string]string{"direct": "userns-many-uids", "newuidmap": "userns-newuidmap-path"}[tc.name]
			if tc.probe != nil {
				t.Skipf("the %s path is not this caller's: %v", tc.name, tc.probe)
			}
			testenv.Require(t, feature, nil)
			c := Command("/bin/true")
			c.UIDMap, c.GIDMap = m, m
			c.UID, c.GID = 1000000000, 1000000000 // mapped, so only the length is wrong
			err := c.Run()
			if !errors.Is(err, idmap.ErrTooLong) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("Run with a map of 4096 bytes of text: %v, want ErrTooLong and ErrInvalid before any child", err)
			}
		})
	}
}

// notPrivileged reports nil when the caller cannot write wide maps
// itself, which is when userns takes the newuidmap path.
func notPrivileged() error {
	if testenv.ProbeMultiMap() == nil {
		return errors.New("the caller writes maps itself")
	}
	return nil
}
