//go:build linux

package caps

import (
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nonroot-go/nonroot/internal/testenv"
)

// sleepers starts n sleeping processes for a benchmark, one in four with
// reduced sets (through setpriv where this mode lets it drop the bounding
// set), waits until all run sleep, and kills them when tb ends.
func sleepers(tb testing.TB, n int) {
	tb.Helper()
	setpriv, _ := exec.LookPath("setpriv")
	// Without CAP_SETPCAP setpriv leaves the bounding set alone and still
	// succeeds (libcap-ng's capng_apply skips it), so look at the result.
	reduce := false
	if setpriv != "" {
		out, err := exec.Command(setpriv, "--bounding-set=-all,+chown", "--inh-caps=-all", "grep", "^CapBnd:", "/proc/self/status").Output()
		reduce = err == nil && strings.Contains(string(out), "0000000000000001")
	}
	cmds := make([]*exec.Cmd, 0, n)
	tb.Cleanup(func() {
		for _, c := range cmds {
			c.Process.Kill()
		}
		for _, c := range cmds {
			c.Wait()
		}
	})
	for i := range n {
		argv := []string{"sleep", "600"}
		if reduce && i%4 == 0 {
			argv = []string{setpriv, "--bounding-set=-all,+chown,+kill", "--inh-caps=-all", "sleep", "600"}
		}
		c := exec.Command(argv[0], argv[1:]...)
		if err := c.Start(); err != nil {
			tb.Fatalf("starting sleeper %d: %v", i, err)
		}
		cmds = append(cmds, c)
	}
	for _, c := range cmds {
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
			b, err := os.ReadFile("/proc/" + strconv.Itoa(c.Process.Pid) + "/comm")
			if err == nil && strings.TrimSpace(string(b)) == "sleep" {
				break
			}
			if time.Now().After(deadline) {
				tb.Fatalf("sleeper %d never ran sleep", c.Process.Pid)
			}
		}
	}
}

// BenchmarkScan compares a scan of every process with pscap -a of
// libcap-ng, which prints the same sets (and namespace marks) for all
// processes, on a few hundred extra sleeping processes. Run with
// -count=6 and compare medians.
func BenchmarkScan(b *testing.B) {
	sleepers(b, 300)
	b.Run("caps.All", func(b *testing.B) {
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			n = 0
			for _, err := range All() {
				if err != nil {
					b.Fatal(err)
				}
				n++
			}
		}
		b.ReportMetric(float64(n), "procs")
	})
	b.Run("caps.Scan-SkipThreads", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, err := range Scan(ScanOptions{SkipThreads: true}) {
				if err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("pscap-a", func(b *testing.B) {
		path := testenv.RequireTool(b, "pscap", "libcap-ng-utils")
		for b.Loop() {
			cmd := exec.Command(path, "-a")
			cmd.Stdout = io.Discard
			if err := cmd.Run(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkOf(b *testing.B) {
	b.ReportAllocs()
	pid := os.Getpid()
	for b.Loop() {
		if _, err := Of(pid); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkScanVsPscap runs caps.All, pscap -a, and a scan of the
// information pscap prints (no start time) in turn in every iteration, so
// all see the same load, on a few hundred extra sleeping processes. It
// reports the time per round of the first two, the ratios of wall time to
// pscap's, and the ratio of CPU time (user and system: less telling for
// latency, much less disturbed by other load). Run with -count=6 or more
// and take medians.
func BenchmarkScanVsPscap(b *testing.B) {
	path := testenv.RequireTool(b, "pscap", "libcap-ng-utils")
	sleepers(b, 300)
	var ours, same, theirs, oursCPU, theirsCPU time.Duration
	procs := 0
	scan := func(opts ScanOptions) (wall, cpu time.Duration) {
		c0 := selfCPU()
		start := time.Now()
		procs = 0
		for _, err := range Scan(opts) {
			if err != nil {
				b.Fatal(err)
			}
			procs++
		}
		return time.Since(start), selfCPU() - c0
	}
	for b.Loop() {
		wall, cpu := scan(ScanOptions{})
		ours += wall
		oursCPU += cpu
		start := time.Now()
		cmd := exec.Command(path, "-a")
		cmd.Stdout = io.Discard
		if err := cmd.Run(); err != nil {
			b.Fatal(err)
		}
		theirs += time.Since(start)
		theirsCPU += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
		wall, _ = scan(ScanOptions{SkipStartTime: true})
		same += wall
	}
	b.ReportMetric(float64(ours.Nanoseconds())/float64(b.N), "caps-ns/op")
	b.ReportMetric(float64(theirs.Nanoseconds())/float64(b.N), "pscap-ns/op")
	b.ReportMetric(float64(ours)/float64(theirs), "ratio")
	b.ReportMetric(float64(oursCPU)/float64(theirsCPU), "cpu-ratio")
	b.ReportMetric(float64(same)/float64(theirs), "same-info-ratio")
	b.ReportMetric(float64(procs), "procs")
}

// selfCPU is the user and system time of this process so far.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
