//go:build linux

// Command nrbench measures nonroot against the programs and libraries
// people use today for the same jobs, side by side in one run on one
// machine, and prints a table of medians and the ratio ours/theirs.
//
// The two sides of each comparison run in interleaved rounds (A, B, B,
// A, ...), so that a burst of noise on a shared machine hits both; only
// the ratios are meant to travel between machines.
//
// Run it from internal/bench (a module of its own, so the libraries
// compared against never enter nonroot's go.mod), as root so that every
// fixture can be built:
//
//	cd internal/bench && go run ./cmd/nrbench [-quick] [-md FILE]
//
// Comparison 2 needs an ordinary user with /etc/subuid and /etc/subgid
// entries; run as root, nrbench re-executes itself for that part as the
// user named by -user (default nrtest), through setpriv.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/nonroot-go/nonroot/userns"
)

type config struct {
	rounds         int
	startBatch     int
	translateBatch int
	procs, reduced int // fixture processes: plain and with reduced sets
	uidProcs       int
	users          int // comparison 6
	install        bool
	quiet          bool // no progress on stderr
	user           string
	only           map[string]bool
}

func main() {
	// The newuidmap path re-executes this program as its stage.
	userns.Init()
	quick := flag.Bool("quick", false, "a smoke run: few rounds, small fixtures (the figures are not stable)")
	rounds := flag.Int("rounds", 0, "interleaved rounds per comparison (default 31, 5 with -quick)")
	md := flag.String("md", "", "also write the table as Markdown to this file (- for stdout)")
	asJSON := flag.Bool("json", false, "print the rows as JSON (used when nrbench re-executes itself)")
	only := flag.String("only", "", "comma-separated comparisons to run, of 1,2,3,4,5,6 (default all)")
	install := flag.Bool("install", false, "apt-get install missing tools (as root)")
	usr := flag.String("user", "nrtest", "the ordinary user with subordinate ranges that comparison 2 runs as, when nrbench runs as root")
	noop := flag.Bool("noop", false, "exit at once: the floor of re-executing this program, as userns's stage does")
	flag.Parse()
	if *noop {
		return
	}

	cfg := config{rounds: 31, startBatch: 10, translateBatch: 200_000, procs: 200, reduced: 100, uidProcs: 60, users: 1000, install: *install, user: *usr}
	if *quick {
		cfg = config{rounds: 5, startBatch: 2, translateBatch: 20_000, procs: 30, reduced: 10, uidProcs: 10, users: 1000, install: *install, user: *usr}
	}
	cfg.quiet = *asJSON
	if *rounds > 0 {
		cfg.rounds = *rounds
	}
	if *only != "" {
		cfg.only = map[string]bool{}
		for _, s := range strings.Split(*only, ",") {
			cfg.only[strings.TrimSpace(s)] = true
		}
	}
	m, rows, err := run(cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "nrbench:", err)
		os.Exit(1)
	}
	if *asJSON {
		if err := json.NewEncoder(os.Stdout).Encode(rows); err != nil {
			fmt.Fprintln(os.Stderr, "nrbench:", err)
			os.Exit(1)
		}
		return
	}
	writeText(os.Stdout, m, rows)
	if *md != "" {
		out := os.Stdout
		if *md != "-" {
			f, err := os.Create(*md)
			if err != nil {
				fmt.Fprintln(os.Stderr, "nrbench:", err)
				os.Exit(1)
			}
			defer f.Close()
			out = f
		} else {
			fmt.Println()
		}
		fmt.Fprintf(out, "Measured %s with `%s`.\n\n", time.Now().UTC().Format("2006-01-02 15:04 MST"), strings.Join(append([]string{"go run ./cmd/nrbench"}, os.Args[1:]...), " "))
		writeMarkdown(out, m, rows)
	}
}

// progress tells the person waiting which comparison runs.
func (c config) progress(what string) {
	if !c.quiet {
		fmt.Fprintln(os.Stderr, "nrbench:", what)
	}
}

func (c config) want(id string) bool { return c.only == nil || c.only[id] }

func run(cfg config) (machine, []row, error) {
	m := describe()
	var rows []row
	if cfg.want("1") {
		cfg.progress("1: starting /bin/true in a new user namespace")
		rows = append(rows, startSingle(cfg)...)
		// As root the maps are written directly; the unprivileged fast
		// path (map 0 <uid> 1, setgroups denied) is measured as the user.
		if os.Geteuid() == 0 {
			rows = append(rows, asUser(cfg, "1", []row{
				{ID: "1c", Ours: "userns fast path", Theirs: "os/exec + CLONE_NEWUSER (floor)", What: "start /bin/true in a new userns as " + cfg.user, Target: "≤ 1.15", MaxRatio: 1.15},
				{ID: "1d", Ours: "userns fast path", Theirs: "unshare -r", What: "start /bin/true in a new userns as " + cfg.user, Target: "< 1", MaxRatio: 1, Below: true},
			})...)
		}
	}
	if cfg.want("2") {
		cfg.progress("2: rootless starts through newuidmap")
		if os.Geteuid() == 0 {
			rows = append(rows, asUser(cfg, "2", []row{
				{ID: "2", Ours: "userns via newuidmap/newgidmap", Theirs: "unshare -r --map-users --map-groups", What: "rootless start of /bin/true through newuidmap as " + cfg.user, Target: "< 1", MaxRatio: 1, Below: true},
			})...)
		} else {
			rows = append(rows, startMulti(cfg))
		}
	}
	if cfg.want("3") {
		cfg.progress("3: ID translation")
		for _, n := range []int{1, 5, 340} {
			rows = append(rows, translate(cfg, n))
		}
	}
	if cfg.want("4") || cfg.want("5") {
		f, err := startFixture(cfg.procs, cfg.reduced, cfg.uidProcs)
		if err != nil {
			return m, nil, fmt.Errorf("starting the fixture processes: %w", err)
		}
		m.Procs = countProcs()
		if cfg.want("4") {
			cfg.progress(fmt.Sprintf("4: capability scans over %d processes", m.Procs))
			rows = append(rows, scan(cfg, f)...)
		}
		if cfg.want("5") {
			cfg.progress("5: task counts")
			rows = append(rows, tasks(cfg, f))
		}
		f.stop()
	}
	if cfg.want("6") {
		cfg.progress("6: pam_limits resolution")
		rows = append(rows, pam(cfg))
	}
	slices.SortStableFunc(rows, func(a, b row) int { return strings.Compare(a.ID[:1], b.ID[:1]) })
	m.LoadEnd = loadavg()
	return m, rows, nil
}
