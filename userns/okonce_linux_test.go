//go:build linux

package userns

import (
	"errors"
	"os"
	"testing"

	"github.com/nonroot-go/nonroot/internal/testenv"
)

func TestOkOnceForgetsFailures(t *testing.T) {
	calls := 0
	o := &okOnce[int]{fn: func() (int, error) {
		calls++
		if calls < 3 {
			return 0, errors.New("not yet")
		}
		return 42, nil
	}}
	for i, want := range []int{0, 0, 42, 42, 42} {
		v, err := o.get()
		if v != want || (err == nil) != (want == 42) {
			t.Fatalf("call %d: %d, %v; want %d", i+1, v, err, want)
		}
	}
	if calls != 3 {
		t.Fatalf("fn ran %d times, want 3: a success is kept", calls)
	}
}

// A program that started before uidmap was installed finds the helpers
// once they are there: here, once PATH leads to them.
func TestHelpersFoundAfterAFailure(t *testing.T) {
	// Usable helpers: installed, and setuid root as this namespace sees
	// them (inside `unshare -r` the host's root is unmapped).
	_, err := findHelpers()
	testenv.Require(t, testenv.Newuidmap, err)
	o := &okOnce[[2]string]{fn: findHelpers}
	path := os.Getenv("PATH")
	t.Setenv("PATH", t.TempDir())
	if _, err := o.get(); !errors.Is(err, ErrNoHelper) {
		t.Fatalf("helpers with an empty PATH: %v, want ErrNoHelper", err)
	}
	t.Setenv("PATH", path)
	if p, err := o.get(); err != nil || p[0] == "" || p[1] == "" {
		t.Fatalf("helpers after PATH was restored: %v, %v", p, err)
	}
}
