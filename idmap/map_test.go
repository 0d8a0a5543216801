package idmap

import (
	"errors"
	"strings"
	"testing"
)

func r(c, h, s uint32) Range { return Range{ContainerID: c, HostID: h, Size: s} }

// The kernel's rules (kernel/user_namespace.c map_write, user_namespaces(7)).
var newTests = []struct {
	name   string
	ranges []Range
	err    error
	index  int
}{
	{"empty map", nil, nil, 0},
	{"one extent", []Range{r(0, 100000, 65536)}, nil, 0},
	{"initial namespace", []Range{r(0, 0, 4294967295)}, nil, 0},
	{"last ID 4294967294 inside", []Range{r(4294967294, 0, 1)}, nil, 0},
	{"last ID 4294967294 outside", []Range{r(0, 4294967294, 1)}, nil, 0},
	{"size 0", []Range{r(0, 0, 0)}, ErrEmpty, 0},
	{"second extent size 0", []Range{r(0, 0, 1), r(1, 1, 0)}, ErrEmpty, 1},
	{"start 4294967295 inside", []Range{r(4294967295, 0, 1)}, ErrRange, 0},
	{"start 4294967295 outside", []Range{r(0, 4294967295, 1)}, ErrRange, 0},
	{"reaches 2^32 outside (kubernetes #139916)", []Range{r(0, 4294901760, 65536)}, ErrRange, 0},
	{"reaches 2^32 inside", []Range{r(4294901760, 0, 65536)}, ErrRange, 0},
	{"wraps", []Range{r(10, 0, 4294967295)}, ErrRange, 0},
	{"size 2^32-1 from 1", []Range{r(1, 0, 4294967295)}, ErrRange, 0},
	{"adjacent inside and outside", []Range{r(0, 100, 10), r(10, 110, 10)}, nil, 0},
	{"overlap inside", []Range{r(0, 100, 10), r(5, 1000, 10)}, ErrOverlap, 1},
	{"overlap outside", []Range{r(0, 100, 10), r(50, 105, 10)}, ErrOverlap, 1},
	{"overlap with the first, given third", []Range{r(0, 0, 10), r(100, 100, 10), r(9, 1000, 1)}, ErrOverlap, 2},
	{"duplicate", []Range{r(0, 0, 1), r(0, 0, 1)}, ErrOverlap, 1},
	{"contained", []Range{r(0, 0, 100), r(10, 1000, 5)}, ErrOverlap, 1},
	{"range error before overlap", []Range{r(0, 0, 10), r(0, 4294967295, 1)}, ErrRange, 1},
	{"overlap before range error", []Range{r(0, 0, 10), r(5, 50, 1), r(0, 4294967295, 1)}, ErrOverlap, 1},
	{"340 extents", seq(340, 2), nil, 0},
	{"341 extents", seq(341, 2), ErrTooMany, 340},
	{"bad extent before the 341st", append(append(seq(10, 2), r(1<<31, 1<<31, 0)), seq(340, 2)[10:]...), ErrEmpty, 10},
	{"long text", wide(200), ErrTooLong, -1},
}

// seq returns n extents of size 1 every step IDs on both sides.
func seq(n int, step uint32) []Range {
	out := make([]Range, n)
	for i := range out {
		out[i] = r(uint32(i)*step, uint32(i)*step, 1)
	}
	return out
}

// wide returns n extents with 10-digit numbers: 24 bytes a line.
func wide(n int) []Range {
	out := make([]Range, n)
	for i := range out {
		v := 1000000000 + uint32(i)*2
		out[i] = r(v, v, 1)
	}
	return out
}

func TestNew(t *testing.T) {
	for _, tt := range newTests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := New(tt.ranges...)
			if !errors.Is(err, tt.err) || (tt.err == nil) != (err == nil) {
				t.Fatalf("New(%v) error = %v, want %v", tt.ranges, err, tt.err)
			}
			if err != nil {
				var re *RangeError
				if !errors.As(err, &re) {
					t.Fatalf("error %T is not a *RangeError", err)
				}
				if re.Index != tt.index {
					t.Errorf("Index = %d, want %d (%v)", re.Index, tt.index, err)
				}
				if !m.IsZero() {
					t.Errorf("failed New returned a non-zero map %v", m)
				}
				return
			}
			if m.Len() != len(tt.ranges) {
				t.Errorf("Len = %d, want %d", m.Len(), len(tt.ranges))
			}
		})
	}
}

// lineOf returns ranges with text of exactly n bytes, each line ending in
// a newline, made of 24-byte lines and one filler.
func lineOf(n int) []Range {
	var out []Range
	rest := n
	for i := uint32(0); rest-24 >= 12; i++ {
		v := 1000000000 + i*2
		out = append(out, r(v, v, 1)) // "1000000000 1000000000 1\n" is 24 bytes
		rest -= 24
	}
	// A filler line of rest bytes: d1 + d2 + 1 digits and 3 separators.
	d := rest - 4
	d1 := min(d-1, 9)
	d2 := d - d1
	out = append(out, r(pow10(d1-1), pow10(d2-1), 1))
	return out
}

func pow10(n int) uint32 {
	v := uint32(1)
	for range n {
		v *= 10
	}
	return v
}

