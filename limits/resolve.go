package limits

import (
	"fmt"
	"maps"
)

// Flavor selects which pam_limits to imitate.
type Flavor int

const (
	// Upstream is Linux-PAM's pam_limits 1.5.2 as released, without the
	// set_all option: limits no rule sets stay as the PAM application
	// (login, sshd, su) had them, every line reaches root, and a
	// setrlimit the kernel refuses fails the session. (Linux-PAM's current
	// source skips EPERM as Debian does; releases up to 1.5.2 do not.)
	Upstream Flavor = iota
	// Debian is the pam_limits of Debian and Ubuntu (Debian 12: 1.5.2-6):
	// it starts from PID 1's limits (/proc/1/limits) with the soft
	// nofile capped at 1024 unless a rule sets it; "*" lines and named
	// @group and %group lines do not touch root, while numeric @ and %
	// domains (@:0, @0:99, %:0) reach root as uid ranges of the user
	// class, for any item, and exemption lines work as upstream; a
	// setrlimit refused with EPERM is skipped silently; and it knows the
	// chroot item.
	Debian
)

// String returns "upstream" or "debian".
func (f Flavor) String() string {
	switch f {
	case Upstream:
		return "upstream"
	case Debian:
		return "debian"
	}
	return fmt.Sprintf("Flavor(%d)", int(f))
}

// Domain classes of pam_limits: a lower class is more specific and wins.
const (
	classUser     = 0 // user name or uid range
	classGroup    = 1 // @group, @:gid, @min:max
	classAllGroup = 2 // %group (maxlogins only)
	classAll      = 3 // % (maxlogins only)
	classDefault  = 4 // *
	classKernel   = 5 // PID 1's value (Debian)
	classNone     = 6 // not set
)

// Origin says where a soft or hard value came from.
type Origin int

const (
	// FromCaller: no rule set it; the PAM application's own value stays.
	FromCaller Origin = iota
	// FromPID1: Debian's starting value, read from /proc/1/limits.
	FromPID1
	// FromRule: the line in SoftRule or HardRule set it.
	FromRule
)

// String returns "caller", "PID 1" or "rule".
func (o Origin) String() string {
	switch o {
	case FromCaller:
		return "caller"
	case FromPID1:
		return "PID 1"
	case FromRule:
		return "rule"
	}
	return fmt.Sprintf("Origin(%d)", int(o))
}

// Start is what pam_limits starts from before reading any rule.
type Start struct {
	// Caller holds the PAM application's own limits: the starting point
	// of upstream pam_limits, and Debian's fallback when /proc/1/limits
	// cannot be read. Missing resources count as Unlimited.
	Caller map[Resource]Rlimit
	// PID1 holds /proc/1/limits, Debian's starting point; nil if unknown.
	PID1 map[Resource]Rlimit
	// NrOpen is /proc/sys/fs/nr_open, what "nofile unlimited" becomes; 0
	// if unknown, in which case the value stays Unlimited (and the
	// kernel would refuse it).
	NrOpen uint64
}

// Item is the outcome for one resource.
type Item struct {
	Resource Resource
	Rlimit   Rlimit // what the session gets, soft clamped to hard
	Soft     Origin
	Hard     Origin
	SoftRule *Rule // the line that set the soft value, when Soft is FromRule
	HardRule *Rule // the line that set the hard value, when Hard is FromRule
	Clamped  bool  // the soft value was above the hard value and was lowered to it
	// Capped: Debian lowered PID 1's soft nofile to 1024 (FD_SETSIZE),
	// as no rule set it.
	Capped bool
}

// Set reports whether a rule set either half.
func (it Item) Set() bool { return it.SoftRule != nil || it.HardRule != nil }

// Setting is the outcome of an item that is not an rlimit.
type Setting struct {
	Value int
	Rule  *Rule // nil when no line set it
}

// Skip is a line that matched the user but changed nothing, and why.
type Skip struct {
	Rule   *Rule
	Reason string
}

// Result is what pam_limits gives one user.
type Result struct {
	User   User
	Flavor Flavor
	// Exempt is the "<domain> -" line that matched the user: pam_limits
	// then applies nothing at all, and every item is FromCaller.
	Exempt *Rule
	// Items holds every resource, indexed by Resource.
	Items []Item
	// Priority is the nice value the session gets (the last matching
	// priority line, whatever its class, clamped to -20..19 as the kernel
	// clamps what pam_limits passes to setpriority); Rule nil leaves the
	// caller's.
	Priority Setting
	// NoNewPrivs is 1 when the last matching nonewprivs line said 1.
	NoNewPrivs Setting
	// MaxLogins is the login limit (-1: none, 0: no login at all);
	// SysWide says whose logins count against it: everyone's when the
	// last matching maxlogins or maxsyslogins line read was maxsyslogins,
	// even a line pam_limits rejected for its value or domain, or whose
	// class lost; else the user's own, but everyone's for a limit set by
	// a "%" line and the group's members' for a %group line (see
	// MaxLogins.Rule). Root is never checked.
	MaxLogins Setting
	SysWide   bool
	// Chroot is the directory of the chroot item (Debian only): the last
	// matching line wins whatever its class, its value is lower-cased as
	// every value is, and a chroot that fails denies the session.
	Chroot     string
	ChrootRule *Rule
	// Skipped lists matching lines that changed nothing, with the reason.
	Skipped []Skip
}

