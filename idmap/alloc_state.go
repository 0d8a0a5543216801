package idmap

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"unicode/utf8"
)

// allocStateVersion is the version of the state file this package writes
// and the newest it reads.
const allocStateVersion = 1

// allocState is the content of an Allocator's state file:
//
//	{"version": 1, "allocations": [{"name": "web-1", "start": 165536, "size": 65536}]}
//
// Allocations are kept sorted by start.
type allocState struct {
	Version     int          `json:"version"`
	Allocations []Allocation `json:"allocations"`
}

func (s *allocState) find(name string) int {
	return slices.IndexFunc(s.Allocations, func(a Allocation) bool { return a.Name == name })
}

func (s *allocState) sort() {
	slices.SortFunc(s.Allocations, func(x, y Allocation) int { return cmp.Compare(x.Start, y.Start) })
}

// readState reads the state file at path. A missing or empty file is an
// empty state.
func readState(path string) (*allocState, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return &allocState{Version: allocStateVersion}, nil
	}
	if err != nil {
		return nil, err
	}
	return decodeState(b)
}

// decodeState parses and checks a state file's content. Every error wraps
// ErrCorruptState or ErrNewerState.
func decodeState(b []byte) (*allocState, error) {
	if len(bytes.TrimSpace(b)) == 0 {
		// What touch or install(1) makes: no allocations yet.
		return &allocState{Version: allocStateVersion}, nil
	}
	// The version is read first and on its own, so that a newer file
	// is reported as newer rather than as holding unknown fields.
	var v struct {
		Version *int `json:"version"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCorruptState, err)
	}
	switch {
	case v.Version == nil:
		return nil, fmt.Errorf("%w: no version field", ErrCorruptState)
	case *v.Version > allocStateVersion:
		return nil, fmt.Errorf("%w: version %d; this package reads version %d and older (upgrade the program that reads it)",
			ErrNewerState, *v.Version, allocStateVersion)
	case *v.Version < 1:
		return nil, fmt.Errorf("%w: version %d", ErrCorruptState, *v.Version)
	}
	if err := strictState(b); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCorruptState, err)
	}
	var s allocState
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCorruptState, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: data after the JSON object", ErrCorruptState)
	}
	if err := s.check(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCorruptState, err)
	}
	s.sort()
	return &s, nil
}

// strictState checks what encoding/json lets through and a state file
// must not hold: text that is not UTF-8 (decoded as U+FFFD), a key given
// twice (the last would win, dropping allocations), keys in another case
// (matched regardless of it), and an allocation missing its name, start
// or size or giving one as null (decoded as zero: a block at 0).
func strictState(b []byte) error {
	if !utf8.Valid(b) {
		return errors.New("not UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	allocation := func(d *json.Decoder) error {
		return strictObject(d, "an allocation", map[string]func(*json.Decoder) error{"name": strictScalar, "start": strictScalar, "size": strictScalar}, true)
	}
	return strictObject(dec, "the state", map[string]func(*json.Decoder) error{
		"version": strictScalar,
		"allocations": func(d *json.Decoder) error {
			if t, err := d.Token(); err != nil || t != json.Delim('[') {
				return fmt.Errorf("allocations: not an array (%v)", err)
			}
			for d.More() {
				if err := allocation(d); err != nil {
					return err
				}
			}
			_, err := d.Token() // ]
			return err
		},
	}, false)
}

// strictObject reads one JSON object whose keys must be among fields
// (exactly, each once), each value read by its function; with all, every
// field must be there.
func strictObject(d *json.Decoder, what string, fields map[string]func(*json.Decoder) error, all bool) error {
	if t, err := d.Token(); err != nil || t != json.Delim('{') {
		return fmt.Errorf("%s: not an object (%v)", what, err)
	}
	seen := map[string]bool{}
	for d.More() {
		t, err := d.Token()
		if err != nil {
			return err
		}
		key, _ := t.(string)
		read, ok := fields[key]
		switch {
		case !ok:
			return fmt.Errorf("%s: unknown key %q", what, key)
		case seen[key]:
			return fmt.Errorf("%s: key %q given twice", what, key)
		}
		seen[key] = true
		if err := read(d); err != nil {
			return fmt.Errorf("%s: %q: %w", what, key, err)
		}
	}
	if _, err := d.Token(); err != nil { // }
		return err
	}
	if all && len(seen) != len(fields) {
		for k := range fields {
			if !seen[k] {
				return fmt.Errorf("%s: no %q", what, k)
			}
		}
	}
	return nil
}

// strictScalar reads a string or number; null, an object or an array is
// an error.
func strictScalar(d *json.Decoder) error {
	t, err := d.Token()
	if err != nil {
		return err
	}
	switch t.(type) {
	case string, json.Number:
		return nil
	case nil:
		return errors.New("null")
	}
	return fmt.Errorf("%v where a string or number belongs", t)
}

// check enforces what Allocate guarantees: names unique and valid, blocks
// non-empty, clear of 4294967295 and not overlapping.
func (s *allocState) check() error {
	names := make(map[string]bool, len(s.Allocations))
	for _, a := range s.Allocations {
		switch {
		case a.Name == "" || !utf8.ValidString(a.Name):
			return fmt.Errorf("allocation %s: %w", a.Block, ErrBadName)
		case names[a.Name]:
			return fmt.Errorf("name %q allocated twice", a.Name)
		case a.Size == 0:
			return fmt.Errorf("allocation %q: %w", a.Name, ErrEmpty)
		case a.end() > maxID:
			return fmt.Errorf("allocation %q (%s): %w", a.Name, a.Block, ErrRange)
		}
		names[a.Name] = true
	}
	sorted := slices.Clone(s.Allocations)
	slices.SortFunc(sorted, func(x, y Allocation) int { return cmp.Compare(x.Start, y.Start) })
	for i := 1; i < len(sorted); i++ {
		if sorted[i-1].end() > uint64(sorted[i].Start) {
			return fmt.Errorf("allocations %q (%s) and %q (%s): %w",
				sorted[i-1].Name, sorted[i-1].Block, sorted[i].Name, sorted[i].Block, ErrOverlap)
		}
	}
	return nil
}

func encodeState(s *allocState) []byte {
	s.Version = allocStateVersion
	if s.Allocations == nil {
		s.Allocations = []Allocation{}
	}
	b, err := json.MarshalIndent(s, "", "\t")
	if err != nil {
		// Strings, ints and slices of them always marshal.
		panic("idmap: encoding allocator state: " + err.Error())
	}
	return append(b, '\n')
}

// writeState replaces the state file crash-safely: write a temporary file
// in the same directory, fsync it, rename it over path, fsync the
// directory. The caller holds the lock, so the temporary name is its own.
func writeState(path string, s *allocState) (err error) {
	tmp := path + ".tmp"
	// A new state file gets 0644 less the umask; a rewrite keeps the old
	// file's mode.
	mode, keep := os.FileMode(0o644), false
	if fi, err := os.Stat(path); err == nil {
		mode, keep = fi.Mode().Perm(), true
	}
	// What is at tmp was left by a writer that died (the caller holds
	// the lock): remove it, and create a new file, never opening a link
	// or a file someone else put there.
	if err := os.Remove(tmp); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("removing the stale %s: %w", tmp, err)
	}
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if _, err = f.Write(encodeState(s)); err != nil {
		return err
	}
	// O_CREATE's mode passed through the umask; keep the old file's.
	if keep {
		if err = f.Chmod(mode); err != nil {
			return err
		}
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, path); err != nil {
		return err
	}
	return syncDir(filepath.Dir(path))
}
