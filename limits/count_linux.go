//go:build linux

package limits

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"github.com/nonroot-go/nonroot/internal/nsfs"
)

type procEntry struct {
	uid     uint32
	threads int
	ns      uint64
	pid     int
	ok      bool
}

// CountTasks counts the tasks of uid, scanning every process in /proc in
// parallel: its real uid (PIDFD_GET_INFO on Linux 6.13+, else the Uid:
// line of /proc/PID/status), its thread count (the link count of
// /proc/PID/task, or Threads:) and its user namespace
// (/proc/PID/ns/user), then resolving each foreign namespace's owner and
// ancestry with NS_GET_OWNER_UID and NS_GET_PARENT. It needs no
// privilege; without ptrace access to another user's processes their
// namespaces stay unknown (see Usage.Unknown). Threads are counted by
// their process's real uid: a thread that changed its own uid alone
// (setresuid on one thread) is counted with its process. A /proc mounted
// with hidepid= hides other users' processes from unprivileged callers.
// The scan is not atomic: processes come and go while it runs.
func CountTasks(uid uint32) (Usage, error) {
	own, err := nsInode("/proc/self/ns/user")
	if err != nil {
		return Usage{}, &OpError{Op: "stat own user namespace", Resource: NPROC, Err: err}
	}
	d, err := os.Open("/proc")
	if err != nil {
		return Usage{}, &OpError{Op: "count tasks", Resource: NPROC, Err: err}
	}
	names, err := d.Readdirnames(-1)
	d.Close()
	if err != nil {
		return Usage{}, &OpError{Op: "count tasks", Resource: NPROC, Err: err}
	}
	pids := make([]int, 0, len(names))
	for _, n := range names {
		if n[0] >= '1' && n[0] <= '9' {
			if p, err := strconv.Atoi(n); err == nil {
				pids = append(pids, p)
			}
		}
	}
	entries := make([]procEntry, len(pids))
	workers := min(runtime.GOMAXPROCS(0), 8, len(pids)/64+1)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			buf := make([]byte, 8192)
			path := make([]byte, 0, 64)
			for i := w; i < len(pids); i += workers {
				entries[i] = readEntry(pids[i], uid, buf, path)
			}
		})
	}
	wg.Wait()
	return tally(uid, own, entries), nil
}

// pidfdInfo is cleared when PIDFD_GET_INFO fails for a live process (the
// kernel lacks it before Linux 6.13, or a security policy refuses it);
// scans then read /proc/PID/status instead.
var pidfdInfo atomic.Bool

func init() { pidfdInfo.Store(true) }

// readEntry reads what the count needs of one process: its real uid, its
// user namespace and, for processes of uid, its thread count.
//
// The real uid comes from PIDFD_GET_INFO where the kernel has it: an
// ioctl that copies the credentials, a fifth of the cost of
// /proc/PID/status, which the kernel formats in full on every read. The
// thread count is then the link count of /proc/PID/task, 2 + threads.
func readEntry(pid int, uid uint32, buf, path []byte) procEntry {
	e := procEntry{pid: pid}
	path = strconv.AppendInt(append(path[:0], "/proc/"...), int64(pid), 10)
	dir := len(path)
	if pidfdInfo.Load() {
		switch ruid, err := pidfdRUID(pid); {
		case err == nil:
			e.uid, e.ok = ruid, true
		case err == unix.ESRCH: // gone
			return e
		default: // ENOTTY, EINVAL, ENOSYS before 6.13, or refused: use status
			pidfdInfo.Store(false)
		}
	}
	if !e.ok {
		fd, errno := openRaw(append(path, "/status\x00"...))
		if errno != 0 {
			return e
		}
		n, err := unix.Read(fd, buf)
		unix.Close(fd)
		if err != nil || n <= 0 {
			return e
		}
		b := buf[:n]
		ruid, ok1 := statusField(b, "\nUid:")
		thr, ok2 := statusField(b, "\nThreads:")
		if !ok1 || !ok2 {
			return e
		}
		e.uid, e.threads, e.ok = uint32(ruid), int(thr), true
	}
	// readlink ("user:[4026531837]") costs a quarter of a stat here: stat
	// must open the namespace's nsfs dentry.
	if n, errno := readlinkRaw(append(path[:dir], "/ns/user\x00"...), buf); errno == 0 {
		e.ns = nsLinkInode(buf[:n])
	}
	if e.uid == uid && e.threads == 0 {
		e.threads = taskThreads(append(path[:dir], "/task\x00"...))
	}
	return e
}

func pidfdRUID(pid int) (uint32, error) {
	fd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		return 0, err
	}
	info := unix.PidfdInfo{Mask: unix.PIDFD_INFO_CREDS}
	err = unix.IoctlPidfdInfo(fd, &info)
	unix.Close(fd)
	if err != nil {
		return 0, err
	}
	return info.Ruid, nil
}

