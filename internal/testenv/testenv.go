// Package testenv holds the probes, skips and re-exec helpers that this
// module's own tests share.
//
// A test that needs something from the machine probes for it, then calls
// [Require] with the probe's result. Where the probe failed the test is
// skipped with the probe's message, which names what is missing and how to
// get it. CI lists in NONROOT_REQUIRE the features it knows the machine has
// in each mode; a skip of a listed feature fails the test instead, so a
// mode cannot pass by skipping everything.
//
// Tests never change their own credentials, capabilities or rlimits. They
// register a helper with [Helper], call [Main] from TestMain, and run the
// helper in a child with [Command], which re-executes /proc/self/exe.
package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
)

// RequireEnv names the environment variable that lists, separated by
// commas, the features whose absence fails a test instead of skipping it.
// The value "all" requires every feature.
const RequireEnv = "NONROOT_REQUIRE"

// Features used by this module's tests. The names are what CI puts in
// NONROOT_REQUIRE; a test may use a name of its own as well.
const (
	// UserNS: the caller can create a user namespace with the single map
	// "0 <own uid> 1".
	UserNS = "userns"
	// MultiMap: the caller can write maps of several host IDs directly,
	// which takes CAP_SETUID and CAP_SETGID over the parent namespace
	// (real root on the host).
	MultiMap = "multimap"
	// Newuidmap: newuidmap and newgidmap are installed setuid root and the
	// caller has ranges in /etc/subuid and /etc/subgid.
	Newuidmap = "newuidmap"
	// SetID: the caller can start a child under another uid and gid on the
	// host.
	SetID = "setid"
	// IDMappedMount: the caller can make ID-mapped mounts.
	IDMappedMount = "idmapped-mount"
	// PAM: the machine's pam_limits module and libpam headers are installed
	// and the caller can open a PAM session.
	PAM = "pam"
)

// Require skips t when err is not nil, with err's message as the reason,
// unless feature is listed in NONROOT_REQUIRE, in which case it fails t.
func Require(t testing.TB, feature string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if Required(feature) {
		t.Fatalf("%s is required here (%s=%q) but missing: %v", feature, RequireEnv, os.Getenv(RequireEnv), err)
	}
	t.Skipf("%s unavailable: %v", feature, err)
}

// Required reports whether feature is listed in NONROOT_REQUIRE.
func Required(feature string) bool {
	list := strings.Split(os.Getenv(RequireEnv), ",")
	return slices.Contains(list, feature) || slices.Contains(list, "all")
}

// RequireTool looks up the named program on PATH and calls Require with
// the feature named after the program. pkg is the Debian package that
// provides it, named in the skip message.
func RequireTool(t testing.TB, name, pkg string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		err = fmt.Errorf("%s not found on PATH (apt-get install %s)", name, pkg)
	}
	Require(t, name, err)
	return path
}

// HelperEnv is the environment variable that tells a re-executed test
// binary which helper to run instead of its tests.
const HelperEnv = "NONROOT_TEST_HELPER"

var (
	helpersMu sync.Mutex
	helpers   = map[string]func(args []string) int{}
)

// Helper registers fn to run, instead of the tests, in a test binary
// re-executed by [Command] with the same name. fn receives the arguments
// given to Command and returns the exit status. Register helpers from
// init functions or from TestMain before calling [Main].
func Helper(name string, fn func(args []string) int) {
	helpersMu.Lock()
	defer helpersMu.Unlock()
	if _, dup := helpers[name]; dup {
		panic("testenv: helper " + name + " registered twice")
	}
	helpers[name] = fn
}

// Main runs the helper named in NONROOT_TEST_HELPER and exits with its
// status, or runs the tests. Call it from TestMain.
func Main(m *testing.M) {
	if name := os.Getenv(HelperEnv); name != "" {
		helpersMu.Lock()
		fn := helpers[name]
		helpersMu.Unlock()
		if fn == nil {
			fmt.Fprintf(os.Stderr, "testenv: no helper %q registered\n", name)
			os.Exit(2)
		}
		os.Exit(fn(os.Args[1:]))
	}
	os.Exit(m.Run())
}

// Command returns a command that re-executes the test binary through
// /proc/self/exe to run the helper registered under name with args.
// /proc/self/exe is used rather than os.Executable because go test builds
// into a 0700 directory that a child under another uid cannot enter.
func Command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command("/proc/self/exe", args...)
	cmd.Env = append(os.Environ(), HelperEnv+"="+name)
	return cmd
}
