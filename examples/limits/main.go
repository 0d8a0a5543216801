// Command limits explains the limits pam_limits gives a user: for each
// item its soft and hard value and the limits.conf line that set it (or
// where it came from), the lines that matched but changed nothing, and how
// much of its RLIMIT_NPROC budget the user's uid uses now. It answers
// "why did my service hit its process limit?".
//
// Usage:
//
//	limits [-user NAME] [-root DIR] [-flavor auto|upstream|debian] [-pid PID]
//
// -user defaults to the caller, or with -pid to the owner (real uid) of
// that process; -root reads the limits.conf files, passwd and group of an
// image or another tree instead of the running system's (the starting
// values and the task count are still the running system's). -pid also
// shows what a running process really has (/proc/PID/limits: a service
// started by systemd or a container runtime never went through PAM) and
// the headroom its real uid has under its own RLIMIT_NPROC. It needs no
// privilege; counting another user's open files needs ptrace access.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/nonroot-go/nonroot/limits"
)

func main() {
	userName := flag.String("user", "", "user to explain (default: the caller)")
	root := flag.String("root", "/", "root of the tree holding etc/security/limits.conf, etc/passwd and etc/group")
	flavorName := flag.String("flavor", "auto", "pam_limits flavour: auto, upstream or debian")
	pid := flag.Int("pid", 0, "also explain this running process's limits and its uid's headroom")
	flag.Parse()
	if err := run(os.Stdout, *root, *userName, *flavorName, *pid); err != nil {
		fmt.Fprintln(os.Stderr, "limits:", err)
		os.Exit(1)
	}
}

func run(w io.Writer, root, userName, flavorName string, pid int) error {
	var (
		u   limits.User
		err error
	)
	uid := uint32(os.Getuid())
	if pid != 0 {
		if uid, err = realUID(pid); err != nil {
			return err
		}
	}
	if userName == "" {
		u, err = limits.LookupUID(root, uid)
	} else {
		u, err = limits.LookupUser(root, userName)
	}
	if err != nil {
		return err
	}
	flavor, why := limits.DetectFlavor(root)
	switch flavorName {
	case "auto":
	case "upstream":
		flavor, why = limits.Upstream, "chosen with -flavor"
	case "debian":
		flavor, why = limits.Debian, "chosen with -flavor"
	default:
		return fmt.Errorf("unknown flavour %q: want auto, upstream or debian", flavorName)
	}
	cfg, warns, err := limits.Load(root)
	if err != nil {
		return err
	}
	start, startErr := limits.SystemStart()
	res := cfg.ResolveWith(u, flavor, start)

	var groups []string
	for _, g := range u.Groups {
		groups = append(groups, g.Name)
	}
	fmt.Fprintf(w, "user %s: uid %d, gid %d, groups %s\n", u.Name, u.UID, u.GID, strings.Join(groups, " "))
	fmt.Fprintf(w, "pam_limits flavour: %v (%s)\n", flavor, why)
	fmt.Fprintf(w, "files read: %s\n", strings.Join(cfg.Files, " "))
	if startErr != nil {
		fmt.Fprintf(w, "starting values incomplete: %v\n", startErr)
	}
	if len(warns) > 0 {
		fmt.Fprintln(w, "lines pam_limits skips or reads otherwise than they look:")
		for _, wn := range warns {
			fmt.Fprintf(w, "  %s\n", wn)
		}
	}
	if res.Exempt != nil {
		fmt.Fprintf(w, "exempt: %q at %s matches; pam_limits changes nothing for this user\n", res.Exempt.String(), res.Exempt.Pos())
	}

	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ITEM\tSOFT\tHARD\tSOFT SET BY\tHARD SET BY")
	for _, it := range res.Items {
		soft := source(it.Soft, it.SoftRule)
		if it.Capped {
			soft += " (capped at 1024)"
		}
		if it.Clamped {
			soft += " (lowered to hard)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", it.Resource, limits.FormatValue(it.Rlimit.Soft), limits.FormatValue(it.Rlimit.Hard), soft, source(it.Hard, it.HardRule))
	}
	tw.Flush()
	if r := res.Priority.Rule; r != nil {
		fmt.Fprintf(w, "priority: nice %d, set by %s\n", res.Priority.Value, r.Pos())
	}
	if r := res.NoNewPrivs.Rule; r != nil {
		fmt.Fprintf(w, "nonewprivs: %d, set by %s\n", res.NoNewPrivs.Value, r.Pos())
	}
	if r := res.MaxLogins.Rule; r != nil {
		kind := "maxlogins"
		if res.SysWide {
			kind = "maxsyslogins"
		}
		fmt.Fprintf(w, "%s: %d, set by %s\n", kind, res.MaxLogins.Value, r.Pos())
	}
	if len(res.Skipped) > 0 {
		fmt.Fprintln(w, "lines that match but change nothing:")
		for _, s := range res.Skipped {
			fmt.Fprintf(w, "  %s %q: %s\n", s.Rule.Pos(), s.Rule.String(), s.Reason)
		}
	}

	fmt.Fprintln(w)
	use, err := limits.CountTasks(u.UID)
	if err != nil {
		return err
	}
	nproc := res.Items[limits.NPROC].Rlimit.Soft
	fmt.Fprintf(w, "nproc use: uid %d has %d tasks in %d processes; %d tasks count against its RLIMIT_NPROC here\n", u.UID, use.Tasks, use.Processes, use.Charged)
	if u.UID == 0 {
		fmt.Fprintln(w, "nproc is not enforced for root in the initial user namespace, nor for holders of CAP_SYS_RESOURCE or CAP_SYS_ADMIN there")
	}
	if nproc == limits.Unlimited {
		fmt.Fprintln(w, "nproc limit: unlimited")
	} else {
		fmt.Fprintf(w, "nproc limit: %d for a new session, headroom %d\n", nproc, use.Headroom(nproc))
	}
	for _, ns := range use.Namespaces {
		where := "this user namespace"
		if !ns.Own {
			where = fmt.Sprintf("user namespace %d", ns.Inode)
			switch {
			case ns.Inode == 0:
				where = "unknown user namespaces (no ptrace access)"
			case ns.Descendant:
				where += fmt.Sprintf(" (owner %d, charged here to uid %d)", ns.Owner, ns.TopOwner)
			default:
				where += " (not below this one: not charged here)"
			}
		}
		fmt.Fprintf(w, "  %s: %d tasks of uid %d, %d tasks charged to it\n", where, ns.Tasks, u.UID, ns.Charged)
	}
	if use.Unknown > 0 {
		fmt.Fprintf(w, "  %d processes of uid %d had unreadable namespaces\n", use.Unknown, u.UID)
	}
	if pid != 0 {
		return explainPID(w, pid, uid)
	}
	return nil
}