// Limit returns the limit that the item (spelt as in limits.conf:
// "nofile", "cpu", ...) gets, in the kernel's units, and whether a rule
// set it. Without a rule the value is the starting one (see [Item]).
func (r Result) Limit(item string) (Rlimit, bool) {
	i, ok := pamItems[item]
	if !ok || i >= NumResources || i >= len(r.Items) {
		return Rlimit{}, false
	}
	it := r.Items[i]
	return it.Rlimit, it.Set()
}

// Rlimits returns the limits pam_limits changes, for applying to a
// process (package userns takes this map): nothing for an exempt user;
// for Upstream the resources a rule set; for Debian every resource,
// since it resets them all from PID 1.
func (r Result) Rlimits() map[Resource]Rlimit {
	m := map[Resource]Rlimit{}
	if r.Exempt != nil {
		return m
	}
	for _, it := range r.Items {
		if it.Set() || it.Clamped || (r.Flavor == Debian && (it.Soft == FromPID1 || it.Hard == FromPID1)) {
			m[it.Resource] = it.Rlimit
		}
	}
	return m
}

// Resolve works out the limits pam_limits gives u, starting from the
// running system's values (see [SystemStart]); its errors leave the
// start as [Start] documents.
func (c *Config) Resolve(u User, f Flavor) Result {
	s, _ := SystemStart()
	return c.ResolveWith(u, f, s)
}

type half struct {
	v     uint64
	class int
	rule  *Rule
}

// ResolveWith works out the limits pam_limits of flavour f gives u,
// starting from s. It follows pam_limits' rules: a user name or uid
// range beats a group beats "*"; within a class the last matching line
// read wins; soft and hard are tracked apart, and a "-" line whose soft
// half is blocked by a more specific class leaves its hard half unapplied
// too; priority and nonewprivs take the last matching line; an exemption
// line stops everything; at the end soft is clamped to hard.
func (c *Config) ResolveWith(u User, f Flavor, s Start) Result {
	res := Result{User: u, Flavor: f, MaxLogins: Setting{Value: -2}}
	soft := make([]half, NumResources)
	hard := make([]half, NumResources)
	start := s.Caller
	startClass := classNone
	if f == Debian && s.PID1 != nil {
		start, startClass = s.PID1, classKernel
	}
	for i := range NumResources {
		l, ok := start[Resource(i)]
		if !ok {
			l = s.Caller[Resource(i)]
			if _, ok := s.Caller[Resource(i)]; !ok {
				l = Rlimit{Unlimited, Unlimited}
			}
		}
		soft[i] = half{v: l.Soft, class: startClass}
		hard[i] = half{v: l.Hard, class: startClass}
		if _, ok := start[Resource(i)]; !ok {
			soft[i].class, hard[i].class = classNone, classNone
		}
	}
	capped := false
	if startClass == classKernel && soft[NOFILE].class == classKernel && soft[NOFILE].v > 1024 {
		soft[NOFILE].v, capped = 1024, true // FD_SETSIZE: select() breaks above it
	}
	loginClass := classNone
	skip := func(r *Rule, why string, args ...any) {
		res.Skipped = append(res.Skipped, Skip{Rule: r, Reason: fmt.Sprintf(why, args...)})
	}
	for i := range c.Rules {
		r := &c.Rules[i]
		if r.Exempt {
			if r.exempts(u) {
				res.Exempt = r
				res.Items = callerItems(s.Caller)
				res.Priority, res.NoNewPrivs, res.MaxLogins, res.SysWide = Setting{}, Setting{}, Setting{Value: -2}, false
				res.Chroot, res.ChrootRule = "", nil
				return res
			}
			continue
		}
		class, why := r.matches(u, f)
		if class < 0 {
			if why != "" {
				skip(r, "%s", why)
			}
			continue
		}
		switch r.item {
		case itemPriority:
			// pam_limits passes the value to setpriority(2) as it is;
			// the kernel clamps it to the nice range.
			res.Priority = Setting{Value: min(max(r.ival, -20), 19), Rule: r}
		case itemNoNewPrivs:
			res.NoNewPrivs = Setting{Value: r.ival, Rule: r}
		case itemMaxLogins, itemMaxSysLogins:
			res.SysWide = r.item == itemMaxSysLogins // set as soon as the line is read
			if r.flagOnly != "" {
				skip(r, "%s", r.flagOnly)
				continue
			}
			if loginClass < class {
				skip(r, "a more specific line set the login limit")
				continue
			}
			res.MaxLogins, loginClass = Setting{Value: r.ival, Rule: r}, class
		case itemChroot:
			if f != Debian {
				skip(r, "the chroot item exists in Debian's pam_limits only")
				continue
			}
			res.Chroot, res.ChrootRule = r.Value, r
		default:
			v := r.value
			if r.nrOpen && s.NrOpen != 0 {
				v = s.NrOpen
			}
			it := r.item
			if r.Type != "hard" {
				if soft[it].class < class {
					skip(r, "the soft limit was set by a more specific line at %s", soft[it].rule.Pos())
					if r.Type == "-" {
						res.Skipped[len(res.Skipped)-1].Reason += "; pam_limits then leaves the hard half of this \"-\" line unapplied too"
					}
					continue
				}
				soft[it] = half{v: v, class: class, rule: r}
			}
			if r.Type != "soft" {
				if hard[it].class < class {
					skip(r, "the hard limit was set by a more specific line at %s", hard[it].rule.Pos())
					continue
				}
				hard[it] = half{v: v, class: class, rule: r}
			}
		}
	}
	res.Items = make([]Item, NumResources)
	for i := range NumResources {
		it := Item{Resource: Resource(i), Rlimit: Rlimit{soft[i].v, hard[i].v}, SoftRule: soft[i].rule, HardRule: hard[i].rule}
		it.Soft, it.Hard = origin(soft[i]), origin(hard[i])
		it.Capped = capped && Resource(i) == NOFILE && it.Soft == FromPID1
		if it.Rlimit.Soft > it.Rlimit.Hard {
			it.Rlimit.Soft, it.Clamped = it.Rlimit.Hard, true
		}
		res.Items[i] = it
	}
	return res
}

