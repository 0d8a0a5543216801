//go:build linux

package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// row is one line of the table: our median against theirs.
type row struct {
	ID     string // "1a", "3/340": the comparison of the issue and its variant
	What   string // what one operation does
	Ours   string // who does it on our side
	Theirs string // and on theirs

	OursNS, TheirsNS         float64 // median ns per operation
	OursCPU, TheirsCPU       float64 // median CPU ns per operation (process and children)
	OursSpread, TheirsSpread float64 // interquartile range / median
	OursAllocs, TheirsAllocs float64 // per operation; -1 when not measured
	Rounds, Batch            int

	// MaxRatio is the target: ours/theirs must not exceed it (0: no target).
	// Below says the target needs ours/theirs strictly under MaxRatio.
	MaxRatio   float64
	Below      bool
	ZeroAllocs bool   // the target also needs 0 allocs/op
	Target     string // the target as the issue words it

	NoPeer  bool   // nothing else does this: the row has our figure only
	Skipped string // why the row was not measured
	Note    string
}

func (r *row) setOurs(s samples) {
	r.OursNS, r.OursSpread, r.OursCPU = s.median(), s.spread(), s.cpuMedian()
}

func (r *row) setTheirs(s samples) {
	r.TheirsNS, r.TheirsSpread, r.TheirsCPU = s.median(), s.spread(), s.cpuMedian()
}

func (r row) ratio() float64 {
	if r.TheirsNS == 0 {
		return 0
	}
	return r.OursNS / r.TheirsNS
}

// met says whether the target was met: "yes", "NO", or "—" when the row
// has no target or was not measured.
func (r row) met() string {
	if r.Skipped != "" {
		return "not measured"
	}
	if r.MaxRatio == 0 && !r.ZeroAllocs {
		return "—"
	}
	ok := true
	if r.MaxRatio != 0 {
		if r.Below {
			ok = r.ratio() < r.MaxRatio
		} else {
			ok = r.ratio() <= r.MaxRatio
		}
	}
	if r.ZeroAllocs && r.OursAllocs != 0 {
		ok = false
	}
	if ok {
		return "yes"
	}
	return "NO"
}

func fmtDur(ns float64) string {
	d := time.Duration(ns)
	switch {
	case ns == 0:
		return "—"
	case ns < 1000:
		return fmt.Sprintf("%.1f ns", ns)
	case d < time.Millisecond:
		return fmt.Sprintf("%.1f µs", ns/1e3)
	default:
		return fmt.Sprintf("%.2f ms", ns/1e6)
	}
}

func fmtMedian(ns, spread, allocs float64) string {
	if ns == 0 {
		return "—"
	}
	s := fmtDur(ns)
	if spread > 0 {
		s += fmt.Sprintf(" ±%.0f%%", spread*50)
	}
	if allocs >= 0 {
		s += fmt.Sprintf(", %g allocs", allocs)
	}
	return s
}

func (r row) cells() []string {
	ratio, cpu := "—", "—"
	if r.Skipped == "" && r.TheirsNS > 0 {
		ratio = fmt.Sprintf("%.2f", r.ratio())
	}
	// CPU time is counted in clock ticks' worth of precision at best;
	// below a microsecond per operation it says nothing wall time does not.
	if r.Skipped == "" && r.TheirsCPU > 0 && r.OursCPU > 0 && r.TheirsNS > 1000 {
		cpu = fmt.Sprintf("%.2f", r.OursCPU/r.TheirsCPU)
	}
	target := r.Target
	if target == "" {
		target = "—"
	}
	note := r.Note
	if r.Skipped != "" {
		note = join("NOT MEASURED: "+r.Skipped, r.Note)
	}
	return []string{
		r.ID, r.What, r.Ours, fmtMedian(r.OursNS, r.OursSpread, r.OursAllocs),
		r.Theirs, fmtMedian(r.TheirsNS, r.TheirsSpread, r.TheirsAllocs),
		ratio, target, r.met(), cpu, note,
	}
}

var header = []string{"#", "operation", "ours", "ours median", "theirs", "theirs median", "ours/theirs", "target", "met", "CPU ours/theirs", "note"}

func writeText(w io.Writer, m machine, rows []row) {
	fmt.Fprintf(w, "machine: %s\n", m)
	fmt.Fprintln(w, "medians of interleaved rounds; ± is half the interquartile range")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r.cells(), "\t"))
	}
	tw.Flush()
}

func writeMarkdown(w io.Writer, m machine, rows []row) {
	fmt.Fprintf(w, "Machine: %s.\n\n", m)
	fmt.Fprintln(w, "| "+strings.Join(header, " | ")+" |")
	fmt.Fprintln(w, "|"+strings.Repeat(" --- |", len(header)))
	for _, r := range rows {
		c := r.cells()
		for i := range c {
			c[i] = strings.ReplaceAll(c[i], "|", `\|`)
		}
		fmt.Fprintln(w, "| "+strings.Join(c, " | ")+" |")
	}
}

// join puts two reasons for a missing figure side by side.
func join(a, b string) string {
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	if a == "" || b == "" {
		return a + b
	}
	return a + "; " + b
}
