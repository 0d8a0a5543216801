package idmap

import (
	"fmt"
	"os"
	"testing"
)

// benchMap returns a map of n extents of 2 IDs, 3 apart inside and 5
// apart outside: numbers short enough for 340 extents to fit one write.
func benchMap(n int) Map {
	rs := make([]Range, n)
	for i := range rs {
		rs[i] = r(uint32(i)*3, uint32(i)*5, 2)
	}
	return MustNew(rs...)
}

var sink uint32

func BenchmarkToHost(b *testing.B) {
	for _, n := range []int{1, 5, 340} {
		m := benchMap(n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			span := uint32(n) * 3
			var i uint32
			for b.Loop() {
				h, _ := m.ToHost(i % span)
				sink += h
				i += 37
			}
		})
	}
}

func BenchmarkToContainer(b *testing.B) {
	for _, n := range []int{1, 5, 340} {
		m := benchMap(n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			span := uint32(n) * 5
			var i uint32
			for b.Loop() {
				c, _ := m.ToContainer(i % span)
				sink += c
				i += 37
			}
		})
	}
}

func BenchmarkParseProc(b *testing.B) {
	for _, file := range []string{"proc_root_init.uid_map", "proc_multi_host_view.uid_map", "proc_340.uid_map"} {
		data, err := os.ReadFile("testdata/" + file)
		if err != nil {
			b.Fatal(err)
		}
		s := string(data)
		b.Run(file, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(s)))
			for b.Loop() {
				if _, err := ParseProc(s); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkNew340(b *testing.B) {
	rs := benchMap(340).Ranges()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := New(rs...); err != nil {
			b.Fatal(err)
		}
	}
}

func TestLookupsDoNotAllocate(t *testing.T) {
	m := benchMap(340)
	if n := testing.AllocsPerRun(100, func() {
		h, _ := m.ToHost(301)
		c, _ := m.ToContainer(h)
		sink += c
	}); n != 0 {
		t.Errorf("ToHost+ToContainer allocate %v times", n)
	}
}
