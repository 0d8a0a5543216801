package userns

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
	"testing"

	"github.com/nonroot-go/nonroot/idmap"
)

func TestErrorFormat(t *testing.T) {
	for _, tc := range []struct {
		e    *Error
		want string
	}{
		{&Error{Op: "start", Kind: ErrNoInit}, "userns: start: userns.Init was not called"},
		{&Error{Op: "start", Pid: 42, Err: os.NewSyscallError("setresuid", syscall.EPERM)}, "userns: start (pid 42): setresuid: operation not permitted"},
		{&Error{Op: "check /etc/subuid", Kind: ErrNoSubIDs, Err: errors.New("no range 5-6"), Hint: "add one"}, "userns: check /etc/subuid: no subordinate IDs: no range 5-6 (add one)"},
	} {
		if got := tc.e.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
	}
}

func TestErrorIs(t *testing.T) {
	perm := &Error{Op: "start", Kind: ErrNoSubIDs, Err: errors.New("x")}
	if !errors.Is(perm, ErrNoSubIDs) || !errors.Is(perm, idmap.ErrNoSubIDs) || !errors.Is(perm, os.ErrPermission) {
		t.Errorf("%v: sentinel or os.ErrPermission not matched", perm)
	}
	errno := &Error{Op: "stage exec", Err: &os.PathError{Op: "exec", Path: "/x", Err: syscall.ENOENT}}
	if !errors.Is(errno, fs.ErrNotExist) || errors.Is(errno, os.ErrPermission) || errors.Is(errno, ErrNoInit) {
		t.Errorf("%v: wrong errors.Is answers", errno)
	}
	var pe *os.PathError
	if !errors.As(errno, &pe) || pe.Path != "/x" {
		t.Errorf("errors.As did not reach the *os.PathError")
	}
	eperm := &Error{Op: "start", Err: syscall.EPERM}
	if !errors.Is(eperm, os.ErrPermission) {
		t.Error("EPERM cause does not answer os.ErrPermission")
	}
	if errors.Is(&Error{Op: "start", Kind: ErrNoHelper}, os.ErrPermission) {
		t.Error("ErrNoHelper answers os.ErrPermission")
	}
}
