//go:build linux

package caps

import (
	"errors"
	"fmt"
	"iter"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"github.com/nonroot-go/nonroot/internal/nsfs"
	"github.com/nonroot-go/nonroot/internal/proc"
)

func gone(err error) bool { return proc.Gone(err) }

// Of reads process pid: one read each of /proc/PID/stat and
// /proc/PID/status, through one handle on /proc/PID so that all answers
// belong to the same process, plus its user namespace and, for a
// multi-threaded process, the status of each thread. Errors are
// *ProcessError; errors.Is(err, ErrNoProcess) when pid does not exist (0
// and negative pids never do: [Self] reads the caller).
//
// Anyone may read any process's sets; the namespace (Relation Unknown
// otherwise) needs ptrace read access: the caller's own processes, or
// CAP_SYS_PTRACE.
func Of(pid int) (Process, error) {
	if pid <= 0 {
		return Process{}, &ProcessError{Pid: pid, Op: "open", Err: &os.PathError{Op: "open", Path: "/proc/" + strconv.Itoa(pid), Err: unix.ENOENT}}
	}
	var sc scanner
	p, err := sc.read(pid, ScanOptions{ThreadStatus: true})
	if err == nil && sc.st.Tgid != 0 && sc.st.Tgid != pid {
		// /proc/TID exists for every thread, though readdir lists only
		// processes.
		return Process{}, &ProcessError{Pid: pid, Op: "read status", Err: fmt.Errorf("%d is a thread of process %d, not a process: read %d (its threads are in Process.Threads)", pid, sc.st.Tgid, sc.st.Tgid)}
	}
	if err == nil && pid == os.Getpid() {
		p.Securebits, err = securebits()
	}
	return p, err
}

// Self reads the calling process as [Of] does, plus its securebits. The
// sets are the main thread's; a Go thread whose sets were changed without
// libcap's psx shows up in Threads.
func Self() (Process, error) { return Of(os.Getpid()) }

func securebits() (*Securebits, error) {
	v, err := unix.PrctlRetInt(unix.PR_GET_SECUREBITS, 0, 0, 0, 0)
	if err != nil {
		return nil, &ProcessError{Pid: os.Getpid(), Op: "read securebits", Err: os.NewSyscallError("prctl PR_GET_SECUREBITS", err)}
	}
	b := Securebits(v)
	return &b, nil
}

// All yields every process in /proc, as [Scan] with the zero options
// does.
func All() iter.Seq2[Process, error] { return Scan(ScanOptions{}) }

// Scan yields every process in /proc in ascending pid order. Processes
// that exit while being read are skipped; every file of one process is
// read through one handle on its /proc directory, so a pid reused
// meanwhile cannot mix two processes. Other failures for one process
// (/proc mounted with hidepid, say) are yielded as a *ProcessError with
// the Process holding only Pid, and the scan goes on; a failure to list
// /proc ends it.
//
// The pids are listed first, then read by up to GOMAXPROCS goroutines in
// chunks, and yielded in order; stopping the loop stops the readers.
func Scan(opts ScanOptions) iter.Seq2[Process, error] {
	return func(yield func(Process, error) bool) {
		var pids []int
		for pid, err := range proc.Pids() {
			if err != nil {
				yield(Process{}, &ProcessError{Op: "list /proc", Err: err})
				return
			}
			pids = append(pids, pid)
		}
		scanPids(pids, opts, yield)
	}
}

// chunk is how many pids one reader takes at a time: large enough that
// handing out work costs little, small enough to share a few hundred.
const chunk = 32

type result struct {
	p   Process
	err error
}

func scanPids(pids []int, opts ScanOptions, yield func(Process, error) bool) {
	workers := min(runtime.GOMAXPROCS(0), (len(pids)+chunk-1)/chunk)
	if workers <= 1 {
		var sc scanner
		for _, pid := range pids {
			p, err := sc.read(pid, opts)
			if !emit(pid, p, err, yield) {
				return
			}
		}
		return
	}
	nchunks := (len(pids) + chunk - 1) / chunk
	results := make([]result, len(pids))
	ready := make([]chan struct{}, nchunks)
	for i := range ready {
		ready[i] = make(chan struct{})
	}
	var next atomic.Int64
	var stop atomic.Bool
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			var sc scanner
			for {
				c := int(next.Add(1) - 1)
				if c >= nchunks || stop.Load() {
					return
				}
				for i := c * chunk; i < min((c+1)*chunk, len(pids)); i++ {
					results[i].p, results[i].err = sc.read(pids[i], opts)
				}
				close(ready[c])
			}
		})
	}
	defer wg.Wait()
	defer stop.Store(true)
	for c := range nchunks {
		<-ready[c]
		for i := c * chunk; i < min((c+1)*chunk, len(pids)); i++ {
			if !emit(pids[i], results[i].p, results[i].err, yield) {
				return
			}
			results[i] = result{}
		}
	}
}

