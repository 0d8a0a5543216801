package idmap

import "encoding/json"

// MarshalJSON encodes m as a JSON array of its extents in the OCI
// runtime-spec's form, [{"containerID":0,"hostID":100000,"size":65536}],
// so a Map can stand where a spec's uidMappings do. The zero Map is [].
func (m Map) MarshalJSON() ([]byte, error) {
	if m.ranges == nil {
		return []byte("[]"), nil
	}
	return json.Marshal(m.ranges)
}

// UnmarshalJSON decodes the form [Map.MarshalJSON] writes and checks it
// as [New] does, except for the length of its text: that limits a write,
// not a map, and a map [ReadUIDMap] read can exceed it, so that what
// MarshalJSON wrote always decodes. [Map.WriteTo] and
// [Map.ToSysProcIDMap] refuse such a map ([ErrTooLong]). As
// encoding/json's own types do, it leaves m unchanged for null.
func (m *Map) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var rs []Range
	if err := json.Unmarshal(b, &rs); err != nil {
		return err
	}
	n, err := newMap(rs, false)
	if err != nil {
		return err
	}
	*m = n
	return nil
}

// MarshalText returns the text of [Map.String].
func (m Map) MarshalText() ([]byte, error) { return m.AppendText(nil) }

// UnmarshalText parses text as [ParseProc] does, except that, like
// [Map.UnmarshalJSON], it accepts text too long for one write, so that
// what [Map.MarshalText] wrote always parses.
func (m *Map) UnmarshalText(b []byte) error {
	n, err := parseProc(string(b), false)
	if err != nil {
		return err
	}
	*m = n
	return nil
}
