//go:build linux

// Command nsrun runs a command in a new user namespace, with the flags
// container users already know from docker, podman and unshare:
//
//	nsrun --map-root-user -- id                      # like unshare -r
//	nsrun --uidmap 0:100000:65536 -- id              # podman's container:host:size
//	nsrun --map-auto -u 1000 -- id                   # your /etc/subuid ranges, via newuidmap
//	nsrun --cap-drop ALL --cap-add NET_BIND_SERVICE --no-new-privileges -- sh
//	nsrun --ulimit nproc=100:200 -- sh -c 'ulimit -u'
//
// It is a small front end to package userns (with idmap, caps and
// limits): what it cannot do, it says in one line, and exits 125.
// Otherwise it exits with the command's status (128+n when the command
// is killed by signal n).
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"

	"github.com/nonroot-go/nonroot/userns"
)

// exitNsrun is nsrun's own failure, as docker's and podman's 125.
const exitNsrun = 125

const usage = `usage: nsrun [flags] [--] command [args...]

Runs command in a new user namespace. With no map flag, the caller's own
uid and gid are mapped to 0 (as unshare -r), which any user may do.

Maps (give at most one kind):
  --uidmap container:host:size   podman's form; repeatable, or comma-separated.
                                 Host IDs other than your own need root, or
                                 ranges granted in /etc/subuid (then newuidmap
                                 writes the map: apt-get install uidmap)
  --gidmap container:host:size   as --uidmap for gids; default: the uid map
  --map-root-user, -r            your uid and gid mapped to 0 (the default)
  --map-auto                     0 to your uid, 1.. to your /etc/subuid and
                                 /etc/subgid ranges, as rootless podman

Identity and privilege inside:
  -u, --user uid[:gid]           run as this uid (and gid) of the namespace
  --cap-add CAP, --cap-drop CAP  docker's names (NET_ADMIN) or ALL; repeatable.
                                 Start from every capability (what root of a
                                 new namespace holds) or, with --docker-caps,
                                 from docker's 14; a non-root -u gets the set
                                 as ambient capabilities
  --docker-caps                  start from docker's default capabilities
  --no-new-privileges            setuid bits and file capabilities grant nothing
  --ulimit name=soft[:hard]      docker's form, as nproc=100:200; repeatable
  --setgroups                    leave setgroups(2) allowed (needs a privileged
                                 map writer); default deny
`

func main() {
	// The stage takes over here when nsrun is re-executed to set up
	// capabilities, rlimits or identity inside the namespace.
	userns.Init()
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	o, err := parseArgs(args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, usage)
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "nsrun: %v (nsrun --help)\n", err)
		return exitNsrun
	}
	c, err := o.build()
	if err != nil {
		fmt.Fprintf(stderr, "nsrun: %v\n", err)
		return exitNsrun
	}
	c.Stdin, c.Stdout, c.Stderr = os.Stdin, stdout, stderr
	if err := c.Start(); err != nil {
		fmt.Fprintf(stderr, "nsrun: %v\n", oneLine(err))
		return startStatus(err)
	}
	forwardSignals(c.Process)
	err = c.Wait()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal())
		}
		return ee.ExitCode()
	}
	if err != nil {
		fmt.Fprintf(stderr, "nsrun: %v\n", oneLine(err))
		return exitNsrun
	}
	return 0
}

func parseArgs(args []string) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("nsrun", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	fs.Var(&o.uidmap, "uidmap", "")
	fs.Var(&o.gidmap, "gidmap", "")
	fs.BoolVar(&o.mapRootUser, "map-root-user", false, "")
	fs.BoolVar(&o.mapRootUser, "r", false, "")
	fs.BoolVar(&o.mapAuto, "map-auto", false, "")
	fs.StringVar(&o.user, "u", "", "")
	fs.StringVar(&o.user, "user", "", "")
	fs.Var(&o.capAdd, "cap-add", "")
	fs.Var(&o.capDrop, "cap-drop", "")
	fs.BoolVar(&o.dockerCaps, "docker-caps", false, "")
	fs.BoolVar(&o.noNewPrivileges, "no-new-privileges", false, "")
	fs.Var(&o.ulimits, "ulimit", "")
	fs.BoolVar(&o.setgroups, "setgroups", false, "")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	o.command = fs.Args()
	return o, nil
}

// forwardSignals passes the signals that end a foreground program on to
// the command, so that nsrun stops with it rather than before it.
func forwardSignals(p *os.Process) {
	ch := make(chan os.Signal, 4)
	signal.Notify(ch, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT)
	go func() {
		for s := range ch {
			_ = p.Signal(s)
		}
	}()
}

// startStatus is the exit status for a failed start: 127 when the
// command was not found, as a shell, docker and podman say; else 125.
func startStatus(err error) int {
	var pe *fs.PathError
	if errors.Is(err, exec.ErrNotFound) ||
		(errors.As(err, &pe) && strings.HasSuffix(pe.Op, "exec") && errors.Is(pe.Err, fs.ErrNotExist)) {
		return 127
	}
	return exitNsrun
}

// oneLine keeps an error to one line: a multi-line cause (a helper's
// stderr) is joined.
func oneLine(err error) string {
	b := []byte(err.Error())
	for i, c := range b {
		if c == '\n' {
			b[i] = ' '
		}
	}
	return string(b)
}
