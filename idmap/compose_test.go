package idmap

import (
	"errors"
	"testing"
)

func TestInverse(t *testing.T) {
	m := MustNew(r(0, 100000, 65536), r(65536, 1000, 1))
	inv := m.Inverse()
	if !inv.Equal(MustNew(r(100000, 0, 65536), r(1000, 65536, 1))) {
		t.Fatalf("Inverse = %v", inv.Ranges())
	}
	for _, id := range []uint32{0, 5, 65535, 65536} {
		h, _ := m.ToHost(id)
		if c, ok := inv.ToHost(h); !ok || c != id {
			t.Errorf("Inverse().ToHost(%d) = %d, %v; want %d", h, c, ok, id)
		}
	}
	if !inv.Inverse().Equal(m) {
		t.Error("Inverse of Inverse differs")
	}
	if !(Map{}).Inverse().IsZero() {
		t.Error("Inverse of the zero Map is not zero")
	}
}

func TestCompose(t *testing.T) {
	outer := MustNew(r(0, 100000, 65536))
	for _, tt := range []struct {
		name  string
		m     Map
		outer Map
		want  []Range
		err   error
		index int
	}{
		// The nested example: a child mapped 0:100000:65536 runs a
		// grandchild mapped 0:1000:1000.
		{"nested", MustNew(r(0, 1000, 1000)), outer, []Range{r(0, 101000, 1000)}, nil, 0},
		{"two extents", MustNew(r(0, 0, 1), r(1, 1000, 10)), outer, []Range{r(0, 100000, 1), r(1, 101000, 10)}, nil, 0},
		{"split across the outer extents", MustNew(r(0, 5, 10)), MustNew(r(0, 500, 10), r(10, 9000, 10)), []Range{r(0, 505, 5), r(5, 9000, 5)}, nil, 0},
		{"unmapped in outer", MustNew(r(0, 0, 1), r(1, 65530, 10)), outer, nil, ErrNotInParent, 1},
		{"gap in outer", MustNew(r(0, 5, 10)), MustNew(r(0, 500, 10), r(11, 9000, 10)), nil, ErrNotInParent, 0},
		{"zero m", Map{}, outer, nil, nil, 0},
		{"zero outer", MustNew(r(0, 0, 1)), Map{}, nil, ErrNotInParent, 0},
		{"identity outer", MustNew(r(0, 1000, 1000)), MustNew(r(0, 0, 4294967295)), []Range{r(0, 1000, 1000)}, nil, 0},
		// fedora-toolbox's nested namespace inside rootless podman's, for
		// uid 1000 with 100000:65536, as its commit cfcf4eb shows both
		// maps and the host's view.
		{
			"toolbox in rootless podman",
			MustNew(r(1000, 0, 1), r(0, 1, 1000), r(1001, 1001, 64536)),
			MustNew(r(0, 1000, 1), r(1, 100000, 65536)),
			[]Range{r(1000, 1000, 1), r(0, 100000, 1000), r(1001, 101000, 64536)},
			nil, 0,
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.m.Compose(tt.outer)
			if tt.err != nil {
				var re *RangeError
				if !errors.Is(err, tt.err) || !errors.As(err, &re) || re.Index != tt.index {
					t.Fatalf("Compose error = %v, want %v at extent %d", err, tt.err, tt.index)
				}
				return
			}
			if err != nil || !got.Equal(MustNew(tt.want...)) {
				t.Fatalf("Compose = %v, %v; want %v", got.Ranges(), err, tt.want)
			}
			// Every ID maps as the two steps do.
			for _, x := range tt.m.Ranges() {
				for _, id := range []uint32{x.ContainerID, x.ContainerID + x.Size - 1, x.ContainerID + x.Size/2} {
					mid, _ := tt.m.ToHost(id)
					want, _ := tt.outer.ToHost(mid)
					if h, ok := got.ToHost(id); !ok || h != want {
						t.Errorf("composed ToHost(%d) = %d, %v; want %d", id, h, ok, want)
					}
				}
			}
		})
	}
}

