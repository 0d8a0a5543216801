package idmap

import (
	"encoding/json"
	"errors"
	"io"
	"slices"
	"testing"
)

func TestJSON(t *testing.T) {
	m := MustNew(r(0, 100000, 65536), r(65536, 1000, 1))
	b, err := json.Marshal(struct{ UIDMappings Map }{m})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"UIDMappings":[{"containerID":0,"hostID":100000,"size":65536},{"containerID":65536,"hostID":1000,"size":1}]}`
	if string(b) != want {
		t.Errorf("json = %s, want %s", b, want)
	}
	var back struct{ UIDMappings Map }
	if err := json.Unmarshal(b, &back); err != nil || !back.UIDMappings.Equal(m) {
		t.Errorf("decoded %v, %v", back.UIDMappings, err)
	}
	if b, _ := json.Marshal(Map{}); string(b) != "[]" {
		t.Errorf("zero Map encodes as %s", b)
	}
	var z Map
	if err := json.Unmarshal([]byte("null"), &z); err != nil || !z.IsZero() {
		t.Errorf("null decodes as %v, %v", z, err)
	}
	// null leaves a Map as it is, as encoding/json does for its own types.
	if err := json.Unmarshal([]byte(`{"UIDMappings":null}`), &back); err != nil || !back.UIDMappings.Equal(m) {
		t.Errorf("null over a map gives %v, %v; want it unchanged", back.UIDMappings, err)
	}
	err = json.Unmarshal([]byte(`[{"containerID":0,"hostID":4294901760,"size":65536}]`), &z)
	if !errors.Is(err, ErrRange) {
		t.Errorf("invalid map decodes with %v, want ErrRange", err)
	}
}

func TestText(t *testing.T) {
	var m Map
	if err := m.UnmarshalText([]byte("0 1000 1\n")); err != nil || !m.Equal(MustNew(r(0, 1000, 1))) {
		t.Fatalf("UnmarshalText = %v, %v", m, err)
	}
	b, err := m.MarshalText()
	if err != nil || string(b) != "0 1000 1\n" {
		t.Errorf("MarshalText = %q, %v", b, err)
	}
	if err := m.UnmarshalText([]byte("0 0 0")); !errors.Is(err, ErrEmpty) {
		t.Errorf("UnmarshalText of a bad map: %v", err)
	}
}

// A map too long for one write, as ReadUIDMap can return from a nested
// namespace, survives both encodings; writing it is what fails.
func TestEncodingLongMap(t *testing.T) {
	var rs []Range
	for i := range uint32(300) {
		rs = append(rs, r(i*3, 1000000000+i*3, 2))
	}
	if _, err := New(rs...); !errors.Is(err, ErrTooLong) {
		t.Fatalf("New of %d extents: %v, want ErrTooLong", len(rs), err)
	}
	long, err := newMap(rs, false)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(long.String()); n <= MaxText {
		t.Fatalf("the map's text is %d bytes, not longer than one write", n)
	}
	b, err := json.Marshal(long)
	if err != nil {
		t.Fatal(err)
	}
	var back Map
	if err := json.Unmarshal(b, &back); err != nil || !back.Equal(long) {
		t.Errorf("JSON round trip: %v, equal %v", err, back.Equal(long))
	}
	text, err := long.MarshalText()
	if err != nil {
		t.Fatal(err)
	}
	back = Map{}
	if err := back.UnmarshalText(text); err != nil || !back.Equal(long) {
		t.Errorf("text round trip: %v, equal %v", err, back.Equal(long))
	}
	if _, err := back.WriteTo(io.Discard); !errors.Is(err, ErrTooLong) {
		t.Errorf("WriteTo of the decoded map: %v, want ErrTooLong", err)
	}
	// The kernel's other rules still hold.
	bad := append(slices.Clone(rs), r(0, 5, 1))
	if err := json.Unmarshal(mustJSON(t, bad), &back); !errors.Is(err, ErrOverlap) {
		t.Errorf("an overlapping long map decodes with %v, want ErrOverlap", err)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
