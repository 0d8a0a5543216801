package userns

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/nonroot-go/nonroot/caps"
)

// The security.capability layout (linux/capability.h), written out here
// so that the test does not take the codec under test on trust.
const (
	capRevision1 = 0x01000000
	capRevision2 = 0x02000000
	capRevision3 = 0x03000000
	capSize1     = 12
	capSize2     = 20
	capSize3     = 24
)

// errBadCap stands for "a *caps.ParseError" in the table.
var errBadCap = errors.New("malformed")

func capValue(rev uint32, root uint32) []byte {
	b := make([]byte, capSize3)
	binary.LittleEndian.PutUint32(b, rev|1)     // effective flag
	binary.LittleEndian.PutUint32(b[4:], 1<<13) // cap_net_raw permitted
	binary.LittleEndian.PutUint32(b[capSize2:], root)
	switch rev {
	case capRevision1:
		return b[:capSize1]
	case capRevision2:
		return b[:capSize2]
	}
	return b
}

func plus(n uint32) func(uint32) (uint32, bool) {
	return func(id uint32) (uint32, bool) {
		if id < 100000 || id >= 200000 {
			return 0, false
		}
		return id - 100000 + n, true
	}
}

func TestMoveCapRoot(t *testing.T) {
	for _, tc := range []struct {
		name    string
		in      []byte
		move    func(uint32) (uint32, bool)
		want    []byte
		changed bool
		err     error
	}{
		{"v1 kept", capValue(capRevision1, 0), plus(300000), capValue(capRevision1, 0), false, nil},
		{"v2 kept", capValue(capRevision2, 0), plus(300000), capValue(capRevision2, 0), false, nil},
		{"v3 moved", capValue(capRevision3, 100005), plus(300000), capValue(capRevision3, 300005), true, nil},
		{"v3 same", capValue(capRevision3, 100005), plus(100000), capValue(capRevision3, 100005), false, nil},
		{"v3 to root is v2", capValue(capRevision3, 100000), plus(0), capValue(capRevision2, 0), true, nil},
		{"v3 unmapped", capValue(capRevision3, 5), plus(300000), nil, false, ErrShiftUnmapped},
		{"short", []byte{1, 2}, plus(0), nil, false, errBadCap},
		{"v3 too short", capValue(capRevision3, 100000)[:capSize2], plus(0), nil, false, errBadCap},
		{"v2 too long", append(capValue(capRevision2, 0), 0), plus(0), nil, false, errBadCap},
		{"revision 4", capValue(0x04000000, 100000), plus(0), nil, false, errBadCap},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, changed, err := moveCapRoot(tc.in, tc.move)
			var pe *caps.ParseError
			if tc.err == errBadCap && errors.As(err, &pe) {
				err = errBadCap
			}
			if !errors.Is(err, tc.err) || !bytes.Equal(got, tc.want) || changed != tc.changed {
				t.Fatalf("moveCapRoot(%x) = %x, %v, %v; want %x, %v, %v", tc.in, got, changed, err, tc.want, tc.changed, tc.err)
			}
		})
	}
}

func FuzzMoveCapRoot(f *testing.F) {
	f.Add(capValue(capRevision3, 100005), uint32(300000))
	f.Add(capValue(capRevision2, 0), uint32(0))
	f.Add(capValue(capRevision1, 0), uint32(7))
	f.Fuzz(func(t *testing.T, b []byte, n uint32) {
		n %= 1 << 31
		got, changed, err := moveCapRoot(b, plus(n))
		if err != nil {
			return
		}
		if !changed && !bytes.Equal(got, b) {
			t.Fatalf("unchanged result %x differs from %x", got, b)
		}
		// Round trip: moving back restores a v3 value, unless it
		// became v2 for the initial root.
		if changed && len(got) == capSize3 {
			back, _, err := moveCapRoot(got, func(id uint32) (uint32, bool) {
				if id < n || id-n >= 100000 {
					return 0, false
				}
				return id - n + 100000, true
			})
			if err != nil || !bytes.Equal(back, b) {
				t.Fatalf("round trip %x -> %x -> %x (%v)", b, got, back, err)
			}
		}
	})
}

func BenchmarkMoveCapRoot(b *testing.B) {
	v := capValue(capRevision3, 100005)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := moveCapRoot(v, plus(300000)); err != nil {
			b.Fatal(err)
		}
	}
}
