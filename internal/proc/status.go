package proc

import (
	"bytes"
	"math"
	"strconv"
)

// Field flags say which lines of /proc/PID/status were present.
type Field uint32

const (
	FieldName Field = 1 << iota
	FieldState
	FieldTgid
	FieldPid
	FieldPPid
	FieldUid
	FieldGid
	FieldThreads
	FieldCapInh
	FieldCapPrm
	FieldCapEff
	FieldCapBnd
	FieldCapAmb
	FieldNoNewPrivs
	FieldSeccomp
	FieldTracerPid
)

// FieldsCaps are the capability lines; CapAmb arrived in Linux 4.3.
const FieldsCaps = FieldCapInh | FieldCapPrm | FieldCapEff | FieldCapBnd | FieldCapAmb

// fieldsAll are all the fields ParseStatus knows.
const fieldsAll = FieldTracerPid<<1 - 1

// Status holds the fields of /proc/PID/status that nonroot uses.
type Status struct {
	// Name is the command name (comm), with the kernel's escapes undone.
	Name string
	// State is the state letter: R, S, D, Z, T...
	State byte
	Tgid  int
	Pid   int
	PPid  int
	// TracerPid is the id of the thread tracing this one, 0 for none.
	TracerPid int
	// Uid and Gid are real, effective, saved and filesystem ids, as seen
	// from the reader's user namespace (65534 where unmapped there).
	Uid, Gid [4]uint32
	// Threads is the number of threads of the process.
	Threads int
	// Capability sets as 64-bit masks: bit n is capability n.
	CapInh, CapPrm, CapEff, CapBnd, CapAmb uint64
	// NoNewPrivs is the no_new_privs bit (Linux 4.10+).
	NoNewPrivs bool
	// Seccomp is the seccomp mode (Linux 3.8+): 0 off, 1 strict, 2 filter,
	// 3 dead (a thread seccomp is killing); 0 to 255 are accepted.
	Seccomp int
	// Has records which of the fields above were present.
	Has Field
}

// ParseError reports a line of /proc/PID/status (or stat) that could not
// be parsed, in the manner of strconv.NumError.
type ParseError struct {
	Line  int    // 1-based line number
	Field string // the key, such as "CapEff"
	Text  string // the offending value
	Err   error  // the reason, such as strconv.ErrSyntax
}

func (e *ParseError) Error() string {
	return "proc: line " + strconv.Itoa(e.Line) + ": field " + e.Field + ": parsing " + strconv.Quote(e.Text) + ": " + e.Err.Error()
}

func (e *ParseError) Unwrap() error { return e.Err }

