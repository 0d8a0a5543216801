//go:build linux

package caps

import (
	"fmt"

	"kernel.org/pub/linux/libs/security/libcap/cap"
)

// Cap returns a libcap set with the capabilities of s raised in each of
// flags (cap.Effective, cap.Permitted, cap.Inheritable), ready for
// (*cap.Set).SetProc or SetFile.
func (s Set) Cap(flags ...cap.Flag) (*cap.Set, error) {
	c := cap.NewSet()
	vs := s.Values()
	for _, f := range flags {
		if err := c.SetFlag(f, true, vs...); err != nil {
			return nil, fmt.Errorf("caps: raising %v in libcap's %v: %w", s, f, err)
		}
	}
	return c, nil
}

// SetFromCap returns the capabilities raised in flag f of c.
func SetFromCap(c *cap.Set, f cap.Flag) (Set, error) {
	var s Set
	for v := Value(0); v < 64; v++ {
		on, err := c.GetFlag(f, v)
		if err != nil {
			return 0, fmt.Errorf("caps: reading libcap's %v: %w", f, err)
		}
		if on {
			s |= 1 << v
		}
	}
	return s, nil
}

// Cap returns the effective, permitted and inheritable sets of s as a
// libcap set, ready for (*cap.Set).SetProc, which changes every thread of
// the process through psx.
func (s Sets) Cap() (*cap.Set, error) {
	c := cap.NewSet()
	for _, f := range [...]struct {
		flag cap.Flag
		set  Set
	}{{cap.Effective, s.Effective}, {cap.Permitted, s.Permitted}, {cap.Inheritable, s.Inheritable}} {
		if err := c.SetFlag(f.flag, true, f.set.Values()...); err != nil {
			return nil, fmt.Errorf("caps: raising %v in libcap's %v: %w", f.set, f.flag, err)
		}
	}
	return c, nil
}

// FromCap returns the effective, permitted and inheritable sets of c;
// Bounding and Ambient stay empty.
func FromCap(c *cap.Set) (Sets, error) {
	var s Sets
	var err error
	if s.Effective, err = SetFromCap(c, cap.Effective); err != nil {
		return Sets{}, err
	}
	if s.Permitted, err = SetFromCap(c, cap.Permitted); err != nil {
		return Sets{}, err
	}
	s.Inheritable, err = SetFromCap(c, cap.Inheritable)
	return s, err
}

// IAB returns the inheritable, ambient and bounding sets of s as libcap's
// IAB, ready for (*cap.IAB).SetProc or a cap.Launcher. libcap keeps the
// bounding set inverted (the Bound vector blocks), so every capability of
// the running kernel missing from s.Bounding is blocked. Inheritable or
// ambient capabilities the kernel does not know cannot be expressed and
// are an error.
func (s Sets) IAB() (*cap.IAB, error) {
	iab := cap.NewIAB()
	max := cap.MaxBits()
	if extra := (s.Inheritable | s.Ambient) &^ (Set(1)<<max - 1); extra != 0 {
		return nil, fmt.Errorf("caps: %v unknown to the running kernel (last capability %d): %w", extra, max-1, ErrNotSupported)
	}
	for _, f := range [...]struct {
		vec cap.Vector
		set Set
	}{{cap.Inh, s.Inheritable}, {cap.Amb, s.Ambient}, {cap.Bound, (Set(1)<<max - 1) &^ s.Bounding}} {
		if err := iab.SetVector(f.vec, true, f.set.Values()...); err != nil {
			return nil, fmt.Errorf("caps: raising %v in libcap's IAB %v: %w", f.set, f.vec, err)
		}
	}
	return iab, nil
}

// FromIAB returns the inheritable, ambient and bounding sets that iab
// describes; Effective and Permitted stay empty.
func FromIAB(iab *cap.IAB) (Sets, error) {
	var s Sets
	for v := Value(0); v < cap.MaxBits(); v++ {
		for _, f := range [...]struct {
			vec cap.Vector
			set *Set
		}{{cap.Inh, &s.Inheritable}, {cap.Amb, &s.Ambient}, {cap.Bound, &s.Bounding}} {
			on, err := iab.GetVector(f.vec, v)
			if err != nil {
				return Sets{}, fmt.Errorf("caps: reading libcap's IAB %v: %w", f.vec, err)
			}
			if on {
				*f.set |= 1 << v
			}
		}
	}
	s.Bounding = (Set(1)<<cap.MaxBits() - 1) &^ s.Bounding
	return s, nil
}