func origin(h half) Origin {
	switch {
	case h.rule != nil:
		return FromRule
	case h.class == classKernel:
		return FromPID1
	}
	return FromCaller
}

func callerItems(caller map[Resource]Rlimit) []Item {
	items := make([]Item, NumResources)
	for i := range items {
		l, ok := caller[Resource(i)]
		if !ok {
			l = Rlimit{Unlimited, Unlimited}
		}
		items[i] = Item{Resource: Resource(i), Rlimit: l}
	}
	return items
}

// matches returns the class in which a four-field rule applies to u, or
// -1 and, where it is worth telling, why a line naming u does not apply.
func (r *Rule) matches(u User, f Flavor) (int, string) {
	d := r.dom
	if r.Domain == u.Name {
		return classUser, ""
	}
	if f == Debian && u.UID == 0 {
		// Debian's patch sends root past the group, %group and * branches
		// to the uid comparison: @:0, @0:5 and %:0 are uid ranges there,
		// in the user class, for any item (measured with the real module).
		if d.rng != rangeNone {
			if d.uidMatch(0) {
				return classUser, ""
			}
			return -1, ""
		}
		if c, _ := r.upstreamClass(u); c >= 0 {
			return -1, "Debian's pam_limits leaves root alone for * lines and named @group and %group lines"
		}
		return -1, ""
	}
	return r.upstreamClass(u)
}

func (r *Rule) upstreamClass(u User) (int, string) {
	d := r.dom
	switch {
	case r.pctSkip != "":
	case d.kind == domGroup:
		if d.groupMatch(u) {
			return classGroup, ""
		}
	case d.kind == domPercent: // maxlogins only, and no gid ranges
		if d.name == "" {
			return classAll, ""
		}
		if d.groupMatch(u) {
			return classAllGroup, ""
		}
	case d.kind == domDefault:
		return classDefault, ""
	case d.uidMatch(u.UID):
		return classUser, ""
	}
	return -1, ""
}

// exempts reports whether an exemption line matches u. A %-domain falls
// through pam_limits' code to the uid comparison, so "%:1000 -" exempts
// uid 1000. Debian's root handling does not reach this code.
func (r *Rule) exempts(u User) bool {
	if r.Domain == u.Name {
		return true
	}
	if r.dom.kind == domGroup {
		return r.dom.groupMatch(u)
	}
	return r.dom.uidMatch(u.UID)
}

// groupMatch is pam_limits' test of an @ or % domain: a group looked up
// by name or gid, or a range of the primary gid.
func (d domain) groupMatch(u User) bool {
	switch d.rng {
	case rangeNone:
		return u.inGroupName(d.name)
	case rangeOne:
		return u.inGroupGID(d.max)
	case rangeMM:
		return u.GID >= d.min && u.GID <= d.max
	case rangeMin:
		return u.GID >= d.min
	}
	return false
}

// uidMatch is pam_limits' uid range test; a domain without a colon has
// no range and never matches.
func (d domain) uidMatch(uid uint32) bool {
	switch d.rng {
	case rangeOne, rangeMM:
		return uid >= d.min && uid <= d.max
	case rangeMin:
		return uid >= d.min
	}
	return false
}

// Clone returns a deep copy of the start values.
func (s Start) Clone() Start {
	s.Caller = maps.Clone(s.Caller)
	s.PID1 = maps.Clone(s.PID1)
	return s
}
