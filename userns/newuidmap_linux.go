//go:build linux

package userns

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/nonroot-go/nonroot/idmap"
)

// helperPaths finds newuidmap and newgidmap, and keeps what it found; a
// failure is not kept, so a long-running program sees the helpers once
// someone installs them.
var helperPaths = (&okOnce[[2]string]{fn: findHelpers}).get

func findHelpers() ([2]string, error) {
	var paths [2]string
	for i, name := range []string{"newuidmap", "newgidmap"} {
		path, err := exec.LookPath(name)
		if err != nil {
			return paths, &Error{
				Op: "start", Kind: ErrNoHelper, Err: fmt.Errorf("%s not found on PATH", name),
				Hint: "a map of more than the caller's own ID needs shadow-utils' helpers: install the uidmap package (apt-get install uidmap, dnf install shadow-utils)",
			}
		}
		fi, err := os.Stat(path)
		if err != nil {
			return paths, &Error{Op: "start", Kind: ErrNoHelper, Err: err}
		}
		st, ok := fi.Sys().(*syscall.Stat_t)
		// Without setuid root (or file capabilities CAP_SETUID/CAP_SETGID,
		// which some distributions use instead) it cannot write the map.
		if (fi.Mode()&os.ModeSetuid == 0 || !ok || st.Uid != 0) && !hasFileCaps(path) {
			return paths, &Error{
				Op: "start", Kind: ErrNoHelper, Err: fmt.Errorf("%s is neither setuid root nor has file capabilities", path),
				Hint: "reinstall the uidmap package",
			}
		}
		paths[i] = path
	}
	return paths, nil
}

// okOnce runs fn until it first succeeds and keeps that result; a
// failure is returned and forgotten, so the next call tries again.
type okOnce[T any] struct {
	mu   sync.Mutex
	done bool
	v    T
	fn   func() (T, error)
}

func (o *okOnce[T]) get() (T, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.done {
		return o.v, nil
	}
	v, err := o.fn()
	if err == nil {
		o.v, o.done = v, true
	}
	return v, err
}

func helpers() error {
	_, err := helperPaths()
	return err
}

func hasFileCaps(path string) bool {
	var b [32]byte
	n, err := syscall.Getxattr(path, "security.capability", b[:])
	return err == nil && n > 0
}

// writeMaps has newuidmap and newgidmap write the maps of pid at the same
// time; each takes about as long as the whole re-exec, so running them
// one after the other would double the wait.
func writeMaps(ctx context.Context, pid int, p *plan) error {
	paths, err := helperPaths()
	if err != nil {
		return err
	}
	if !p.setgroups {
		// Before gid_map: the kernel refuses "deny" once gid_map is written.
		f := "/proc/" + strconv.Itoa(pid) + "/setgroups"
		if err := os.WriteFile(f, []byte("deny"), 0); err != nil {
			return &Error{Op: "write " + f, Pid: pid, Err: err}
		}
	}
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i, m := range []idmap.Map{p.uidMap, p.gidMap} {
		wg.Go(func() { errs[i] = runHelper(ctx, paths[i], pid, m) })
	}
	wg.Wait()
	return errors.Join(errs[0], errs[1])
}

func runHelper(ctx context.Context, path string, pid int, m idmap.Map) error {
	args := []string{strconv.Itoa(pid)}
	for _, r := range m.Ranges() {
		args = append(args, strconv.FormatUint(uint64(r.ContainerID), 10), strconv.FormatUint(uint64(r.HostID), 10), strconv.FormatUint(uint64(r.Size), 10))
	}
	cmd := exec.CommandContext(ctx, path, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	// Once the context ends the helper is killed; do not wait longer for
	// whatever it left holding its stderr.
	cmd.WaitDelay = time.Second
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg != "" {
			err = fmt.Errorf("%w: %s", err, msg)
		}
		return &Error{
			Op: strings.Join(append([]string{path}, args...), " "), Pid: pid, Err: err,
			Hint: "the helper writes only ranges /etc/subuid and /etc/subgid grant to the calling user, and only where it runs setuid root in the caller's user namespace",
		}
	}
	return nil
}