// taskThreads returns the number of threads of a process from the link
// count of its NUL-terminated /proc/PID/task path, or 0 if it is gone.
func taskThreads(path []byte) int {
	var st unix.Stat_t
	if unix.Stat(string(path[:len(path)-1]), &st) != nil || st.Nlink < 3 {
		return 0
	}
	return int(st.Nlink) - 2
}

// nsLinkInode reads the inode number out of a namespace link's text.
func nsLinkInode(b []byte) uint64 {
	i := bytes.IndexByte(b, '[')
	if i < 0 {
		return 0
	}
	var v uint64
	for _, c := range b[i+1:] {
		if c < '0' || c > '9' {
			break
		}
		v = v*10 + uint64(c-'0')
	}
	return v
}

// statusField returns the first number after key in a status file.
func statusField(b []byte, key string) (uint64, bool) {
	i := bytes.Index(b, []byte(key))
	if i < 0 {
		return 0, false
	}
	b = b[i+len(key):]
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	var v uint64
	n := 0
	for n < len(b) && b[n] >= '0' && b[n] <= '9' {
		v = v*10 + uint64(b[n]-'0')
		n++
	}
	return v, n > 0
}

type nsInfo struct {
	owner, top uint32
	desc       bool
	known      bool
}

func tally(uid uint32, own uint64, entries []procEntry) Usage {
	u := Usage{UID: uid}
	per := map[uint64]*NamespaceUsage{}
	sample := map[uint64][]int{}
	get := func(ino uint64) *NamespaceUsage {
		n := per[ino]
		if n == nil {
			n = &NamespaceUsage{Inode: ino, Own: ino == own, Owner: ^uint32(0), TopOwner: ^uint32(0), Descendant: ino == own}
			per[ino] = n
		}
		return n
	}
	// Resolve each foreign namespace once, through a live process in it:
	// the first that still answers, since any may have exited since the
	// listing.
	for _, e := range entries {
		if e.ok && e.ns != 0 && e.ns != own {
			sample[e.ns] = append(sample[e.ns], e.pid)
		}
	}
	infos := map[uint64]nsInfo{}
	for ino, pids := range sample {
		for _, pid := range pids {
			info, gone := resolveNS(pid)
			infos[ino] = info
			if !gone {
				break // resolved, or refused (another user's): the others would be too
			}
		}
	}
	for _, e := range entries {
		if !e.ok {
			continue
		}
		ns := e.ns
		if ns == 0 {
			if e.uid == uid {
				u.Unknown++
			}
		}
		mine := e.uid == uid
		charged := false
		switch info := infos[ns]; {
		case ns == own || ns == 0:
			charged = mine
		case info.desc:
			charged = info.top == uid
		}
		if mine {
			u.Processes++
			u.Tasks += e.threads
		}
		if charged && !mine && e.threads == 0 {
			e.threads = taskThreads([]byte("/proc/" + strconv.Itoa(e.pid) + "/task\x00"))
		}
		if charged {
			u.Charged += e.threads
		}
		if mine || charged {
			n := get(ns)
			if info, ok := infos[ns]; ok && info.known {
				n.Owner, n.TopOwner, n.Descendant = info.owner, info.top, info.desc
			}
			if mine {
				n.Tasks += e.threads
			}
			if charged {
				n.Charged += e.threads
			}
		}
	}
	for _, n := range per {
		u.Namespaces = append(u.Namespaces, *n)
	}
	slices.SortFunc(u.Namespaces, func(a, b NamespaceUsage) int {
		switch {
		case a.Own != b.Own:
			if a.Own {
				return -1
			}
			return 1
		case a.Inode < b.Inode:
			return -1
		case a.Inode > b.Inode:
			return 1
		}
		return 0
	})
	return u
}

// resolveNS describes pid's user namespace relative to the caller's:
// when it is a descendant, the owner of its ancestor one level below the
// caller's is who its tasks are charged to.
// resolveNS describes pid's user namespace; gone reports that pid has
// exited, so that another process of the namespace may answer.
func resolveNS(pid int) (_ nsInfo, gone bool) {
	// An error past the open leaves the relation Unknown: not known to be
	// a descendant, as when the kernel refuses a parent.
	info, err := nsfs.Describe(pid)
	if info.ID == (nsfs.ID{}) {
		// Not opened: another user's process, or gone.
		return nsInfo{}, errors.Is(err, fs.ErrNotExist) || errors.Is(err, unix.ESRCH)
	}
	n := nsInfo{known: true, owner: info.Owner, top: ^uint32(0)}
	if info.Relation == nsfs.Below {
		n.desc, n.top = true, info.TopOwner
	}
	return n, false
}

func nsInode(path string) (uint64, error) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return 0, os.NewSyscallError("stat", err)
	}
	return st.Ino, nil
}