// explainPID shows what process pid really has, which is what the kernel
// checks when it forks: its own soft RLIMIT_NPROC against the tasks of
// its real uid.
func explainPID(w io.Writer, pid int, uid uint32) error {
	m, err := limits.ReadProcLimits(pid)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\nprocess %d (real uid %d), from /proc/%d/limits:\n", pid, uid, pid)
	for _, r := range []limits.Resource{limits.NPROC, limits.NOFILE} {
		fmt.Fprintf(w, "  %s %v\n", r, m[r])
	}
	use, err := limits.CountTasks(uid)
	if err != nil {
		return err
	}
	if soft := m[limits.NPROC].Soft; soft == limits.Unlimited {
		fmt.Fprintf(w, "  nproc: %d tasks charged to uid %d, no limit\n", use.Charged, uid)
	} else {
		fmt.Fprintf(w, "  nproc: %d tasks charged to uid %d, headroom %d under its soft limit %d\n", use.Charged, uid, use.Headroom(soft), soft)
	}
	if uid == 0 {
		fmt.Fprintln(w, "  (the kernel never refuses a fork to the host's uid 0, nor to holders of CAP_SYS_RESOURCE or CAP_SYS_ADMIN)")
	}
	n, l, err := limits.OpenFiles(pid)
	if err != nil {
		fmt.Fprintf(w, "  open files: %v\n", err)
		return nil
	}
	fmt.Fprintf(w, "  open files: %d of a soft limit of %s\n", n, limits.FormatValue(l.Soft))
	return nil
}

// realUID reads the real uid of pid from /proc/PID/status: the uid
// RLIMIT_NPROC counts by.
func realUID(pid int) (uint32, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(b)) {
		if f := strings.Fields(line); len(f) > 1 && f[0] == "Uid:" {
			v, err := strconv.ParseUint(f[1], 10, 32)
			return uint32(v), err
		}
	}
	return 0, fmt.Errorf("no Uid: line in /proc/%d/status", pid)
}

func source(o limits.Origin, r *limits.Rule) string {
	switch o {
	case limits.FromRule:
		return r.Pos() + " (" + r.String() + ")"
	case limits.FromPID1:
		return "PID 1"
	}
	return "default (the caller's)"
}
