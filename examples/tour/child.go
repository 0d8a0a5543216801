//go:build linux

package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"

	"github.com/nonroot-go/nonroot/caps"
)

// childArg, as the first argument, makes the tour one of its own
// children: the program re-executed through /proc/self/exe to try
// something under other credentials and report, as one JSON line on
// stdout, what the kernel said.
const childArg = "__tour-child"

// probeReport is what a probing child saw of itself and of its attempts.
type probeReport struct {
	PID         int      `json:"pid"`
	UID         int      `json:"uid"`
	GID         int      `json:"gid"`
	CapEff      caps.Set `json:"cap_eff"`
	CapBnd      caps.Set `json:"cap_bnd"`
	UIDMap      string   `json:"uid_map"`
	Append      string   `json:"append,omitempty"`
	Read        string   `json:"read,omitempty"`
	Control     string   `json:"control,omitempty"`
	Sethostname string   `json:"sethostname,omitempty"`
	Err         string   `json:"err,omitempty"`
}

func runChild(args []string) int {
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "tour child: no operation")
		return 2
	}
	var v any
	hold := false
	switch op, rest := args[0], args[1:]; op {
	case "probe":
		r, h := probe(rest)
		v, hold = r, h
	case "forkers":
		return forkers(rest)
	case "nest":
		return nest(rest)
	case "nproc-shared":
		v = nprocShared(rest)
	case "rootless":
		s := &Step{}
		rootless(s)
		v = s.export()
	default:
		fmt.Fprintf(os.Stderr, "tour child: unknown operation %q\n", op)
		return 2
	}
	if err := json.NewEncoder(os.Stdout).Encode(v); err != nil {
		return 1
	}
	if hold {
		waitForEOF()
	}
	return 0
}

// waitForEOF keeps a child alive, for its parent to look at it from
// outside, until the parent closes its stdin.
func waitForEOF() { _, _ = io.Copy(io.Discard, os.Stdin) }

func probe(args []string) (probeReport, bool) {
	fs := flag.NewFlagSet("probe", flag.ContinueOnError)
	appendTo := fs.String("append", "", "open `file` for appending and write a line")
	read := fs.String("read", "", "open `file` for reading")
	hostname := fs.String("sethostname", "", "call sethostname(`name`)")
	control := fs.String("control", "", "open `file`, which anyone may read, for reading: a control for -append and -read")
	hold := fs.Bool("hold", false, "stay alive until stdin is closed")
	r := probeReport{PID: os.Getpid(), UID: os.Getuid(), GID: os.Getgid()}
	if err := fs.Parse(args); err != nil {
		r.Err = err.Error()
		return r, false
	}
	if p, err := caps.Self(); err == nil {
		r.CapEff, r.CapBnd = p.Effective, p.Bounding
	} else {
		r.Err = err.Error()
	}
	if b, err := os.ReadFile("/proc/self/uid_map"); err == nil {
		r.UIDMap = strings.Join(strings.Fields(string(b)), " ")
	}
	if *appendTo != "" {
		r.Append = outcome(appendLine(*appendTo))
	}
	if *read != "" {
		r.Read = outcome(openRead(*read))
	}
	if *control != "" {
		r.Control = outcome(openRead(*control))
	}
	if *hostname != "" {
		r.Sethostname = outcome(syscall.Sethostname([]byte(*hostname)))
	}
	return r, *hold
}

func openRead(name string) error {
	f, err := os.Open(name)
	if err == nil {
		f.Close()
	}
	return err
}

func appendLine(name string) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return err
	}
	_, err = f.WriteString("intruder::0:0:written by the tour's child:/:/bin/sh\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// held is a child that reported and waits for its stdin to close.
type held struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stderr *bytes.Buffer
}

// startHeld starts cmd with start (exec.Cmd's or userns.Cmd's), and
// decodes the child's first line of output into v.
func startHeld(cmd *exec.Cmd, start func() error, v any) (*held, error) {
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	h := &held{cmd: cmd, stdin: stdin, stderr: new(bytes.Buffer)}
	cmd.Stderr = h.stderr
	if start == nil {
		start = cmd.Start
	}
	if err := start(); err != nil {
		stdin.Close()
		return nil, err
	}
	line, rerr := bufio.NewReader(stdout).ReadBytes('\n')
	if rerr == nil {
		rerr = json.Unmarshal(line, v)
	}
	if rerr != nil {
		werr := h.release()
		return nil, fmt.Errorf("the child (pid %d) reported nothing readable (%v; exit: %v; stderr: %q)",
			cmd.Process.Pid, rerr, werr, strings.TrimSpace(h.stderr.String()))
	}
	return h, nil
}

func (h *held) pid() int { return h.cmd.Process.Pid }

// release lets the child exit and waits for it.
func (h *held) release() error {
	h.stdin.Close()
	err := h.cmd.Wait()
	var ee *exec.ExitError
	if errors.As(err, &ee) && h.stderr.Len() > 0 {
		return fmt.Errorf("%v: %s", err, strings.TrimSpace(h.stderr.String()))
	}
	return err
}

// self returns a command that runs the tour as a child doing op.
func self(op string, args ...string) *exec.Cmd {
	return exec.Command("/proc/self/exe", append([]string{childArg, op}, args...)...)
}

// selfArgs is self's argument list, for userns.Command.
func selfArgs(op string, args ...string) []string {
	return append([]string{childArg, op}, args...)
}

// jsonLine writes v as one JSON line on stdout: a child's report.
func jsonLine(v any) error { return json.NewEncoder(os.Stdout).Encode(v) }
