package usernstest

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/nonroot-go/nonroot/userns"
)

// innerEnv names the variable that tells a re-executed test binary which
// test runs inside the namespace.
const innerEnv = "NONROOT_USERNSTEST_RUN"

// Main is for TestMain: it lets the binary serve as userns's stage and
// runs the tests. Call it instead of m.Run.
func Main(m *testing.M) {
	userns.Init()
	os.Exit(m.Run())
}

// Inside reports whether the calling test binary is the copy Run started
// inside a namespace.
func Inside() bool { return os.Getenv(innerEnv) != "" }

// Run runs fn as the test t inside a new user namespace. configure, if not
// nil, sets up the *userns.Cmd that re-executes the test binary (maps,
// identity, capabilities, limits; not Stdout or Stderr, which Run
// collects); its zero configuration maps the caller's uid and gid to 0,
// like unshare -r, which needs no privilege. Run returns when the inner
// test has ended; a failure inside fails t, a skip inside skips t, and the
// inner output is logged to t.
func Run(t *testing.T, configure func(*userns.Cmd), fn func(t *testing.T)) {
	t.Helper()
	if name := os.Getenv(innerEnv); name != "" {
		if name == t.Name() {
			fn(t)
		}
		return
	}
	c := userns.Command("/proc/self/exe", "-test.run="+runPattern(t.Name()), "-test.count=1", "-test.v")
	if testing.Short() {
		c.Args = append(c.Args, "-test.short")
	}
	c.Env = append(slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, innerEnv+"=")
	}), innerEnv+"="+t.Name())
	if configure != nil {
		configure(c)
	}
	out, err := c.CombinedOutput()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		skipOrFail(t, err)
		return
	}
	result, detail := parse(out, t.Name())
	switch result {
	case "PASS":
		if err != nil {
			t.Fatalf("inner test passed but the test binary failed (%v):\n%s", err, out)
		}
		if len(detail) > 0 {
			t.Logf("inside the namespace:\n%s", detail)
		}
	case "SKIP":
		t.Skipf("skipped inside the namespace:\n%s", detail)
	case "FAIL":
		t.Fatalf("failed inside the namespace:\n%s", detail)
	default:
		t.Fatalf("the inner test binary reported no result for %s (%v):\n%s", t.Name(), err, out)
	}
}

// skipOrFail handles a namespace that could not be made: a refusal of the
// system skips, unless NONROOT_REQUIRE demands user namespaces.
func skipOrFail(t *testing.T, err error) {
	t.Helper()
	refused := errors.Is(err, os.ErrPermission) || errors.Is(err, userns.ErrDisabled) ||
		errors.Is(err, userns.ErrNotSupported) || errors.Is(err, userns.ErrNoHelper) ||
		errors.Is(err, userns.ErrNoSubIDs) || errors.Is(err, userns.ErrNestingLimit)
	list := strings.Split(os.Getenv("NONROOT_REQUIRE"), ",")
	if refused && !slices.Contains(list, "userns") && !slices.Contains(list, "all") {
		t.Skipf("cannot create the user namespace: %v", err)
	}
	t.Fatalf("starting the test in a user namespace: %v", err)
}

// runPattern is the -test.run pattern that selects exactly the test name:
// each level anchored and quoted.
func runPattern(name string) string {
	parts := strings.Split(name, "/")
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	return strings.Join(parts, "/")
}

// parse finds the result line "--- PASS: name (0.00s)" of -test.v output
// and returns the result and the test's output: the lines logged by it and
// the indented lines under its result line.
func parse(out []byte, name string) (result string, detail []byte) {
	var buf bytes.Buffer
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 64*1024), 16<<20)
	for sc.Scan() {
		line := sc.Text()
		trim := strings.TrimLeft(line, " ")
		for _, r := range []string{"PASS", "FAIL", "SKIP"} {
			if strings.HasPrefix(trim, "--- "+r+": "+name+" (") {
				result = r
			}
		}
		if strings.HasPrefix(trim, "=== ") || line == "PASS" || line == "FAIL" || strings.HasPrefix(trim, "--- ") {
			continue
		}
		buf.WriteString(line)
		buf.WriteByte('\n')
	}
	return result, bytes.TrimRight(buf.Bytes(), "\n")
}
