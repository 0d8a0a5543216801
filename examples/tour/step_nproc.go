//go:build linux

package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"

	"github.com/nonroot-go/nonroot/limits"
)

// The shared-budget experiment: containers of perContainer processes
// each, all under RLIMIT_NPROC nprocLimit.
const (
	nprocUID     = 6667 // the uid of step 2, if no process of the host uses it
	nprocLimit   = 20
	containers   = 6
	perContainer = 5
)

// containerResult is what one "container" managed to start.
type containerResult struct {
	Started int      `json:"started"`
	Failed  []string `json:"failed,omitempty"`
}

// nprocReport is what the nproc-shared child reports.
type nprocReport struct {
	Before     int               `json:"before"`
	Containers []containerResult `json:"containers"`
	Tasks      int               `json:"tasks"`
	Charged    int               `json:"charged"`
	Err        string            `json:"err,omitempty"`
}

// stepSharedNproc: the cost of remedy one, one RLIMIT_NPROC budget.
func stepSharedNproc(e *env, s *Step) {
	s.Title = "The cost of remedy one: one uid, one process budget"
	s.Setup = fmt.Sprintf("a runtime (host root, RLIMIT_NPROC %d) starts %d \"containers\" one after another, each of %d processes (sleep) run as uid %d with no user namespace, and keeps them running",
		nprocLimit, containers, perContainer, nprocUID)
	s.Expect = fmt.Sprintf("RLIMIT_NPROC counts the tasks of a real uid across the whole host, whoever started them: once uid %d has more than %d tasks, the execve that follows the setuid of the next fails with EAGAIN (setuid counts the tasks before the new one joins, so %d get in), and the later containers cannot start their processes",
		nprocUID, nprocLimit, nprocLimit+1)
	if !e.fix.RootOwned {
		s.skip("the runtime must be root of the initial user namespace to start children as uid 6667: "+e.fix.Why,
			fmt.Sprintf("%d containers of uid %d under RLIMIT_NPROC %d: the first ones start all their processes, the later ones get EAGAIN", containers, nprocUID, nprocLimit), asRoot)
		return
	}
	uid, note := freeUID()
	e.nprocUID = uid
	if note != "" {
		s.see("%s", note)
	}
	cmd := self("nproc-shared", "-uid", strconv.FormatUint(uint64(uid), 10))
	var r nprocReport
	h, err := startHeld(cmd, nil, &r)
	if err != nil {
		s.fail("starting the runtime child: %v", err)
		return
	}
	if err := h.release(); err != nil {
		s.fail("the runtime child: %v", err)
	}
	if r.Err != "" {
		if strings.Contains(r.Err, "EPERM") || strings.Contains(r.Err, "EINVAL") {
			s.skip("starting children as uid 6667 failed: "+r.Err, "the later containers failing with EAGAIN", asRoot)
			return
		}
		s.fail("%s", r.Err)
		return
	}
	room := nprocLimit + 1 - r.Before
	s.see("uid %d had %d tasks before", uid, r.Before)
	total, eagain := 0, 0
	for i, c := range r.Containers {
		line := fmt.Sprintf("container %d: %d of %d processes started", i+1, c.Started, perContainer)
		if len(c.Failed) > 0 {
			line += "; " + summarize(c.Failed)
		}
		s.see("%s", line)
		total += c.Started
		for _, f := range c.Failed {
			if isErrno(f, syscall.EAGAIN) {
				eagain++
			}
		}
	}
	s.see("with all running: %d tasks of uid %d on the host, %d of them charged to its RLIMIT_NPROC count (limits.CountTasks)", r.Tasks, uid, r.Charged)
	if room >= perContainer {
		s.check(r.Containers[0].Started == perContainer, "the first container started only %d of %d processes", r.Containers[0].Started, perContainer)
	}
	s.check(eagain > 0, "no start failed with EAGAIN, though %d processes of uid %d were asked for under a limit of %d", containers*perContainer, uid, nprocLimit)
	s.check(total <= max(room, 0), "%d processes of uid %d started beside its %d others under a limit of %d", total, uid, r.Before, nprocLimit)
	s.Why = fmt.Sprintf("%d starts failed with EAGAIN: containers that share a uid share its budget, and one can starve the others (a fork bomb in one is a denial of service for all)", eagain)
}

