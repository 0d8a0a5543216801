package idmap

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// roundTrip checks that every dialect's formatter gives text its parser
// reads back as m.
func roundTrip(t *testing.T, m Map) {
	t.Helper()
	if got, err := ParseProc(m.String()); err != nil || !got.Equal(m) {
		t.Fatalf("ParseProc(String()) = %v, %v; want %v", got, err, m)
	}
	var b strings.Builder
	if _, err := m.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	if got, err := ParseProc(b.String()); err != nil || !got.Equal(m) {
		t.Fatalf("ParseProc(WriteTo) = %v, %v; want %v", got, err, m)
	}
	if got, err := ParsePodman(m.FormatPodman()); err != nil || !got.Equal(m) {
		t.Fatalf("ParsePodman(FormatPodman()) = %v, %v; want %v", got, err, m)
	}
	if got, err := ParseUnshare(m.FormatUnshare()...); err != nil || !got.Equal(m) {
		t.Fatalf("ParseUnshare(FormatUnshare()) = %v, %v; want %v", got, err, m)
	}
	if inv := m.Inverse(); !inv.Inverse().Equal(m) {
		t.Fatalf("Inverse twice = %v; want %v", inv.Inverse(), m)
	}
	if !m.Equivalent(m) || !m.Contains(m) {
		t.Fatalf("%v is not equivalent to itself", m)
	}
	sysProcRoundTrip(t, m)
}

func isParseError(t *testing.T, err error) {
	t.Helper()
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T) is not a *ParseError", err, err)
	}
	for _, s := range []error{ErrSyntax, ErrRange, ErrOverlap, ErrTooMany, ErrTooLong, ErrEmpty, ErrNotInParent} {
		if errors.Is(err, s) {
			return
		}
	}
	t.Fatalf("error %v answers no sentinel", err)
}

func addProcSeeds(f *testing.F) {
	for _, s := range []string{"", "0 0 1", "0 100000 65536\n65536 1000 1\n", "0\t1\t2\n", "0 0 0", "0 4294967295 1", "0 0 10\n5 5 1"} {
		f.Add(s)
	}
	files, _ := filepath.Glob("testdata/proc_*.uid_map")
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
}

func FuzzParseProc(f *testing.F) {
	addProcSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseProc(s)
		if err != nil {
			isParseError(t, err)
			return
		}
		roundTrip(t, m)
	})
}

func FuzzParsePodman(f *testing.F) {
	for _, s := range []string{"", "0:100000:65536", "0:1:1000,1000:0:1", "1000:0", "0:@1000:1", "+0:0:1", "0:0:0,"} {
		f.Add(s)
	}
	parent := MustNew(r(0, 1000, 1), r(1, 100000, 65536))
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParsePodman(s)
		if err != nil {
			isParseError(t, err)
		} else {
			roundTrip(t, m)
		}
		m, err = ParsePodmanRelative(s, parent)
		if err != nil {
			isParseError(t, err)
			return
		}
		roundTrip(t, m)
	})
}

func FuzzParseUnshare(f *testing.F) {
	for _, s := range []string{"100000,0,65536", "0:100000:65536", "1000,0,1 1:100000:999", "auto", "0,0,0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseUnshare(strings.Split(s, " ")...)
		if err != nil {
			isParseError(t, err)
			return
		}
		roundTrip(t, m)
	})
}

func FuzzParseSubIDs(f *testing.F) {
	for _, s := range []string{"alice:100000:65536\n", "# c\n1000:0x10:0100\n", "a:1:1:x", "a:-1:1", "a:1:0"} {
		f.Add(s)
	}
	b, err := os.ReadFile("testdata/root/etc/subuid")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(b))
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseSubIDs(strings.NewReader(s))
		if err != nil {
			isParseError(t, err)
			return
		}
		again, err := ParseSubIDs(strings.NewReader(FormatSubIDs(got)))
		if err != nil || !slices.Equal(again, got) {
			t.Fatalf("ParseSubIDs(FormatSubIDs(%v)) = %v, %v", got, again, err)
		}
	})
}

