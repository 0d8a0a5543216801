// Command pscaps lists processes and their capabilities, like pscap -a of
// libcap-ng, and says over what the capabilities count: a process whose
// capabilities belong to another user namespace is marked with "*" and
// its namespace is named. "Root with every capability" inside a namespace
// mapped to host uid 100000 cannot touch the host's files; pscap prints
// both the same way.
//
// Usage:
//
//	pscaps [-a] [-cap LIST] [-threads] [-json]
//
// By default it lists processes holding any permitted, effective or
// ambient capability; -a lists all. -cap keeps processes whose effective
// set holds every capability of LIST, in any spelling: sys_admin,
// CAP_NET_RAW, "chown,kill". -threads reads every thread's status, to
// find threads that differ in their bounding set, ambient set or
// no_new_privs too. -json prints one JSON object per process.
//
// Any user may run it; without CAP_SYS_PTRACE the namespaces of other
// users' processes cannot be read and show as "?".
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/user"
	"strconv"
	"text/tabwriter"

	"github.com/nonroot-go/nonroot/caps"
)

func main() {
	all := flag.Bool("a", false, "list every process, also those without capabilities")
	capList := flag.String("cap", "", "list only processes whose effective set holds these capabilities (comma-separated, any spelling)")
	threads := flag.Bool("threads", false, "read the status of every thread")
	asJSON := flag.Bool("json", false, "print one JSON object per process")
	flag.Parse()
	want, err := caps.Parse(*capList)
	if err != nil {
		fmt.Fprintln(os.Stderr, "pscaps:", err)
		os.Exit(2)
	}
	if err := run(os.Stdout, *all, want, caps.ScanOptions{ThreadStatus: *threads}, *asJSON); err != nil {
		fmt.Fprintln(os.Stderr, "pscaps:", err)
		os.Exit(1)
	}
}

func run(w io.Writer, all bool, want caps.Set, opts caps.ScanOptions, asJSON bool) error {
	names := map[uint32]string{}
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	if !asJSON {
		fmt.Fprintln(tw, "ppid\tpid\tuser\tcommand\tcapabilities\tnamespace")
	}
	enc := json.NewEncoder(w)
	foreign := 0
	for p, err := range caps.Scan(opts) {
		if err != nil {
			fmt.Fprintln(os.Stderr, "pscaps:", err)
			continue
		}
		if !all && p.Permitted.IsEmpty() && p.Effective.IsEmpty() && p.Ambient.IsEmpty() {
			continue
		}
		if !p.Effective.HasAll(want) {
			continue
		}
		if asJSON {
			if err := enc.Encode(p); err != nil {
				return err
			}
			continue
		}
		mark, ns := "", ""
		switch p.Namespace.Relation {
		case caps.Same:
		case caps.Unknown:
			mark, ns = "?", "unreadable"
		default:
			mark, ns = "*", p.Namespace.String()
			foreign++
		}
		fmt.Fprintf(tw, "%d\t%d\t%s\t%s%s\t%s\t%s\n", p.PPid, p.Pid, userName(names, p.Uid.Effective), p.Command, mark, describe(p), ns)
		for _, t := range p.Threads {
			fmt.Fprintf(tw, "\t%d\t\t  thread\t%s\t\n", t.TID, p.Sets.Diff(t.Sets).String()+threadFlags(p, t))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if !asJSON && foreign > 0 {
		fmt.Fprintln(w, "\n* capabilities of another user namespace: they count only over what that namespace owns")
	}
	return nil
}

// describe writes the sets as getpcaps does, plus what else limits them.
func describe(p caps.Process) string {
	s := p.Sets.Text()
	if !p.Ambient.IsEmpty() {
		s += " ambient:" + p.Ambient.String()
	}
	if dropped := caps.Supported() &^ p.Bounding; !dropped.IsEmpty() && dropped.Len() <= caps.Supported().Len()/2 {
		s += " bounding:-" + dropped.String()
	} else if !dropped.IsEmpty() {
		s += " bounding:" + p.Bounding.String()
	}
	if p.NoNewPrivs {
		s += " no_new_privs"
	}
	if p.Seccomp != caps.SeccompDisabled {
		s += " seccomp:" + p.Seccomp.String()
	}
	return s
}

func threadFlags(p caps.Process, t caps.Thread) string {
	s := ""
	if t.NoNewPrivs != p.NoNewPrivs {
		s += " no_new_privs:" + strconv.FormatBool(t.NoNewPrivs)
	}
	if t.Seccomp != p.Seccomp {
		s += " seccomp:" + t.Seccomp.String()
	}
	return s
}

func userName(cache map[uint32]string, uid uint32) string {
	if n, ok := cache[uid]; ok {
		return n
	}
	n := strconv.FormatUint(uint64(uid), 10)
	if u, err := user.LookupId(n); err == nil {
		n = u.Username
	}
	cache[uid] = n
	return n
}