func TestCompose341(t *testing.T) {
	// One extent of m across 341 extents of outer cannot be written.
	var rs []Range
	for i := range uint32(341) {
		rs = append(rs, r(i, 1000+2*i, 1))
	}
	_, err := MustNew(r(0, 0, 341)).Compose(MustNew(rs[:340]...))
	if !errors.Is(err, ErrNotInParent) {
		t.Errorf("Compose over 340 outer extents and a gap = %v", err)
	}
	outer := MustNew(append(rs[:339:339], r(339, 2000000, 2))...)
	got, err := MustNew(r(0, 0, 341)).Compose(outer)
	if err != nil || got.Len() != 340 {
		t.Errorf("Compose into 340 extents = %d extents, %v", got.Len(), err)
	}
	outer = MustNew(append(rs[:339:339], r(339, 2000000, 10))...)
	_, err = MustNew(r(0, 0, 341), r(1000, 345, 1)).Compose(outer)
	if !errors.Is(err, ErrTooMany) {
		t.Errorf("Compose into 341 extents = %v, want ErrTooMany", err)
	}
}

func TestCheckParentAndSplit(t *testing.T) {
	parent := MustNew(r(0, 1000, 1), r(1, 100000, 65536))
	for _, tt := range []struct {
		name      string
		m         Map
		checkErr  bool
		index     int
		split     []Range
		splitFail bool
	}{
		{"inside one", MustNew(r(0, 1, 65536)), false, 0, []Range{r(0, 1, 65536)}, false},
		{"root and the rest", MustNew(r(0, 0, 1), r(1, 1, 100)), false, 0, []Range{r(0, 0, 1), r(1, 1, 100)}, false},
		{"across two", MustNew(r(0, 0, 100)), true, 0, []Range{r(0, 0, 1), r(1, 1, 99)}, false},
		{"second across two", MustNew(r(1000, 1000, 1), r(0, 0, 10)), true, 1, []Range{r(1000, 1000, 1), r(0, 0, 1), r(1, 1, 9)}, false},
		{"past the end", MustNew(r(0, 65530, 100)), true, 0, nil, true},
		{"unmapped", MustNew(r(0, 70000, 1)), true, 0, nil, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.m.CheckParent(parent)
			var re *RangeError
			if tt.checkErr != (err != nil) || (err != nil && (!errors.Is(err, ErrNotInParent) || !errors.As(err, &re) || re.Index != tt.index)) {
				t.Errorf("CheckParent = %v, want error %v at %d", err, tt.checkErr, tt.index)
			}
			s, err := tt.m.SplitParent(parent)
			if tt.splitFail {
				if !errors.Is(err, ErrNotInParent) {
					t.Errorf("SplitParent = %v, %v; want ErrNotInParent", s.Ranges(), err)
				}
				return
			}
			if err != nil || !s.Equal(MustNew(tt.split...)) {
				t.Fatalf("SplitParent = %v, %v; want %v", s.Ranges(), err, tt.split)
			}
			if err := s.CheckParent(parent); err != nil {
				t.Errorf("split map fails CheckParent: %v", err)
			}
			if !s.Equivalent(tt.m) {
				t.Errorf("split map %v is not equivalent to %v", s, tt.m)
			}
		})
	}
}

func TestContains(t *testing.T) {
	m := MustNew(r(0, 100, 10), r(10, 110, 10), r(20, 5000, 5))
	for _, tt := range []struct {
		x    Range
		want bool
	}{
		{r(0, 100, 10), true},
		{r(5, 105, 10), true}, // across two adjacent extents
		{r(15, 115, 6), false},
		{r(20, 5000, 5), true},
		{r(19, 119, 2), false},
		{r(0, 101, 1), false},
		{r(0, 100, 0), false},
		{r(30, 30, 1), false},
	} {
		if got := m.ContainsRange(tt.x); got != tt.want {
			t.Errorf("ContainsRange(%v) = %v, want %v", tt.x, got, tt.want)
		}
	}
	if !m.Contains(MustNew(r(3, 103, 14), r(21, 5001, 1))) || m.Contains(MustNew(r(3, 103, 18))) || !m.Contains(Map{}) {
		t.Error("Contains")
	}
	if !m.Equivalent(MustNew(r(20, 5000, 5), r(0, 100, 20))) || m.Equivalent(MustNew(r(0, 100, 20))) {
		t.Error("Equivalent")
	}
	if !m.CoversContainer(0, 25) || m.CoversContainer(0, 26) || m.CoversContainer(0, 0) {
		t.Error("CoversContainer")
	}
	if !m.CoversHost(100, 20) || m.CoversHost(100, 21) || !m.CoversHost(5004, 1) || m.CoversHost(4294967295, 1) {
		t.Error("CoversHost")
	}
}