// FuzzNew compares New with a direct transcription of the kernel's loop
// in map_write and checks the lookups of every valid map.
func FuzzNew(f *testing.F) {
	f.Add([]byte{0, 0, 0, 0, 0, 1, 0x86, 0xa0, 0, 1, 0, 0})
	f.Add(make([]byte, 24))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		var rs []Range
		for ; len(b) >= 12; b = b[12:] {
			rs = append(rs, r(binary.BigEndian.Uint32(b), binary.BigEndian.Uint32(b[4:]), binary.BigEndian.Uint32(b[8:])))
		}
		m, err := New(rs...)
		want := kernelVerdict(rs)
		if !errors.Is(err, want) || (want == nil) != (err == nil) {
			t.Fatalf("New(%v) = %v; the kernel's loop says %v", rs, err, want)
		}
		if err != nil {
			return
		}
		roundTrip(t, m)
		// The binary searches agree with a scan of the extents at every
		// edge: the first and last ID of each extent and their neighbours.
		for _, x := range rs {
			for _, id := range []uint32{x.ContainerID - 1, x.ContainerID, x.ContainerID + x.Size - 1, x.ContainerID + x.Size} {
				h, ok := m.ToHost(id)
				if wh, wok := scan(rs, id, false); h != wh || ok != wok {
					t.Fatalf("ToHost(%d) = %d, %v; the extents say %d, %v in %v", id, h, ok, wh, wok, m)
				}
			}
			for _, id := range []uint32{x.HostID - 1, x.HostID, x.HostID + x.Size - 1, x.HostID + x.Size} {
				c, ok := m.ToContainer(id)
				if wc, wok := scan(rs, id, true); c != wc || ok != wok {
					t.Fatalf("ToContainer(%d) = %d, %v; the extents say %d, %v in %v", id, c, ok, wc, wok, m)
				}
			}
		}
	})
}

// scan translates id from one side of rs to the other by looking at
// every extent: the reference for ToHost and ToContainer.
func scan(rs []Range, id uint32, fromHost bool) (uint32, bool) {
	for _, x := range rs {
		from, to := x.ContainerID, x.HostID
		if fromHost {
			from, to = to, from
		}
		if id >= from && uint64(id) < uint64(from)+uint64(x.Size) {
			return to + (id - from), true
		}
	}
	return 0, false
}

