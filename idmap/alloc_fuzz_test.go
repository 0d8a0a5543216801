package idmap

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func FuzzDecodeState(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/alloc/*.json")
	for _, p := range seeds {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"version": 1, "allocations": [{"name": "a", "start": 100000, "size": 10}]}`))
	f.Add([]byte(`{"version": 2}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := decodeState(b)
		if err != nil {
			if !errors.Is(err, ErrCorruptState) && !errors.Is(err, ErrNewerState) {
				t.Fatalf("error %v wraps neither ErrCorruptState nor ErrNewerState", err)
			}
			return
		}
		// Round trip: what was accepted encodes to text that decodes to
		// the same allocations, and encodes to the same text again.
		enc := encodeState(s)
		s2, err := decodeState(enc)
		if err != nil {
			t.Fatalf("re-decoding %q: %v", enc, err)
		}
		if !slices.Equal(s.Allocations, s2.Allocations) {
			t.Fatalf("round trip changed %v to %v", s.Allocations, s2.Allocations)
		}
		if enc2 := encodeState(s2); !bytes.Equal(enc, enc2) {
			t.Fatalf("encoding not stable: %q then %q", enc, enc2)
		}
	})
}

func TestDecodeStateSamples(t *testing.T) {
	for _, tc := range []struct {
		file string
		n    int
		want error
	}{
		{"testdata/alloc/v1.json", 3, nil},
		{"testdata/alloc/v1-empty.json", 0, nil},
		{"testdata/alloc/v2.json", 0, ErrNewerState},
		{"testdata/alloc/torn.json", 0, ErrCorruptState},
	} {
		b, err := os.ReadFile(tc.file)
		if err != nil {
			t.Fatal(err)
		}
		s, err := decodeState(b)
		if !errors.Is(err, tc.want) || (err == nil && len(s.Allocations) != tc.n) {
			t.Errorf("%s: %v, %v; want %d allocations, error %v", tc.file, s, err, tc.n, tc.want)
		}
	}
}