// emit yields one scanned process, skipping those that exited.
func emit(pid int, p Process, err error, yield func(Process, error) bool) bool {
	if err != nil {
		if errors.Is(err, ErrNoProcess) {
			return true
		}
		p = Process{Pid: pid}
	}
	return yield(p, err)
}

// Refresh reads p's process again. If the pid now belongs to another
// process (its start time differs), it fails with an error for which
// errors.Is(err, ErrNoProcess) is true.
func (p Process) Refresh() (Process, error) {
	if p.StartTime == 0 {
		return Process{}, &ProcessError{Pid: p.Pid, Op: "refresh", Err: errNoStartTime}
	}
	q, err := Of(p.Pid)
	if err != nil {
		return q, err
	}
	if q.StartTime != p.StartTime {
		return Process{}, &ProcessError{Pid: p.Pid, Op: "refresh", Err: errReused}
	}
	return q, nil
}

// manyThreads is the thread count above which the main thread's stat is
// cheaper to read than the process's (measured: 10 against 11-17 µs with
// 70 threads).
const manyThreads = 8

// scanner holds the buffers and the namespace cache one scan reuses.
type scanner struct {
	r    proc.Reader // with ShortReadIsEOF: stat and status are single records
	st   proc.Status
	stat proc.Stat
	ns   map[nsfs.ID]Namespace
	link [64]byte
}

func (sc *scanner) read(pid int, opts ScanOptions) (Process, error) {
	sc.r.ShortReadIsEOF = true
	d, err := proc.Open(pid)
	if err != nil {
		return Process{}, &ProcessError{Pid: pid, Op: "open", Err: err}
	}
	defer d.Close()
	if err := sc.r.Status(d, &sc.st); err != nil {
		if errors.Is(err, unix.EACCES) {
			// hidepid=1 (noaccess) leaves /proc/PID listed but its files closed.
			err = fmt.Errorf("%w (is /proc mounted with hidepid=1? then only processes the caller may ptrace can be read: mount it with hidepid=0, or join the group of its gid= option)", err)
		}
		return Process{}, &ProcessError{Pid: pid, Op: "read status", Err: statusError(err)}
	}
	if err := checkStatus(&sc.st); err != nil {
		return Process{}, &ProcessError{Pid: pid, Op: "read status", Err: err}
	}
	var p Process
	fromStatus(&p, &sc.st)
	if !opts.SkipStartTime {
		// The main thread's stat holds the process's start time too, and
		// costs the same whatever the thread count, where the process's
		// stat sums over every thread; the longer path costs two lookups.
		name := "stat"
		if sc.st.Threads > manyThreads {
			name = "task/" + strconv.Itoa(pid) + "/stat"
		}
		b, err := sc.r.ReadFile(d, name)
		if err == nil {
			err = proc.ParseStat(b, &sc.stat)
		}
		if err != nil {
			return Process{}, &ProcessError{Pid: pid, Op: "read " + name, Err: err}
		}
		p.StartTime = sc.stat.StartTime
	}
	if !opts.SkipNamespaces {
		p.Namespace, err = sc.namespace(d)
		if gone(err) {
			return Process{}, &ProcessError{Pid: pid, Op: "read namespace", Err: err}
		}
	}
	if !opts.SkipThreads && sc.st.Threads > 1 {
		if err := sc.threads(d, &p, opts.ThreadStatus); err != nil {
			return Process{}, err
		}
	}
	return p, nil
}

