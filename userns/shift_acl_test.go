package userns

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"slices"
	"testing"
)

// acl writes out a POSIX ACL xattr value from (tag, id) pairs, with
// permission bits 6, independently of the code under test.
func acl(version uint32, entries ...uint32) []byte {
	b := binary.LittleEndian.AppendUint32(nil, version)
	for i := 0; i+1 < len(entries); i += 2 {
		b = binary.LittleEndian.AppendUint16(b, uint16(entries[i]))
		b = binary.LittleEndian.AppendUint16(b, 6)
		b = binary.LittleEndian.AppendUint32(b, entries[i+1])
	}
	return b
}

const undef = ^uint32(0)

// swap exchanges 100000-100499 and 100500-100999.
func swap(id uint32) (uint32, bool) {
	switch {
	case id >= 100000 && id < 100500:
		return id + 500, true
	case id >= 100500 && id < 101000:
		return id - 500, true
	}
	return 0, false
}

func TestMoveACLIDs(t *testing.T) {
	gplus := func(id uint32) (uint32, bool) {
		if id < 500 || id >= 600 {
			return 0, false
		}
		return id + 1000, true
	}
	for _, tc := range []struct {
		name     string
		in       []byte
		uid, gid func(uint32) (uint32, bool)
		want     []byte
		changed  bool
		err      error
	}{
		{
			"named user and group move", acl(2, 1, undef, 2, 100007, 4, undef, 8, 550, 0x10, undef, 0x20, undef), plus(300000), gplus,
			acl(2, 1, undef, 2, 300007, 4, undef, 8, 1550, 0x10, undef, 0x20, undef), true, nil,
		},
		{
			"owner, group, mask and other entries keep their undefined IDs", acl(2, 1, undef, 4, undef, 0x20, undef), plus(300000), gplus,
			acl(2, 1, undef, 4, undef, 0x20, undef), false, nil,
		},
		{"a nil function leaves its side", acl(2, 2, 7, 8, 550), nil, gplus, acl(2, 2, 7, 8, 1550), true, nil},
		{"both nil", acl(2, 2, 7, 8, 9), nil, nil, acl(2, 2, 7, 8, 9), false, nil},
		{"moved to itself", acl(2, 2, 100000), plus(100000), nil, acl(2, 2, 100000), false, nil},
		{
			"named entries sorted again where the maps' ranges cross", acl(2, 1, undef, 2, 100010, 2, 100600, 4, undef, 8, 100020, 8, 100700, 0x10, undef, 0x20, undef), swap, swap,
			acl(2, 1, undef, 2, 100100, 2, 100510, 4, undef, 8, 100200, 8, 100520, 0x10, undef, 0x20, undef), true, nil,
		},
		{"unmapped in the reader's namespace", acl(2, 2, undef), plus(1), nil, nil, false, ErrShiftUnmapped},
		{"user outside the map", acl(2, 2, 100007, 2, 7), plus(300000), nil, nil, false, ErrShiftUnmapped},
		{"group outside the map", acl(2, 8, 7), nil, gplus, nil, false, ErrShiftUnmapped},
		{"header only", acl(2), plus(1), gplus, acl(2), false, nil},
		{"version 1", acl(1, 2, 100007), plus(1), nil, nil, false, errBadACL},
		{"short header", []byte{2, 0}, plus(1), nil, nil, false, errBadACL},
		{"empty", nil, plus(1), nil, nil, false, errBadACL},
		{"partial entry", acl(2, 2, 100007)[:10], plus(1), nil, nil, false, errBadACL},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := bytes.Clone(tc.in)
			changed, err := moveACLIDs(b, tc.uid, tc.gid)
			switch {
			case tc.err == errBadACL:
				if err == nil || errors.Is(err, ErrShiftUnmapped) {
					t.Fatalf("err %v, want a format error", err)
				}
				return
			case tc.err != nil:
				var ae *aclIDError
				if !errors.Is(err, tc.err) || !errors.As(err, &ae) {
					t.Fatalf("err %v, want an *aclIDError wrapping %v", err, tc.err)
				}
				return
			case err != nil:
				t.Fatal(err)
			}
			if changed != tc.changed || !bytes.Equal(b, tc.want) {
				t.Fatalf("got %x changed %v, want %x changed %v", b, changed, tc.want, tc.changed)
			}
		})
	}
}

var errBadACL = errors.New("malformed ACL")

func FuzzMoveACLIDs(f *testing.F) {
	f.Add(acl(2, 1, undef, 2, 100007, 4, undef, 8, 100550, 0x10, undef, 0x20, undef), uint32(300000))
	f.Add(acl(2, 2, 7), uint32(0))
	f.Add([]byte{2, 0, 0, 0, 2}, uint32(1))
	f.Fuzz(func(t *testing.T, in []byte, n uint32) {
		n %= 1 << 31
		b := bytes.Clone(in)
		changed, err := moveACLIDs(b, plus(n), plus(n))
		if err != nil {
			if !bytes.Equal(b, in) && !errors.Is(err, ErrShiftUnmapped) {
				t.Fatalf("a malformed value was written to: %x -> %x", in, b)
			}
			return
		}
		if changed == bytes.Equal(b, in) {
			t.Fatalf("changed %v but %x -> %x", changed, in, b)
		}
		back := func(id uint32) (uint32, bool) {
			if id < n || id-n >= 100000 {
				return 0, false
			}
			return id - n + 100000, true
		}
		// Round trip: the original, with each tag's entries sorted if
		// anything moved (plus(n) keeps their order, so only an
		// unsorted input comes back otherwise).
		want := in
		if changed {
			want = sortedACL(in)
		}
		if _, err := moveACLIDs(b, back, back); err != nil || !bytes.Equal(b, want) {
			t.Fatalf("round trip %x -> %x (%v)", in, b, err)
		}
	})
}

// sortedACL returns a copy of the ACL value b with each run of entries of
// one tag sorted by ID, written independently of sortNamed.
func sortedACL(b []byte) []byte {
	type entry struct {
		tag uint16
		raw []byte
		id  uint32
	}
	var es []entry
	for off := 4; off+8 <= len(b); off += 8 {
		es = append(es, entry{binary.LittleEndian.Uint16(b[off:]), b[off : off+8], binary.LittleEndian.Uint32(b[off+4:])})
	}
	for start := 0; start < len(es); {
		end := start + 1
		for end < len(es) && es[end].tag == es[start].tag {
			end++
		}
		slices.SortStableFunc(es[start:end], func(x, y entry) int { return cmp.Compare(x.id, y.id) })
		start = end
	}
	out := bytes.Clone(b[:4])
	for _, e := range es {
		out = append(out, e.raw...)
	}
	return out
}
