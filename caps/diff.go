package caps

import "strings"

// Change is what one set gained and lost going from an old value to a new
// one.
type Change struct{ Gained, Lost Set }

// Changes returns what going from old to new gains and loses.
func Changes(old, new Set) Change { return Change{Gained: new &^ old, Lost: old &^ new} }

// IsZero reports whether nothing changed.
func (c Change) IsZero() bool { return c.Gained == 0 && c.Lost == 0 }

// String writes the change as "+cap_kill,cap_chown -cap_sys_admin"; ""
// when nothing changed.
func (c Change) String() string {
	var parts []string
	if c.Gained != 0 {
		parts = append(parts, "+"+c.Gained.String())
	}
	if c.Lost != 0 {
		parts = append(parts, "-"+c.Lost.String())
	}
	return strings.Join(parts, " ")
}

// Diff says, for each of the five sets, which capabilities were gained and
// lost: libcap's Cf says only which sets differ.
type Diff struct {
	Effective, Permitted, Inheritable, Bounding, Ambient Change
}

// Diff compares s (the old state) with new, for example the sets of two
// processes or of one process read twice.
func (s Sets) Diff(new Sets) Diff {
	return Diff{
		Effective:   Changes(s.Effective, new.Effective),
		Permitted:   Changes(s.Permitted, new.Permitted),
		Inheritable: Changes(s.Inheritable, new.Inheritable),
		Bounding:    Changes(s.Bounding, new.Bounding),
		Ambient:     Changes(s.Ambient, new.Ambient),
	}
}

// IsZero reports whether no set changed.
func (d Diff) IsZero() bool { return d == Diff{} }

// String lists the sets that changed, one clause each, separated by "; ":
// "effective: -cap_sys_admin; bounding: -cap_sys_admin". "" when nothing
// changed.
func (d Diff) String() string {
	var parts []string
	for _, c := range [...]struct {
		name string
		c    Change
	}{{"effective", d.Effective}, {"permitted", d.Permitted}, {"inheritable", d.Inheritable}, {"bounding", d.Bounding}, {"ambient", d.Ambient}} {
		if !c.c.IsZero() {
			parts = append(parts, c.name+": "+c.c.String())
		}
	}
	return strings.Join(parts, "; ")
}
