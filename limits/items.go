package limits

import (
	"math"
	"strconv"
)

// Items that are not rlimits, numbered after the resources.
const (
	itemMaxLogins = NumResources + iota
	itemMaxSysLogins
	itemPriority
	itemNoNewPrivs
	itemChroot
)

// pamItems maps the item names pam_limits 1.5.2 knows to a resource or
// one of the item constants. rttime is not among them: pam_limits has
// never had it. chroot exists in Debian's patched module only.
var pamItems = map[string]int{
	"cpu": int(CPU), "fsize": int(FSIZE), "data": int(DATA), "stack": int(STACK),
	"core": int(CORE), "rss": int(RSS), "nproc": int(NPROC), "nofile": int(NOFILE),
	"memlock": int(MEMLOCK), "as": int(AS), "locks": int(LOCKS),
	"sigpending": int(SIGPENDING), "msgqueue": int(MSGQUEUE), "nice": int(NICE),
	"rtprio":    int(RTPRIO),
	"maxlogins": itemMaxLogins, "maxsyslogins": itemMaxSysLogins,
	"priority": itemPriority, "nonewprivs": itemNoNewPrivs, "chroot": itemChroot,
}

// kbItems are given in KB in limits.conf.
func kbItem(r Resource) bool {
	switch r {
	case FSIZE, DATA, STACK, CORE, RSS, MEMLOCK, AS:
		return true
	}
	return false
}

// compile checks a four-field rule the way process_limit does and stores
// its value in the kernel's unit. It returns why pam_limits would skip
// the rule, or "".
func (r *Rule) compile() string {
	item, ok := pamItems[r.Item]
	if !ok {
		return "unknown item " + strconv.Quote(r.Item) + " (pam_limits knows core data fsize memlock nofile rss stack cpu nproc as maxlogins maxsyslogins nonewprivs priority locks sigpending msgqueue nice rtprio)"
	}
	r.item = item
	switch r.Type {
	case "soft", "hard", "-":
	default:
		// Login counts and nonewprivs take any type; everything else skips.
		if item != itemMaxLogins && item != itemMaxSysLogins && item != itemNoNewPrivs {
			return "unknown type " + strconv.Quote(r.Type) + " (want soft, hard or -)"
		}
	}
	v := r.Value
	switch {
	case item == itemChroot:
		// Debian's patch: the value is a directory, lower-cased like
		// every value (measured: "/srv/Jail" chroots into "/srv/jail").
	case item == itemNoNewPrivs:
		switch v {
		case "0":
		case "1":
			r.ival = 1
		default:
			// pam_limits logs this and goes on with 0: the line turns
			// nonewprivs off. Kept as a rule; reported by Load as well.
			return ""
		}
	case item != itemPriority && item != int(NICE) && (v == "-1" || v == "-" || v == "unlimited" || v == "infinity"):
		r.ival = -1
		r.value = Unlimited
	case item == itemPriority || item == itemMaxLogins || item == itemMaxSysLogins || item == int(NICE):
		l, n := strtol(v)
		if n == 0 {
			reason := "wrong value " + strconv.Quote(v) + " (want a number)"
			if item != itemMaxLogins && item != itemMaxSysLogins {
				return reason
			}
			r.flagOnly = reason + loginFlagNote
		}
		r.ival = int(max(min(l, math.MaxInt32), math.MinInt32))
	default:
		u, n, _ := strtoul(v)
		if n == 0 {
			return "wrong value " + strconv.Quote(v) + " (want a number, unlimited, infinity or -1)"
		}
		r.value = u
	}
	// Upstream skips these, but Debian's module sends root past the
	// %group branch to the uid comparison, so %:0 or %0: with any item
	// still reaches root there: such a rule is kept for that path only.
	switch {
	case r.dom.kind == domPercent && item == itemMaxSysLogins && r.dom.rng == rangeNone:
		if r.flagOnly == "" {
			r.flagOnly = "a %group or % domain is for maxlogins only" + loginFlagNote
		}
	case r.dom.kind == domPercent && item != itemMaxLogins && r.dom.rng == rangeNone:
		return "a %group or % domain is for maxlogins only"
	case r.dom.kind == domPercent && item != itemMaxLogins:
		r.pctSkip = "a %group or % domain is for maxlogins only"
	case r.dom.kind == domPercent && (r.dom.rng == rangeMin || r.dom.rng == rangeMM):
		r.pctSkip = "a gid range is not supported for %group matching"
	}
	if item < NumResources {
		r.value = kernelUnits(Resource(item), r.value, r.ival)
		r.nrOpen = Resource(item) == NOFILE && r.value == Unlimited
	}
	return ""
}

// loginFlagNote: pam_limits sets its count-all-users flag from a
// maxlogins or maxsyslogins line as soon as it reads the item, before it
// rejects the value or the domain (measured with a crafted utmp).
const loginFlagNote = "; pam_limits still lets the line decide whose logins count (maxsyslogins: everyone's, maxlogins: the user's)"

// kernelUnits converts a limits.conf number into the kernel's unit.
func kernelUnits(res Resource, v uint64, iv int) uint64 {
	switch {
	case res == CPU && v != Unlimited: // minutes
		if v >= Unlimited/60 {
			return Unlimited
		}
		return v * 60
	case kbItem(res) && v != Unlimited:
		if v >= Unlimited/1024 {
			return Unlimited
		}
		return v * 1024
	case res == NICE: // a nice value n allows raising priority to n: rlimit 20-n
		iv = max(min(iv, 19), -20)
		return uint64(20 - iv)
	}
	return v
}
