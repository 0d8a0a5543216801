package proc

import (
	"bytes"
	"errors"
	"strconv"
)

// Stat holds the fields of /proc/PID/stat that nonroot uses.
type Stat struct {
	// Comm is the command name, raw: it may hold spaces and ')'.
	Comm  string
	State byte
	PPid  int
	// StartTime is when the process started, in clock ticks since boot
	// (field 22). With the pid it identifies a process across pid reuse.
	StartTime uint64
}

var errNoComm = errors.New("no (comm) field")

// ParseStat parses the text of /proc/PID/stat. The command name may contain
// spaces and parentheses, so the fields after it are counted from the last
// ')' in the line.
func ParseStat(b []byte, s *Stat) error {
	*s = Stat{}
	open := bytes.IndexByte(b, '(')
	end := bytes.LastIndexByte(b, ')')
	if open < 0 || end < open {
		return &ParseError{Line: 1, Field: "comm", Text: string(b), Err: errNoComm}
	}
	s.Comm = string(b[open+1 : end])
	rest := b[end+1:]
	// Fields after comm start at field 3 (state); starttime is field 22.
	for field := 3; field <= 22; field++ {
		rest = bytes.TrimLeft(rest, " ")
		i := bytes.IndexAny(rest, " \n")
		if i < 0 {
			i = len(rest)
		}
		tok := rest[:i]
		rest = rest[i:]
		if len(tok) == 0 {
			return &ParseError{Line: 1, Field: "field " + strconv.Itoa(field), Text: "", Err: strconv.ErrSyntax}
		}
		var err error
		switch field {
		case 3:
			s.State = tok[0]
		case 4:
			s.PPid, err = atoi(tok)
		case 22:
			s.StartTime, err = atou(tok)
		}
		if err != nil {
			return &ParseError{Line: 1, Field: "field " + strconv.Itoa(field), Text: string(tok), Err: err}
		}
	}
	return nil
}