// ParseStatus parses the text of /proc/PID/status into st, which it
// resets first. Unknown lines are ignored, and parsing stops once every
// known field has been seen; a known line whose value does not parse is a
// *ParseError. Name is the only field that allocates.
func ParseStatus(b []byte, st *Status) error {
	*st = Status{}
	line := 0
	for len(b) > 0 {
		line++
		var l []byte
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			l, b = b[:i], b[i+1:]
		} else {
			l, b = b, nil
		}
		colon := bytes.IndexByte(l, ':')
		if colon < 0 {
			continue
		}
		key, val := l[:colon], trimSpace(l[colon+1:])
		var err error
		switch string(key) { // no allocation: the compiler recognises this form
		case "Name":
			st.Name = unescape(l[colon+1:])
			st.Has |= FieldName
		case "State":
			if len(val) == 0 {
				err = strconv.ErrSyntax
			} else {
				st.State = val[0]
				st.Has |= FieldState
			}
		case "Tgid":
			st.Tgid, err = atoi(val)
			st.Has |= FieldTgid
		case "Pid":
			st.Pid, err = atoi(val)
			st.Has |= FieldPid
		case "PPid":
			st.PPid, err = atoi(val)
			st.Has |= FieldPPid
		case "TracerPid":
			st.TracerPid, err = atoi(val)
			st.Has |= FieldTracerPid
		case "Uid":
			err = ids(val, &st.Uid)
			st.Has |= FieldUid
		case "Gid":
			err = ids(val, &st.Gid)
			st.Has |= FieldGid
		case "Threads":
			st.Threads, err = atoi(val)
			st.Has |= FieldThreads
		case "CapInh":
			st.CapInh, err = hex64(val)
			st.Has |= FieldCapInh
		case "CapPrm":
			st.CapPrm, err = hex64(val)
			st.Has |= FieldCapPrm
		case "CapEff":
			st.CapEff, err = hex64(val)
			st.Has |= FieldCapEff
		case "CapBnd":
			st.CapBnd, err = hex64(val)
			st.Has |= FieldCapBnd
		case "CapAmb":
			st.CapAmb, err = hex64(val)
			st.Has |= FieldCapAmb
		case "NoNewPrivs":
			var n int
			n, err = atoi(val)
			if err == nil && n > 1 {
				err = strconv.ErrRange
			}
			st.NoNewPrivs = n == 1
			st.Has |= FieldNoNewPrivs
		case "Seccomp":
			// Mode 3 is the kernel's internal SECCOMP_MODE_DEAD, shown while
			// seccomp kills a thread (a zombie leader keeps it); a later mode
			// must not make the process unreadable either.
			st.Seccomp, err = atoi(val)
			if err == nil && st.Seccomp > math.MaxUint8 {
				err = strconv.ErrRange
			}
			st.Has |= FieldSeccomp
		default:
			continue
		}
		if err != nil {
			return &ParseError{Line: line, Field: string(key), Text: string(val), Err: err}
		}
		if st.Has == fieldsAll {
			break // the rest (cpu and memory masks, context switches) is not wanted
		}
	}
	return nil
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}

// atoi parses a non-negative decimal int without allocating.
func atoi(b []byte) (int, error) {
	n, err := atou(b)
	if err == nil && n > math.MaxInt {
		err = strconv.ErrRange
	}
	return int(n), err
}

func atou(b []byte) (uint64, error) {
	if len(b) == 0 {
		return 0, strconv.ErrSyntax
	}
	if len(b) > 19 {
		return 0, strconv.ErrRange
	}
	var n uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, strconv.ErrSyntax
		}
		n = n*10 + uint64(c-'0')
	}
	return n, nil
}

// hex64 parses the kernel's 16-digit hex capability masks.
func hex64(b []byte) (uint64, error) {
	if len(b) == 0 {
		return 0, strconv.ErrSyntax
	}
	if len(b) > 16 {
		return 0, strconv.ErrRange
	}
	var n uint64
	for _, c := range b {
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, strconv.ErrSyntax
		}
		n = n<<4 | uint64(d)
	}
	return n, nil
}

// ids parses the four tab-separated ids of the Uid: and Gid: lines.
func ids(b []byte, out *[4]uint32) error {
	for i := range out {
		b = trimSpace(b)
		end := bytes.IndexAny(b, " \t")
		if end < 0 {
			end = len(b)
		}
		if end == 0 {
			return strconv.ErrSyntax
		}
		n, err := atou(b[:end])
		if err != nil {
			return err
		}
		if n > math.MaxUint32 {
			return strconv.ErrRange
		}
		out[i] = uint32(n)
		b = b[end:]
	}
	if len(trimSpace(b)) != 0 {
		return strconv.ErrSyntax
	}
	return nil
}

// unescape undoes the escapes of the Name: line. The kernel writes the
// name with seq_escape_str(ESCAPE_SPACE|ESCAPE_SPECIAL, "\n\\"): only a
// newline (as \n) and a backslash (as \\) are escaped, a tab or a space is
// written as is. The single tab after the colon is the separator.
func unescape(b []byte) string {
	if len(b) > 0 && b[0] == '\t' {
		b = b[1:]
	}
	if bytes.IndexByte(b, '\\') < 0 {
		return string(b)
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c == '\\' && i+1 < len(b) {
			switch b[i+1] {
			case 'n':
				c = '\n'
				i++
			case '\\':
				i++
			}
		}
		out = append(out, c)
	}
	return string(out)
}
