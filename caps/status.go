package caps

import (
	"errors"

	"github.com/nonroot-go/nonroot/internal/proc"
)

var errMissing = errors.New("line missing")

// ParseStatus parses the text of /proc/PID/status (or
// /proc/PID/task/TID/status) into the Process fields it holds: Pid, PPid,
// Command, Uid, Gid, the five capability sets, NoNewPrivs and Seccomp.
// CapInh, CapPrm, CapEff and CapBnd must be present; lines older kernels
// lack count as empty or off: CapAmb (Linux 4.3), NoNewPrivs (4.10) and
// Seccomp (3.8, and only with CONFIG_SECCOMP). It does no I/O. Errors are
// *ParseError with the line and field.
func ParseStatus(b []byte) (Process, error) {
	var st proc.Status
	if err := proc.ParseStatus(b, &st); err != nil {
		return Process{}, statusError(err)
	}
	if err := checkStatus(&st); err != nil {
		return Process{}, err
	}
	var p Process
	fromStatus(&p, &st)
	return p, nil
}

func checkStatus(st *proc.Status) error {
	for _, f := range [...]struct {
		bit  proc.Field
		name string
	}{{proc.FieldCapInh, "CapInh"}, {proc.FieldCapPrm, "CapPrm"}, {proc.FieldCapEff, "CapEff"}, {proc.FieldCapBnd, "CapBnd"}} {
		if st.Has&f.bit == 0 {
			return &ParseError{Func: "ParseStatus", Field: f.name, Err: errMissing}
		}
	}
	return nil
}

func statusError(err error) error {
	var pe *proc.ParseError
	if errors.As(err, &pe) {
		return &ParseError{Func: "ParseStatus", Line: pe.Line, Field: pe.Field, Text: pe.Text, Err: pe.Err}
	}
	return err
}

func fromStatus(p *Process, st *proc.Status) {
	p.Pid = st.Pid
	p.PPid = st.PPid
	p.Command = st.Name
	p.Uid = IDs{st.Uid[0], st.Uid[1], st.Uid[2], st.Uid[3]}
	p.Gid = IDs{st.Gid[0], st.Gid[1], st.Gid[2], st.Gid[3]}
	p.Sets = setsOf(st)
	p.NoNewPrivs = st.NoNewPrivs
	p.Seccomp = Seccomp(st.Seccomp)
}

func setsOf(st *proc.Status) Sets {
	return Sets{
		Effective:   Set(st.CapEff),
		Permitted:   Set(st.CapPrm),
		Inheritable: Set(st.CapInh),
		Bounding:    Set(st.CapBnd),
		Ambient:     Set(st.CapAmb),
	}
}