// namespace identifies d's user namespace by reading its link, and
// describes each namespace once per scan. Without ptrace access it
// returns the zero Namespace (Relation Unknown) and no error.
func (sc *scanner) namespace(d proc.Dir) (Namespace, error) {
	self, err := nsfs.Self()
	if err != nil {
		return Namespace{}, nil
	}
	link, err := d.Readlink("ns/user", sc.link[:])
	if err != nil {
		return Namespace{}, goneOr(d, err)
	}
	ino, ok := nsfs.ParseLink(link, "user")
	if !ok {
		return Namespace{}, nil
	}
	id := nsfs.ID{Dev: self.Dev, Ino: ino}
	if ns, ok := sc.ns[id]; ok {
		return ns, nil
	}
	fd, err := d.OpenFile("ns/user")
	if err != nil {
		return Namespace{ID: id}, goneOr(d, err)
	}
	info, err := nsfs.DescribeFD(fd, d.Path()+"/ns/user")
	unix.Close(fd)
	if err != nil {
		return Namespace{ID: id}, nil
	}
	ns := Namespace{ID: info.ID, Owner: info.Owner, Relation: info.Relation, Depth: info.Depth}
	if sc.ns == nil {
		sc.ns = make(map[nsfs.ID]Namespace)
	}
	sc.ns[info.ID] = ns
	return ns, nil
}

// goneOr returns err if d's process has exited, nil otherwise: ENOENT on
// ns/user also means a kernel built without CONFIG_USER_NS, which has no
// such link, and must not make every process look gone.
func goneOr(d proc.Dir, err error) error {
	if !gone(err) {
		return nil
	}
	if _, _, serr := d.Stat("stat"); serr != nil && gone(serr) {
		return err
	}
	return nil
}

// threads reads every thread but the main one and records those that
// differ from it. With full, it reads each thread's status; otherwise it
// compares effective, permitted and inheritable through capget(2) (about
// a twentieth of the cost of generating a status file) and reads the
// status only of a thread that differs.
func (sc *scanner) threads(d proc.Dir, p *Process, full bool) error {
	main := Thread{TID: p.Pid, Sets: p.Sets, NoNewPrivs: p.NoNewPrivs, Seccomp: p.Seccomp}
	seen, count := 0, sc.st.Threads
	for tid, err := range d.Tasks() {
		if err != nil {
			if gone(err) {
				return &ProcessError{Pid: p.Pid, Op: "list threads", Err: err}
			}
			return nil // threads unreadable: report the main thread only
		}
		if tid != p.Pid {
			if t, differs := sc.thread(d, tid, &main, full); differs {
				p.Threads = append(p.Threads, t)
			}
		}
		// Stopping at the count status gave spares the final getdents; a
		// thread born meanwhile may go unseen, as it could a moment later.
		if seen++; seen >= count {
			break
		}
	}
	return nil
}

// thread reads thread tid and says whether it differs from main.
func (sc *scanner) thread(d proc.Dir, tid int, main *Thread, full bool) (Thread, bool) {
	if !full && ownPids() {
		e, pm, i, err := capget(tid)
		if err != nil || (e == main.Effective && pm == main.Permitted && i == main.Inheritable) {
			return Thread{}, false
		}
	}
	td, err := d.Task(tid)
	if err != nil {
		return Thread{}, false // the thread exited
	}
	err = sc.r.Status(td, &sc.st)
	td.Close()
	if err != nil {
		return Thread{}, false
	}
	t := Thread{TID: tid, Sets: setsOf(&sc.st), NoNewPrivs: sc.st.NoNewPrivs, Seccomp: Seccomp(sc.st.Seccomp)}
	return t, t.Sets != main.Sets || t.NoNewPrivs != main.NoNewPrivs || t.Seccomp != main.Seccomp
}

// ownPids reports whether /proc numbers processes as the caller's pid
// namespace does. capget(2) takes the caller's numbers: with a /proc of
// another pid namespace (a container given the host's /proc, a child of
// unshare --pid without --mount-proc) it would reach another thread or
// none, so threads are compared by their status files instead.
var ownPids = sync.OnceValue(func() bool {
	l, err := os.Readlink("/proc/self")
	return err == nil && l == strconv.Itoa(os.Getpid())
})

// capget reads the effective, permitted and inheritable sets of one
// thread.
func capget(tid int) (e, p, i Set, err error) {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3, Pid: int32(tid)}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return 0, 0, 0, err
	}
	join := func(lo, hi uint32) Set { return Set(lo) | Set(hi)<<32 }
	return join(data[0].Effective, data[1].Effective), join(data[0].Permitted, data[1].Permitted),
		join(data[0].Inheritable, data[1].Inheritable), nil
}