// FuzzCompose checks Compose, SplitParent, CheckParent, CoversContainer
// and CoversHost against ID-by-ID translation, on maps of small IDs
// (three bytes an extent) so that the two maps meet.
func FuzzCompose(f *testing.F) {
	f.Add([]byte{0, 5, 10, 0, 100, 5, 10, 50, 5})          // m 0:5:10; outer across two extents
	f.Add([]byte{0, 5, 10, 0, 100, 12})                    // inside one extent
	f.Add([]byte{0, 5, 10, 3, 1, 2, 0, 100, 5, 10, 50, 4}) // a gap
	f.Fuzz(func(t *testing.T, b []byte) {
		var rs []Range
		for ; len(b) >= 3; b = b[3:] {
			rs = append(rs, r(uint32(b[0]), uint32(b[1]), uint32(b[2]%32)))
		}
		m, err := New(rs[:len(rs)/2]...)
		if err != nil {
			return
		}
		outer, err := New(rs[len(rs)/2:]...)
		if err != nil {
			return
		}
		// The reference: every ID of m, through m and then outer.
		mapsAll := true
		for _, x := range m.Ranges() {
			for id := x.ContainerID; id < x.ContainerID+x.Size; id++ {
				mid, _ := m.ToHost(id)
				if _, ok := outer.ToHost(mid); !ok {
					mapsAll = false
				}
			}
		}
		got, err := m.Compose(outer)
		if errors.Is(err, ErrTooMany) || errors.Is(err, ErrTooLong) {
			return
		}
		if mapsAll != (err == nil) || (err != nil && !errors.Is(err, ErrNotInParent)) {
			t.Fatalf("%v.Compose(%v) = %v; outer maps all of m's host side: %v", m, outer, err, mapsAll)
		}
		split, serr := m.SplitParent(outer)
		if (serr == nil) != (err == nil) {
			t.Fatalf("SplitParent = %v where Compose = %v", serr, err)
		}
		if err != nil {
			return
		}
		if got.Size() != m.Size() || split.Size() != m.Size() || !split.Equivalent(m) {
			t.Fatalf("Compose = %v, SplitParent = %v of %v", got, split, m)
		}
		for _, x := range m.Ranges() {
			for id := x.ContainerID; id < x.ContainerID+x.Size; id++ {
				mid, _ := m.ToHost(id)
				want, _ := outer.ToHost(mid)
				if h, ok := got.ToHost(id); !ok || h != want {
					t.Fatalf("Compose: %d maps to %d, %v; want %d", id, h, ok, want)
				}
			}
		}
		if err := split.CheckParent(outer); err != nil {
			t.Fatalf("SplitParent = %v, which CheckParent refuses: %v", split, err)
		}
		// CheckParent: each extent's host side inside one extent of outer.
		inOne := true
		for _, x := range m.Ranges() {
			inOne = inOne && slices.ContainsFunc(outer.Ranges(), func(e Range) bool {
				return e.ContainerID <= x.HostID && uint64(x.HostID)+uint64(x.Size) <= uint64(e.ContainerID)+uint64(e.Size)
			})
		}
		if cerr := m.CheckParent(outer); (cerr == nil) != inOne || (inOne && !split.Equal(m)) {
			t.Fatalf("CheckParent = %v, SplitParent = %v; each extent inside one of outer's: %v", cerr, split, inOne)
		}
		for _, x := range outer.Ranges() {
			// An extent's own IDs on the inside, and one past them.
			for _, size := range []uint32{x.Size, x.Size + 1} {
				first := x.ContainerID
				coveredIn, coveredOut := true, true
				for id := first; id < first+size; id++ {
					_, okIn := outer.ToHost(id)
					_, okOut := outer.ToContainer(id)
					coveredIn, coveredOut = coveredIn && okIn, coveredOut && okOut
				}
				if outer.CoversContainer(first, size) != coveredIn || outer.CoversHost(first, size) != coveredOut {
					t.Fatalf("Covers(%d, %d) in %v = %v, %v; want %v, %v", first, size, outer,
						outer.CoversContainer(first, size), outer.CoversHost(first, size), coveredIn, coveredOut)
				}
			}
		}
	})
}

// kernelVerdict follows map_write in kernel/user_namespace.c with u32
// arithmetic: the text length, then each line in turn.
func kernelVerdict(rs []Range) error {
	if len(mapText(rs, false)) >= MaxText {
		return ErrTooLong
	}
	for i, x := range rs {
		if x.ContainerID == 4294967295 || x.HostID == 4294967295 {
			return ErrRange
		}
		if x.ContainerID+x.Size <= x.ContainerID || x.HostID+x.Size <= x.HostID {
			if x.Size == 0 {
				return ErrEmpty
			}
			return ErrRange
		}
		for _, p := range rs[:i] {
			if x.ContainerID <= p.ContainerID+p.Size-1 && p.ContainerID <= x.ContainerID+x.Size-1 ||
				x.HostID <= p.HostID+p.Size-1 && p.HostID <= x.HostID+x.Size-1 {
				return ErrOverlap
			}
		}
		if i+1 == MaxRanges && i+1 < len(rs) {
			return ErrTooMany
		}
	}
	return nil
}

func FuzzParseGetsubids(f *testing.F) {
	b, err := os.ReadFile("testdata/getsubids.txt")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(b))
	f.Add("0: a 1 1\n1: b c 5 5\n")
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseGetsubids(s)
		if err != nil {
			isParseError(t, err)
			return
		}
		var out strings.Builder
		for i, e := range got {
			fmt.Fprintf(&out, "%d: %s %d %d\n", i, e.Owner, e.Start, e.Count)
		}
		again, err := parseGetsubids(out.String())
		if err != nil || !slices.Equal(again, got) {
			t.Fatalf("parseGetsubids(format(%v)) = %v, %v", got, again, err)
		}
	})
}
