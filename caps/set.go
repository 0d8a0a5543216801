package caps

import (
	"iter"
	"math/bits"
	"strconv"
	"strings"
)

// Set is a set of capabilities: bit n stands for capability n, as in the
// kernel's two 32-bit words of a capability set and the hex masks of
// /proc/PID/status. The zero Set is empty.
//
// A Set holds numbers 0 to 63 whether or not the running kernel or this
// package knows a name for them: capabilities newer than the name table
// are kept and printed as numbers.
type Set uint64

// SetOf returns the Set holding vs. Values above 63 are ignored: no kernel
// set can hold them.
func SetOf(vs ...Value) Set {
	var s Set
	for _, v := range vs {
		if v < 64 {
			s |= 1 << v
		}
	}
	return s
}

// Has reports whether s holds v.
func (s Set) Has(v Value) bool { return v < 64 && s&(1<<v) != 0 }

// HasAll reports whether s holds every capability of t.
func (s Set) HasAll(t Set) bool { return s&t == t }

// HasAny reports whether s and t share a capability.
func (s Set) HasAny(t Set) bool { return s&t != 0 }

// With returns s plus vs.
func (s Set) With(vs ...Value) Set { return s | SetOf(vs...) }

// Without returns s minus vs.
func (s Set) Without(vs ...Value) Set { return s &^ SetOf(vs...) }

// Union returns the capabilities in s or t.
func (s Set) Union(t Set) Set { return s | t }

// Intersect returns the capabilities in both s and t.
func (s Set) Intersect(t Set) Set { return s & t }

// Difference returns the capabilities in s and not in t.
func (s Set) Difference(t Set) Set { return s &^ t }

// IsEmpty reports whether s holds no capability.
func (s Set) IsEmpty() bool { return s == 0 }

// Len returns the number of capabilities in s.
func (s Set) Len() int { return bits.OnesCount64(uint64(s)) }

// All yields the capabilities of s in ascending order.
func (s Set) All() iter.Seq[Value] {
	return func(yield func(Value) bool) {
		for rest := uint64(s); rest != 0; rest &= rest - 1 {
			if !yield(Value(bits.TrailingZeros64(rest))) {
				return
			}
		}
	}
}

// Values returns the capabilities of s in ascending order.
func (s Set) Values() []Value {
	out := make([]Value, 0, s.Len())
	for v := range s.All() {
		out = append(out, v)
	}
	return out
}

// String returns s in libcap's lower-case text, names separated by commas
// in ascending order: "cap_chown,cap_kill". Capabilities without a name
// print as decimal numbers, as libcap prints them. The empty Set prints
// as "". A Set is one set, not libcap's effective/permitted/inheritable
// triple, so no "=ep" suffix is added; [Sets.Text] writes that form.
// [Parse] reads the result back.
func (s Set) String() string { return s.Format(Libcap) }

// Format returns s in dialect d, names separated by commas.
func (s Set) Format(d Dialect) string {
	var b strings.Builder
	for v := range s.All() {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(Name(v, d))
	}
	return b.String()
}

// Mask returns s as a hex mask with a 0x prefix, as capsh --decode and
// Docker's documentation write it: "0xa80425fb".
func (s Set) Mask() string { return "0x" + strconv.FormatUint(uint64(s), 16) }

// MarshalText encodes s as [Set.String] does.
func (s Set) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText decodes any text [Parse] accepts.
func (s *Set) UnmarshalText(b []byte) error {
	v, err := Parse(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}
