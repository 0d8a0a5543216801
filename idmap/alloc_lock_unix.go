//go:build unix

package idmap

import (
	"os"

	"golang.org/x/sys/unix"
)

// lockState takes an exclusive flock on path+".lock", creating it. The
// state file itself cannot carry the lock: it is replaced by rename, and
// a lock on the old inode would not exclude a process that opened the new
// one. The kernel drops the lock when the holder dies, however it dies.
func lockState(path string) (unlock func(), err error) {
	// Read-only: flock needs no more, and a lock file created by one
	// user (mode 0644 less the umask) stays usable by the others who may
	// write the state. No symbolic link is followed.
	f, err := os.OpenFile(path+".lock", os.O_RDONLY|os.O_CREATE|unix.O_NOFOLLOW, 0o644)
	if err != nil {
		return nil, err
	}
	for {
		err = unix.Flock(int(f.Fd()), unix.LOCK_EX)
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, &os.PathError{Op: "flock", Path: f.Name(), Err: err}
	}
	return func() { f.Close() }, nil
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
