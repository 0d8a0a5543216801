//go:build linux

// Command tour shows, on the machine it runs on and in a few seconds, why
// root in a container is dangerous and how each remedy of nonroot stops
// it. Every verdict comes from something the kernel did: an append's
// errno, a /proc/PID/status read, a fork's EAGAIN.
//
//	go run ./examples/tour          # as an ordinary user: the steps it can run
//	sudo "$(command -v go)" run ./examples/tour   # as root: every step
//	go run ./examples/tour --json   # the same as one JSON document
//
// A step that needs privileges the caller lacks says what it would show
// and how to run it; the others go on. The tour exits 1 when an
// observation contradicts what the step expected (or a step failed for
// a reason other than missing privilege), 2 on bad usage, 0 otherwise.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/nonroot-go/nonroot/userns"
)

func main() {
	// The stage (the re-executed child that sets capabilities, rlimits
	// and identities inside a namespace) takes over here when this
	// process is one.
	userns.Init()
	if len(os.Args) > 1 && os.Args[1] == childArg {
		os.Exit(runChild(os.Args[2:]))
	}
	os.Exit(run())
}

// run runs the tour and returns the exit status, after removing the
// stand-in /etc.
func run() int {
	jsonOut := flag.Bool("json", false, "print the tour as one JSON document")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: tour [--json]\n\nWhy root in a container is dangerous, and how each remedy stops it, observed on this machine.\n\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "tour: unexpected argument %q (usage: tour [--json])\n", flag.Arg(0))
		return 2
	}

	t := &Tour{Caller: whoAmI()}
	fix, err := makeFixture(t.Caller)
	defer fix.remove()
	if err != nil {
		fmt.Fprintf(os.Stderr, "tour: making the stand-in /etc: %v\n", err)
		return 1
	}
	t.Fixture = fix
	// Interrupted, the tour still removes its stand-in /etc; its children
	// get the terminal's signal too, or die with their parent (Pdeathsig).
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sig
		fix.remove()
		os.Exit(130)
	}()
	env := &env{caller: t.Caller, fix: fix}
	for i, run := range steps {
		s := &Step{N: i + 1}
		start := time.Now()
		run(env, s)
		s.Millis = time.Since(start).Milliseconds()
		s.finish(s.Why)
		t.Steps = append(t.Steps, s)
	}
	t.count()
	if *jsonOut {
		if err := t.writeJSON(os.Stdout); err != nil {
			fmt.Fprintf(os.Stderr, "tour: %v\n", err)
			return 1
		}
	} else {
		t.writeText(os.Stdout)
	}
	if t.Contradicted > 0 || t.Errors > 0 {
		return 1
	}
	return 0
}

// env is what the steps share.
type env struct {
	caller Caller
	fix    Fixture
	// nprocUID is the uid step 3 used, for step 4 to use again.
	nprocUID uint32
}

// steps are the tour's steps, in order.
var steps = []func(*env, *Step){
	stepRoot,
	stepUID,
	stepSharedNproc,
	stepUserNS,
	stepNested,
	stepRootless,
	stepCaps,
}

// asRoot is the advice for steps that need host root.
const asRoot = `run the tour as root: sudo "$(command -v go)" run ./examples/tour (or go build -o /tmp/tour ./examples/tour && sudo /tmp/tour)`
