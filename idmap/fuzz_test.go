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
		for _, x := range rs {
			for _, id := range []uint32{x.ContainerID, x.ContainerID + x.Size - 1} {
				h, ok := m.ToHost(id)
				if !ok || h != x.HostID+(id-x.ContainerID) {
					t.Fatalf("ToHost(%d) = %d, %v in %v", id, h, ok, m)
				}
				if c, ok := m.ToContainer(h); !ok || c != id {
					t.Fatalf("ToContainer(%d) = %d, %v in %v", h, c, ok, m)
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