// freeUID picks the uid of the experiment: 6667 unless processes of the
// host already use it (its budget would not be the tour's to show), then
// the next uid that none uses.
func freeUID() (uint32, string) {
	for uid := uint32(nprocUID); uid < nprocUID+1000; uid++ {
		u, err := limits.CountTasks(uid)
		if err != nil || u.Tasks > 0 || u.Charged > 0 {
			continue
		}
		if uid == nprocUID {
			return uid, ""
		}
		return uid, fmt.Sprintf("uid %d already runs processes on this host, so the experiment uses uid %d, which runs none", nprocUID, uid)
	}
	return nprocUID, fmt.Sprintf("every uid from %d to %d runs processes here; the experiment uses %d anyway", nprocUID, nprocUID+999, nprocUID)
}

// summarize counts identical failures: "5 × EAGAIN (resource ...)".
func summarize(fails []string) string {
	n := map[string]int{}
	var order []string
	for _, f := range fails {
		if n[f] == 0 {
			order = append(order, f)
		}
		n[f]++
	}
	var parts []string
	for _, f := range order {
		parts = append(parts, fmt.Sprintf("%d failed with %s", n[f], f))
	}
	return strings.Join(parts, ", ")
}

// nprocShared is the runtime child of step 3. It lowers its own
// RLIMIT_NPROC, which its children inherit, and starts the containers'
// processes as uid 6667: the kernel checks the limit at the execve that
// follows setuid (PF_NPROC_EXCEEDED), so the start itself fails.
func nprocShared(args []string) nprocReport {
	var r nprocReport
	fs := flag.NewFlagSet("nproc-shared", flag.ContinueOnError)
	uid := fs.Uint("uid", nprocUID, "the containers' uid")
	if err := fs.Parse(args); err != nil {
		r.Err = err.Error()
		return r
	}
	if u, err := limits.CountTasks(uint32(*uid)); err == nil {
		r.Before = u.Tasks
	}
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		r.Err = err.Error()
		return r
	}
	if err := limits.Set(0, limits.NPROC, limits.Rlimit{Soft: nprocLimit, Hard: nprocLimit}); err != nil {
		r.Err = "setting RLIMIT_NPROC: " + errnoText(err)
		return r
	}
	var running []*exec.Cmd
	defer func() {
		for _, c := range running {
			_ = c.Process.Kill()
			_ = c.Wait()
		}
	}()
	for range containers {
		var c containerResult
		for range perContainer {
			cmd := exec.Command(sleep, "60")
			cmd.SysProcAttr = &syscall.SysProcAttr{
				Credential: &syscall.Credential{Uid: uint32(*uid), Gid: uint32(*uid), Groups: []uint32{}},
				Pdeathsig:  syscall.SIGKILL,
			}
			if err := cmd.Start(); err != nil {
				if errnoIs(err, syscall.EPERM) || errnoIs(err, syscall.EINVAL) {
					r.Err = "start as uid 6667: " + errnoText(err)
					return r
				}
				c.Failed = append(c.Failed, errnoText(err))
				continue
			}
			running = append(running, cmd)
			c.Started++
		}
		r.Containers = append(r.Containers, c)
	}
	if u, err := limits.CountTasks(uint32(*uid)); err == nil {
		r.Tasks, r.Charged = u.Tasks, u.Charged
	}
	return r
}

// forkersReport is what the forkers child reports.
type forkersReport struct {
	PID    int    `json:"pid"`
	UID    int    `json:"uid"`
	Limit  string `json:"limit"`
	Result containerResult
}

// forkers is a container's init in step 4: it starts n processes
// (sleep), reports, and ends them when its stdin closes.
func forkers(args []string) int {
	fs := flag.NewFlagSet("forkers", flag.ContinueOnError)
	n := fs.Int("n", perContainer, "processes to start")
	if fs.Parse(args) != nil {
		return 2
	}
	r := forkersReport{PID: os.Getpid(), UID: os.Getuid()}
	if lim, err := limits.Get(0, limits.NPROC); err == nil {
		r.Limit = lim.String()
	}
	var running []*exec.Cmd
	for range *n {
		cmd := exec.Command("sleep", "60")
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		if err := cmd.Start(); err != nil {
			r.Result.Failed = append(r.Result.Failed, errnoText(err))
			continue
		}
		running = append(running, cmd)
		r.Result.Started++
	}
	err := jsonLine(r)
	waitForEOF()
	for _, c := range running {
		_ = c.Process.Kill()
		_ = c.Wait()
	}
	if err != nil {
		return 1
	}
	return 0
}
