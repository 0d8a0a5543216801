//go:build linux

package proc

import (
	"errors"
	"iter"
	"os"
	"strconv"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Dir is an open /proc/PID (or /proc/PID/task/TID) directory. Files read
// through it belong to the process it was opened for: once that process
// is gone they fail with ENOENT or ESRCH, even if its pid is reused.
type Dir struct {
	fd   int
	pid  int
	path string // for error messages; empty means "/proc/PID"
}

// Open opens /proc/PID; pid 0 opens /proc/self.
func Open(pid int) (Dir, error) {
	p := "/proc/self"
	if pid != 0 {
		p = "/proc/" + strconv.Itoa(pid)
	}
	return openDir(unix.AT_FDCWD, p, p, pid)
}

func openDir(at int, name, full string, pid int) (Dir, error) {
	fd, err := openat(at, name, full, unix.O_DIRECTORY)
	if err != nil {
		return Dir{fd: -1}, err
	}
	return Dir{fd: fd, pid: pid, path: full}, nil
}

// openat opens name relative to at, read-only and close-on-exec, with
// flags added; full names the file in the error.
func openat(at int, name, full string, flags int) (int, error) {
	var fd int
	err := retry(func() (err error) {
		fd, err = unix.Openat(at, name, unix.O_RDONLY|unix.O_CLOEXEC|flags, 0)
		return err
	})
	if err != nil {
		return -1, &os.PathError{Op: "open", Path: full, Err: err}
	}
	return fd, nil
}

// Task opens the directory of thread tid of d's process.
func (d Dir) Task(tid int) (Dir, error) {
	name := "task/" + strconv.Itoa(tid)
	return openDir(d.fd, name, d.path+"/"+name, tid)
}

// Pid returns the pid (or tid) the directory was opened for; 0 for self.
func (d Dir) Pid() int { return d.pid }

// Path returns the directory's path, for messages.
func (d Dir) Path() string { return d.path }

// Close closes the directory.
func (d Dir) Close() error {
	if d.fd < 0 {
		return nil
	}
	return unix.Close(d.fd)
}

// FD returns the directory's file descriptor, valid until Close.
func (d Dir) FD() int { return d.fd }

// Stat returns the device and inode of name inside the directory, such as
// "ns/user", following symbolic links (fstatat).
func (d Dir) Stat(name string) (dev, ino uint64, err error) {
	var st unix.Stat_t
	err = retry(func() error { return unix.Fstatat(d.fd, name, &st, 0) })
	if err != nil {
		return 0, 0, &os.PathError{Op: "stat", Path: d.path + "/" + name, Err: err}
	}
	return uint64(st.Dev), st.Ino, nil
}

// Readlink reads the symbolic link name inside the directory into buf,
// such as "ns/user" (whose text is "user:[4026531837]"); it is cheaper
// than stat'ing the link's target.
func (d Dir) Readlink(name string, buf []byte) ([]byte, error) {
	var n int
	err := retry(func() (err error) {
		n, err = unix.Readlinkat(d.fd, name, buf)
		return err
	})
	if err != nil {
		return nil, &os.PathError{Op: "readlink", Path: d.path + "/" + name, Err: err}
	}
	return buf[:n], nil
}

// OpenFile opens name inside the directory read-only, for example
// "ns/user" to hand to ioctls.
func (d Dir) OpenFile(name string) (int, error) {
	return openat(d.fd, name, d.path+"/"+name, 0)
}

// Reader reads /proc files into a buffer it reuses. A Reader is not safe
// for concurrent use; the zero Reader is ready.
type Reader struct {
	buf []byte
	// ShortReadIsEOF ends a read at the first short read instead of
	// reading again for the 0 of end of file, saving a system call per
	// file. That is right for the single-record files of /proc (status,
	// stat, limits: single_open seq_files fill the buffer whenever more
	// remains), and wrong for multi-record ones such as maps or mountinfo,
	// which stop short before a record that does not fit.
	ShortReadIsEOF bool
}

// ReadFile reads the whole of name inside d with as few reads as the
// buffer allows. The result is valid until the next call on r.
func (r *Reader) ReadFile(d Dir, name string) ([]byte, error) {
	fd, err := d.OpenFile(name)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	if r.buf == nil {
		r.buf = make([]byte, 4096)
	}
	n := 0
	for {
		if n == len(r.buf) {
			r.buf = append(r.buf, make([]byte, len(r.buf))...)
		}
		var m int
		err := retry(func() (err error) {
			m, err = unix.Read(fd, r.buf[n:])
			return err
		})
		if err != nil {
			return nil, &os.PathError{Op: "read", Path: d.path + "/" + name, Err: err}
		}
		if m == 0 {
			return r.buf[:n], nil
		}
		n += m
		if n < len(r.buf) && r.ShortReadIsEOF {
			return r.buf[:n], nil
		}
	}
}

// Status reads and parses d's status file.
func (r *Reader) Status(d Dir, st *Status) error {
	b, err := r.ReadFile(d, "status")
	if err != nil {
		return err
	}
	if err := ParseStatus(b, st); err != nil {
		return &os.PathError{Op: "parse", Path: d.path + "/status", Err: err}
	}
	return nil
}

// Stat reads and parses d's stat file.
func (r *Reader) Stat(d Dir, s *Stat) error {
	b, err := r.ReadFile(d, "stat")
	if err != nil {
		return err
	}
	if err := ParseStat(b, s); err != nil {
		return &os.PathError{Op: "parse", Path: d.path + "/stat", Err: err}
	}
	return nil
}

// ReadStatus reads /proc/PID/status once; pid 0 is the caller.
func ReadStatus(pid int, st *Status) error {
	d, err := Open(pid)
	if err != nil {
		return err
	}
	defer d.Close()
	var r Reader
	return r.Status(d, st)
}

// StartTime returns field 22 of /proc/PID/stat; pid 0 is the caller.
func StartTime(pid int) (uint64, error) {
	d, err := Open(pid)
	if err != nil {
		return 0, err
	}
	defer d.Close()
	var r Reader
	var s Stat
	err = r.Stat(d, &s)
	return s.StartTime, err
}

// Gone reports whether err says that the process read has exited (ENOENT
// or ESRCH), which a scan of /proc must expect and skip.
func Gone(err error) bool {
	return errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ESRCH)
}

