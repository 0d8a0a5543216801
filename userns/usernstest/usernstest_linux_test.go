package usernstest_test

import (
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/nonroot-go/nonroot/internal/testenv"
	"github.com/nonroot-go/nonroot/limits"
	"github.com/nonroot-go/nonroot/userns"
	"github.com/nonroot-go/nonroot/userns/usernstest"
)

func TestMain(m *testing.M) { usernstest.Main(m) }

// demoEnv lets the demo tests below run only when TestOuterResults runs
// them in a child.
const demoEnv = "USERNSTEST_DEMO"

func TestRunInside(t *testing.T) {
	testenv.Require(t, testenv.UserNS, testenv.ProbeUserNS())
	outerUID := os.Geteuid()
	usernstest.Run(t, nil, func(t *testing.T) {
		if !usernstest.Inside() || !userns.RunningInUserNS() {
			t.Fatal("fn runs outside a user namespace")
		}
		if os.Getuid() != 0 || os.Getgid() != 0 {
			t.Fatalf("inside as %d:%d, want 0:0", os.Getuid(), os.Getgid())
		}
		b, err := os.ReadFile("/proc/self/uid_map")
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("uid_map %q", b)
	})
	if usernstest.Inside() {
		return
	}
	if os.Geteuid() != outerUID {
		t.Fatal("the outer test changed its uid")
	}
}

func TestRunConfigured(t *testing.T) {
	testenv.Require(t, testenv.UserNS, testenv.ProbeUserNS())
	usernstest.Run(t, func(c *userns.Cmd) {
		c.NoNewPrivs = true
		c.Rlimits = map[limits.Resource]limits.Rlimit{limits.CORE: {Soft: 0, Hard: 0}}
	}, func(t *testing.T) {
		var lim syscall.Rlimit
		if err := syscall.Getrlimit(syscall.RLIMIT_CORE, &lim); err != nil || lim.Max != 0 {
			t.Fatalf("RLIMIT_CORE inside = %+v, %v; want 0", lim, err)
		}
	})
}

func TestRunSubtest(t *testing.T) {
	testenv.Require(t, testenv.UserNS, testenv.ProbeUserNS())
	t.Run("a sub/test [x]", func(t *testing.T) {
		usernstest.Run(t, nil, func(t *testing.T) {
			if os.Getuid() != 0 {
				t.Fatal("not root inside")
			}
		})
	})
}

func TestDemoFail(t *testing.T) {
	if os.Getenv(demoEnv) == "" {
		t.Skip("demo for TestOuterResults")
	}
	usernstest.Run(t, nil, func(t *testing.T) { t.Error("boom inside") })
}

func TestDemoSkip(t *testing.T) {
	if os.Getenv(demoEnv) == "" {
		t.Skip("demo for TestOuterResults")
	}
	usernstest.Run(t, nil, func(t *testing.T) { t.Skip("nothing to do inside") })
}

// A failing inner test fails the outer one, a skip inside skips it: the
// demo tests run in a child test binary whose verdict is inspected.
func TestOuterResults(t *testing.T) {
	testenv.Require(t, testenv.UserNS, testenv.ProbeUserNS())
	if usernstest.Inside() {
		t.Skip("runs from outside only")
	}
	for _, tc := range []struct {
		test, want, detail string
		fails              bool
	}{
		{"TestDemoFail", "--- FAIL: TestDemoFail", "boom inside", true},
		{"TestDemoSkip", "--- SKIP: TestDemoSkip", "nothing to do inside", false},
	} {
		t.Run(tc.test, func(t *testing.T) {
			cmd := exec.Command("/proc/self/exe", "-test.run=^"+tc.test+"$", "-test.v", "-test.count=1")
			cmd.Env = append(os.Environ(), demoEnv+"=1")
			out, err := cmd.CombinedOutput()
			if failed := err != nil; failed != tc.fails {
				t.Errorf("outer binary failed = %v (%v), want %v", failed, err, tc.fails)
			}
			if !strings.Contains(string(out), tc.want) || !strings.Contains(string(out), tc.detail) {
				t.Errorf("outer output lacks %q or %q:\n%s", tc.want, tc.detail, out)
			}
		})
	}
}
