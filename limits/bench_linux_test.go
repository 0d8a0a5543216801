//go:build linux

package limits

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nonroot-go/nonroot/internal/testenv"
)

// BenchmarkCountTasks counts one uid's tasks with CountTasks and with
// pgrep -c -U, in the same run, over a few hundred processes of that uid
// (testUID where the caller may switch uids, else its own).
func BenchmarkCountTasks(b *testing.B) {
	pgrep := testenv.RequireTool(b, "pgrep", "procps")
	uid := uint32(os.Getuid())
	exact := testenv.ProbeSetID() == nil
	if exact {
		uid = testUID // a uid of our own: both counts are exact
	}
	const n = 300
	for range n {
		sleeper(b, sleepAs(uid))
	}
	u, err := CountTasks(uid)
	if err != nil {
		b.Fatal(err)
	}
	out, _ := exec.Command(pgrep, "-c", "-U", strconv.Itoa(int(uid))).Output()
	if u.Processes < n || exact && strings.TrimSpace(string(out)) != strconv.Itoa(u.Processes) {
		b.Fatalf("CountTasks sees %d processes of %d, pgrep %s", u.Processes, uid, out)
	}
	b.Run("go", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := CountTasks(uid); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("pgrep", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			// pgrep exits 1 when nothing matches; here something always does.
			if err := exec.Command(pgrep, "-c", "-U", strconv.Itoa(int(uid))).Run(); err != nil {
				b.Fatal(err)
			}
		}
	})
	// Alternating the two within one loop exposes both to the same load
	// from the rest of the machine; the ratio is go's time over pgrep's.
	b.Run("interleaved", func(b *testing.B) {
		var goT, pgT time.Duration
		for b.Loop() {
			t0 := time.Now()
			if _, err := CountTasks(uid); err != nil {
				b.Fatal(err)
			}
			t1 := time.Now()
			if err := exec.Command(pgrep, "-c", "-U", strconv.Itoa(int(uid))).Run(); err != nil {
				b.Fatal(err)
			}
			goT, pgT = goT+t1.Sub(t0), pgT+time.Since(t1)
		}
		b.ReportMetric(float64(goT.Nanoseconds())/float64(b.N), "go-ns/op")
		b.ReportMetric(float64(pgT.Nanoseconds())/float64(b.N), "pgrep-ns/op")
		b.ReportMetric(float64(goT)/float64(pgT), "go/pgrep")
	})
}
