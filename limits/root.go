package limits

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// errLinkLoop is what resolving a path under a root gives after too many
// symbolic links, as ELOOP does in the kernel.
var errLinkLoop = errors.New("too many levels of symbolic links")

// inRoot returns the host path of name as a process chrooted to root
// would find it: symbolic links, absolute ones included, resolve inside
// root, and ".." stops at it. So the links of an unpacked image reach its
// own files, never the host's. root "/" or "" is the running system.
func inRoot(root, name string) (string, error) {
	if root == "" || root == "/" {
		return filepath.Join("/", name), nil
	}
	var done []string // resolved components below root
	todo := strings.Split(name, "/")
	for hops := 0; len(todo) > 0; {
		c := todo[0]
		todo = todo[1:]
		switch c {
		case "", ".":
			continue
		case "..":
			if len(done) > 0 {
				done = done[:len(done)-1]
			}
			continue
		}
		p := filepath.Join(root, filepath.Join(done...), c)
		fi, err := os.Lstat(p)
		if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			done = append(done, c) // a missing file is the caller's open to report
			continue
		}
		if hops++; hops > 40 { // the kernel's MAXSYMLINKS
			return "", &fs.PathError{Op: "resolve", Path: filepath.Join(root, name), Err: errLinkLoop}
		}
		target, err := os.Readlink(p)
		if err != nil {
			return "", err
		}
		if strings.HasPrefix(target, "/") {
			done = done[:0]
		}
		todo = append(strings.Split(target, "/"), todo...)
	}
	return filepath.Join(root, filepath.Join(done...)), nil
}
