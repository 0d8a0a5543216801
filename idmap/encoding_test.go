package idmap

import (
	"encoding/json"
	"errors"
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