func TestTextLimit(t *testing.T) {
	for _, tt := range []struct {
		n  int
		ok bool
	}{{4095, true}, {4096, true}, {4097, false}} {
		rs := lineOf(tt.n)
		if got := len(mapText(rs, true)); got != tt.n {
			t.Fatalf("lineOf(%d) makes %d bytes", tt.n, got)
		}
		_, err := New(rs...)
		if (err == nil) != tt.ok {
			t.Errorf("New of %d bytes of text (with the final newline): %v, want ok=%v", tt.n, err, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrTooLong) {
			t.Errorf("error %v is not ErrTooLong", err)
		}
	}
}

// mapText formats ranges as the kernel reads them, whatever their
// validity.
func mapText(rs []Range, finalNewline bool) string {
	var b strings.Builder
	for i, x := range rs {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(x.String())
	}
	if finalNewline && len(rs) > 0 {
		b.WriteByte('\n')
	}
	return b.String()
}

func TestWriteTo(t *testing.T) {
	m := MustNew(r(0, 100000, 65536), r(65536, 1000, 1))
	var b strings.Builder
	n, err := m.WriteTo(&b)
	if err != nil || n != int64(b.Len()) {
		t.Fatalf("WriteTo = %d, %v", n, err)
	}
	if want := "0 100000 65536\n65536 1000 1"; b.String() != want {
		t.Errorf("WriteTo wrote %q, want %q", b.String(), want)
	}
	if want := "0 100000 65536\n65536 1000 1\n"; m.String() != want {
		t.Errorf("String = %q, want %q", m.String(), want)
	}
}

func TestToHostToContainer(t *testing.T) {
	m := MustNew(r(1000, 0, 1), r(0, 100000, 1000), r(1001, 101000, 64535), r(4294967294, 4294967294, 1))
	for _, tt := range []struct {
		in   uint32
		host uint32
		ok   bool
	}{
		{0, 100000, true},
		{999, 100999, true},
		{1000, 0, true},
		{1001, 101000, true},
		{65535, 165534, true},
		{65536, 0, false},
		{4294967294, 4294967294, true},
		{4294967295, 0, false},
	} {
		h, ok := m.ToHost(tt.in)
		if h != tt.host || ok != tt.ok {
			t.Errorf("ToHost(%d) = %d, %v; want %d, %v", tt.in, h, ok, tt.host, tt.ok)
		}
		if ok {
			c, ok := m.ToContainer(h)
			if c != tt.in || !ok {
				t.Errorf("ToContainer(%d) = %d, %v; want %d", h, c, ok, tt.in)
			}
		}
	}
	for _, id := range []uint32{1, 99999, 165535, 4294967295} {
		if c, ok := m.ToContainer(id); ok {
			t.Errorf("ToContainer(%d) = %d, true; host ID %d is not mapped", id, c, id)
		}
	}
	var zero Map
	if _, ok := zero.ToHost(0); ok {
		t.Error("the zero Map maps 0")
	}
}

func TestSizeLenRanges(t *testing.T) {
	m := MustNew(r(0, 0, 4294967295))
	if m.Size() != 4294967295 || m.Len() != 1 {
		t.Errorf("Size, Len = %d, %d", m.Size(), m.Len())
	}
	m = MustNew(r(0, 1, 4294967294), r(4294967294, 0, 1))
	if m.Size() != 4294967295 {
		t.Errorf("Size = %d", m.Size())
	}
	rs := m.Ranges()
	rs[0].Size = 1
	if m.Ranges()[0].Size != 4294967294 {
		t.Error("Ranges returned m's own slice")
	}
}

func TestErrorMessages(t *testing.T) {
	_, err := New(r(0, 0, 10), r(5, 100, 1))
	if got := err.Error(); !strings.Contains(got, "extent 1 (5 100 1)") || !strings.Contains(got, "overlap") {
		t.Errorf("message %q does not name the extent and the rule", got)
	}
	// An overlap names the earlier extent and the side.
	_, err = New(r(0, 0, 10), r(100, 100, 1), r(200, 5, 1))
	if got := err.Error(); got != "idmap: extent 2 (200 5 1): extents overlap outside with extent 0 (0 0 10)" {
		t.Errorf("message %q", got)
	}
	_, err = ParsePodman("0:0:10,100:100:1,200:5:1")
	if got := err.Error(); !errors.Is(err, ErrOverlap) || got != `idmap.ParsePodman: field 3: parsing "200:5:1": extents overlap outside with field 1` {
		t.Errorf("message %q", got)
	}
	// The text of an extent New refuses is the line as written.
	_, err = ParseProc("0 0 10\n  5\t100  1 \n")
	if got := err.Error(); got != `idmap.ParseProc: line 2: parsing "  5\t100  1 ": extents overlap inside with line 1` {
		t.Errorf("message %q", got)
	}
	_, err = ParseProc("0 0 1\n1 x 1\n")
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Line != 2 || pe.Field != 2 || pe.Text != "x" || !errors.Is(err, ErrSyntax) {
		t.Fatalf("ParseProc error = %#v", err)
	}
	if got := err.Error(); got != `idmap.ParseProc: line 2: field 2: parsing "x": invalid syntax` {
		t.Errorf("message %q", got)
	}
}
