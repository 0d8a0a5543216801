//go:build linux

package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Verdicts of a step. Only VerdictContradicted and VerdictError make the
// tour exit non-zero.
const (
	VerdictOK           = "ok"
	VerdictContradicted = "contradicted"
	VerdictSkipped      = "skipped"
	// VerdictError: something failed that had nothing to do with missing
	// privilege (a bug of the library or of the tour, or a broken system).
	VerdictError = "error"
)

// Step is one step of the tour as it is printed and as --json emits it.
type Step struct {
	N      int    `json:"n"`
	Title  string `json:"title"`
	Setup  string `json:"setup"`
	Expect string `json:"expect"`
	// Observed lists what the kernel did, one fact a line.
	Observed []string `json:"observed,omitempty"`
	Verdict  string   `json:"verdict"`
	// Why explains the verdict in one line: what the observations mean,
	// the observation that contradicts, or the error.
	Why string `json:"why,omitempty"`
	// Skipped is the reason of a skip: the privilege or tool missing.
	// WouldShow and HowToRun accompany it: what the step shows where it
	// can run, and how to run it there.
	Skipped   string `json:"skipped,omitempty"`
	WouldShow string `json:"would_show,omitempty"`
	HowToRun  string `json:"how_to_run,omitempty"`
	// NotRun lists the parts of a step that ran only in part, each with
	// its reason and how to run it.
	NotRun []string `json:"not_run,omitempty"`
	Millis int64    `json:"ms"`

	contradictions []string
	errs           []string
}

// see records an observation.
func (s *Step) see(format string, args ...any) {
	s.Observed = append(s.Observed, fmt.Sprintf(format, args...))
}

// check records an expectation against what was observed: when ok is
// false the step is contradicted by the observation described.
func (s *Step) check(ok bool, format string, args ...any) {
	if !ok {
		s.contradictions = append(s.contradictions, fmt.Sprintf(format, args...))
	}
}

// fail records an error that kept a part of the step from running though
// the caller had the privilege it needs.
func (s *Step) fail(format string, args ...any) {
	s.errs = append(s.errs, fmt.Sprintf(format, args...))
}

// skip marks the whole step as not run: why names the missing privilege,
// how says how to run the step.
func (s *Step) skip(why, wouldShow, how string) {
	s.Verdict, s.Why, s.Skipped, s.WouldShow, s.HowToRun = VerdictSkipped, "", why, wouldShow, how
}

// notRun records a part of the step that could not run here.
func (s *Step) notRun(part, why, how string) {
	s.NotRun = append(s.NotRun, part+": "+why+" ("+how+")")
}

// finish sets the verdict from the checks and errors recorded.
func (s *Step) finish(okWhy string) {
	if s.Verdict == VerdictSkipped {
		return
	}
	if len(s.Observed) == 0 && len(s.NotRun) > 0 && len(s.errs) == 0 && len(s.contradictions) == 0 {
		// Nothing of the step could run: a skip, with its parts' reasons.
		s.Verdict, s.Why, s.Skipped, s.HowToRun = VerdictSkipped, "", strings.Join(s.NotRun, "; "), "see the reasons above"
		s.WouldShow = s.Expect
		return
	}
	switch {
	case len(s.errs) > 0:
		s.Verdict, s.Why = VerdictError, strings.Join(s.errs, "; ")
	case len(s.contradictions) > 0:
		s.Verdict, s.Why = VerdictContradicted, strings.Join(s.contradictions, "; ")
	default:
		s.Verdict, s.Why = VerdictOK, okWhy
	}
}

// Tour is the document --json prints.
type Tour struct {
	Caller       Caller  `json:"caller"`
	Fixture      Fixture `json:"fixture"`
	Steps        []*Step `json:"steps"`
	OK           int     `json:"ok"`
	Contradicted int     `json:"contradicted"`
	Errors       int     `json:"errors"`
	Skipped      int     `json:"skipped"`
}

func (t *Tour) count() {
	for _, s := range t.Steps {
		switch s.Verdict {
		case VerdictOK:
			t.OK++
		case VerdictContradicted:
			t.Contradicted++
		case VerdictError:
			t.Errors++
		case VerdictSkipped:
			t.Skipped++
		}
	}
}

func (t *Tour) writeJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(t)
}

const width = 96

func (t *Tour) writeText(w io.Writer) {
	fmt.Fprintln(w, "nonroot tour: why root in a container is dangerous, and how each remedy stops it.")
	fmt.Fprintln(w, "Without a user namespace, uid 0 in a container is uid 0 of the host. The remedies:")
	fmt.Fprintln(w, "an ordinary uid (steps 2-3), a user namespace (4-5), rootless (6); capabilities (7).")
	fmt.Fprintln(w, "Every verdict below comes from what the kernel did, on this machine, just now.")
	fmt.Fprintln(w)
	para(w, "caller", t.Caller.String())
	para(w, "fixture", t.Fixture.String())
	for _, s := range t.Steps {
		fmt.Fprintln(w)
		fmt.Fprintf(w, "%d. %s  [%s]\n", s.N, s.Title, strings.ToUpper(verdictWord(s.Verdict)))
		para(w, "setup", s.Setup)
		para(w, "expect", s.Expect)
		for i, o := range s.Observed {
			label := ""
			if i == 0 {
				label = "observed"
			}
			para(w, label, o)
		}
		for _, n := range s.NotRun {
			para(w, "not run", n)
		}
		if s.Verdict == VerdictSkipped {
			para(w, "skipped", s.Skipped)
			para(w, "would show", s.WouldShow)
			para(w, "to run it", s.HowToRun)
			continue
		}
		para(w, "verdict", verdictWord(s.Verdict)+": "+s.Why)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "%d ok, %d contradicted, %d errors, %d skipped (go run ./examples/tour --json for the same as JSON)\n",
		t.OK, t.Contradicted, t.Errors, t.Skipped)
	var skipped []string
	how := ""
	for _, s := range t.Steps {
		if s.Verdict == VerdictSkipped {
			skipped = append(skipped, strconv.Itoa(s.N))
			if how == "" {
				how = s.HowToRun
			}
		}
	}
	if len(skipped) > 0 {
		fmt.Fprintf(w, "Steps %s did not run here; each says above what it would show.\nTo see step %s: %s\n", strings.Join(skipped, ", "), skipped[0], how)
	}
}

func verdictWord(v string) string {
	if v == VerdictContradicted {
		return "CONTRADICTED"
	}
	if v == VerdictError {
		return "ERROR"
	}
	return v
}

// para prints text under a label, wrapped at width with a hanging indent.
func para(w io.Writer, label, text string) {
	if text == "" {
		return
	}
	const indent = 15
	prefix := fmt.Sprintf("   %-*s", indent-3, label)
	if label != "" {
		prefix = fmt.Sprintf("   %-*s", indent-3, label+":")
	}
	line := prefix
	for _, word := range strings.Fields(text) {
		if len(line) > indent && len(line)+1+len(word) > width {
			fmt.Fprintln(w, line)
			line = strings.Repeat(" ", indent)
		}
		if len(line) > indent {
			line += " "
		}
		line += word
	}
	fmt.Fprintln(w, line)
}