// Pids yields the pid of every process in /proc, in the kernel's order
// (ascending). An error reading /proc is yielded once, and ends the
// sequence.
func Pids() iter.Seq2[int, error] {
	return func(yield func(int, error) bool) {
		numbers(unix.AT_FDCWD, "/proc", 32<<10, yield)
	}
}

// Tasks yields the thread ids of d's process, the main thread first.
func (d Dir) Tasks() iter.Seq2[int, error] {
	return func(yield func(int, error) bool) {
		numbers(d.fd, "task", 4<<10, yield)
	}
}

// numbers yields the numeric names in directory name, read with
// getdents64 into one buffer: no allocation per entry.
func numbers(at int, name string, size int, yield func(int, error) bool) {
	fd, err := openat(at, name, name, unix.O_DIRECTORY)
	if err != nil {
		yield(0, err)
		return
	}
	defer unix.Close(fd)
	buf := make([]byte, size)
	for {
		var n int
		err := retry(func() (err error) {
			n, err = unix.Getdents(fd, buf)
			return err
		})
		if err != nil {
			yield(0, &os.PathError{Op: "getdents", Path: name, Err: err})
			return
		}
		if n <= 0 {
			return
		}
		for b := buf[:n]; len(b) >= direntNameOff; {
			reclen := int(*(*uint16)(unsafe.Pointer(&b[direntReclenOff])))
			if reclen < direntNameOff || reclen > len(b) {
				yield(0, &os.PathError{Op: "getdents", Path: name, Err: unix.EBADMSG})
				return
			}
			if id, ok := number(b[direntNameOff:reclen]); ok {
				if !yield(id, nil) {
					return
				}
			}
			b = b[reclen:]
		}
	}
}

// Offsets in struct linux_dirent64: d_ino u64, d_off s64, d_reclen u16,
// d_type u8, d_name.
const (
	direntReclenOff = 16
	direntNameOff   = 19
)

// number parses a NUL-terminated decimal name.
func number(b []byte) (int, bool) {
	n := 0
	i := 0
	for ; i < len(b) && b[i] != 0; i++ {
		c := b[i]
		if c < '0' || c > '9' || i > 9 {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, i > 0
}

func retry(fn func() error) error {
	for {
		if err := fn(); err != unix.EINTR {
			return err
		}
	}
}
