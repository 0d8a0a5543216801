package caps

import (
	"strconv"
	"strings"
)

// Sets holds the five capability sets of a thread.
type Sets struct {
	Effective   Set
	Permitted   Set
	Inheritable Set
	Bounding    Set
	Ambient     Set
}

// flag bits of libcap's text form, in libcap's order: e=1, p=2, i=4.
const (
	flagE = 1 << iota
	flagP
	flagI
)

var combos = [8]string{"", "e", "p", "ep", "i", "ei", "ip", "eip"}

func (s *Sets) combo(v Value) int {
	c := 0
	if s.Effective.Has(v) {
		c |= flagE
	}
	if s.Permitted.Has(v) {
		c |= flagP
	}
	if s.Inheritable.Has(v) {
		c |= flagI
	}
	return c
}

// Text returns the effective, permitted and inheritable sets of s in
// libcap's text form, as cap_to_text(3), getpcaps and capsh --print write
// it: "=ep" for a full root, "cap_chown,cap_kill=ep cap_setuid+i", "=" for
// nothing. Bounding and ambient are not part of this form.
//
// The output follows cap_to_text: the flags most capabilities of the
// running kernel share are written first as "=flags", then each other
// group as a difference from it; capabilities above the kernel's last are
// appended as "numbers+flags". A test compares it with libcap's own.
func (s Sets) Text() string {
	max := Value(Supported().Len())
	var bins [8]int
	for v := Value(0); v < max; v++ {
		bins[s.combo(v)]++
	}
	m := 7
	for t := 6; t >= 0; t-- {
		if bins[t] >= bins[m] {
			m = t
		}
	}
	parts := []string{"=" + combos[m]}
	for i := 7; i >= 0; i-- {
		if i == m || bins[i] == 0 {
			continue
		}
		var list []string
		for v := Value(0); v < max; v++ {
			if s.combo(v) == i {
				list = append(list, Name(v, Libcap))
			}
		}
		clause := strings.Join(list, ",")
		if cf := i &^ m; cf != 0 {
			op := "+"
			if len(parts) == 1 && parts[0] == "=" {
				// "= x+ep" is written "x=ep".
				parts, op = nil, "="
			}
			clause += op + combos[cf]
		}
		if cf := m &^ i; cf != 0 {
			clause += "-" + combos[cf]
		}
		parts = append(parts, clause)
	}
	// Capabilities the kernel lacks can only be raised on top.
	for i := 7; i > 0; i-- {
		var list []string
		for v := max; v < 64; v++ {
			if s.combo(v) == i {
				list = append(list, Name(v, Libcap))
			}
		}
		if len(list) > 0 {
			parts = append(parts, strings.Join(list, ",")+"+"+combos[i])
		}
	}
	return strings.Join(parts, " ")
}

// ParseText parses libcap's text form of the effective, permitted and
// inheritable sets (cap_from_text(3)) into the first three fields of Sets:
// clauses separated by white space, each a list of capabilities (or "all",
// or nothing before "=" meaning all) followed by operations: "=flags"
// (first only: lower the listed capabilities in all three sets, then raise
// flags), "+flags" (raise), "-flags" (lower), flags being e, p and i.
// "cap_chown,cap_kill=ep cap_setuid+i", "=ep cap_sys_admin-e", "=".
//
// Beyond libcap it accepts names in every dialect and case (CAP_CHOWN,
// SYS_ADMIN, setuid), flags in upper case, and "=e+p"; "all" means every
// capability of the running kernel, as for libcap. The empty text is the
// empty state, as for cap_from_text. Errors are *ParseError.
func ParseText(text string) (Sets, error) {
	var s Sets
	all := Supported()
	for clause := range strings.FieldsSeq(text) {
		fail := func(err error) (Sets, error) {
			return Sets{}, &ParseError{Func: "ParseText", Field: "clause", Text: clause, Err: err}
		}
		i := strings.IndexAny(clause, "=+-")
		if i < 0 {
			return fail(errNoOp)
		}
		list, ops := clause[:i], clause[i:]
		var caps Set
		switch {
		case list == "":
			if ops[0] != '=' {
				return fail(errNoOp)
			}
			caps = all
		case strings.EqualFold(list, "all"):
			caps = all
		default:
			for name := range strings.SplitSeq(list, ",") {
				if strings.EqualFold(name, "all") {
					caps |= all // as cap_from_text takes it anywhere in a list
					continue
				}
				v, err := parseValue(name)
				if err != nil {
					return Sets{}, &ParseError{Func: "ParseText", Field: "clause " + strconv.Quote(clause), Text: name, Err: err}
				}
				caps |= 1 << v
			}
		}
		for first := true; ops != ""; first = false {
			op := ops[0]
			ops = ops[1:]
			if op != '=' && op != '+' && op != '-' {
				return fail(errBadFlag)
			}
			n := 0
			flags := 0
			for ; n < len(ops); n++ {
				switch ops[n] {
				case 'e', 'E':
					flags |= flagE
				case 'p', 'P':
					flags |= flagP
				case 'i', 'I':
					flags |= flagI
				default:
					goto done
				}
			}
		done:
			ops = ops[n:]
			switch {
			case op == '=' && first:
				s.Effective &^= caps
				s.Permitted &^= caps
				s.Inheritable &^= caps
				op = '+'
			case op == '=':
				return fail(errLateEq)
			case flags == 0:
				return fail(errNoFlags)
			}
			for _, f := range [...]struct {
				bit int
				set *Set
			}{{flagE, &s.Effective}, {flagP, &s.Permitted}, {flagI, &s.Inheritable}} {
				if flags&f.bit == 0 {
					continue
				}
				if op == '+' {
					*f.set |= caps
				} else {
					*f.set &^= caps
				}
			}
		}
	}
	return s, nil
}

var (
	errNoOp    = parseErr("a clause needs an operation: =, + or - (as in cap_chown=ep)")
	errLateEq  = parseErr("= may only start the operations of a clause")
	errNoFlags = parseErr("+ and - need flags: e, p or i")
	errBadFlag = parseErr("flags are e, p and i")
)

type parseErr string

func (e parseErr) Error() string { return string(e) }
