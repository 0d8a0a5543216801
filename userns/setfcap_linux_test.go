//go:build linux

package userns

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"testing"

	"kernel.org/pub/linux/libs/security/libcap/cap"

	"github.com/nonroot-go/nonroot/internal/testenv"
)

func init() { testenv.Helper("nosetfcap", helperNoSetfcap) }

type setfcapResult struct {
	Setup    string `json:"setup,omitempty"`
	Ours     string `json:"ours"`
	OursKind bool   `json:"ours_kind"`
	Kernel   string `json:"kernel"`
}

// helperNoSetfcap drops CAP_SETFCAP from every thread's effective set,
// then asks Start, and the kernel through plain SysProcAttr, for the map
// "0 <own uid> 1", which maps uid 0 of the caller's namespace when the
// caller is root there.
func helperNoSetfcap([]string) int {
	var res setfcapResult
	c := cap.GetProc()
	if err := c.SetFlag(cap.Effective, false, cap.SETFCAP); err == nil {
		err = c.SetProc()
		if err != nil {
			res.Setup = err.Error()
		}
	} else {
		res.Setup = err.Error()
	}
	if res.Setup == "" {
		err := Command("/bin/true").Run()
		res.OursKind = errors.Is(err, ErrSetfcap)
		res.Ours = fmt.Sprint(err)
		k := exec.Command("/bin/true")
		k.SysProcAttr = &syscall.SysProcAttr{
			Cloneflags:  syscall.CLONE_NEWUSER,
			UidMappings: []syscall.SysProcIDMap{{HostID: os.Geteuid(), Size: 1}},
			GidMappings: []syscall.SysProcIDMap{{HostID: os.Getegid(), Size: 1}},
		}
		res.Kernel = fmt.Sprint(k.Run())
	}
	_ = json.NewEncoder(os.Stdout).Encode(res)
	return 0
}

// Mapping uid 0 of the caller's namespace needs CAP_SETFCAP (Linux
// 5.12): Start says so before the kernel would refuse with EPERM.
func TestIntegrationSetfcap(t *testing.T) {
	requireUserNS(t)
	eff, err := effectiveCaps()
	if err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() != 0 || eff&(1<<capSetfcap) == 0 {
		t.Skip("needs a caller that is uid 0 with CAP_SETFCAP in its namespace, so that dropping it matters: run as root or in unshare -r")
	}
	out, err := testenv.Command("nosetfcap").Output()
	if err != nil {
		t.Fatalf("helper: %v", err)
	}
	var res setfcapResult
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("helper said %q: %v", out, err)
	}
	if res.Setup != "" {
		t.Fatalf("dropping CAP_SETFCAP: %s", res.Setup)
	}
	if !res.OursKind {
		t.Errorf("Start without CAP_SETFCAP = %s, want ErrSetfcap", res.Ours)
	}
	if res.Kernel != "fork/exec /bin/true: operation not permitted" {
		t.Errorf("the kernel, asked directly, said %q; want EPERM", res.Kernel)
	}
	t.Logf("ours: %s", res.Ours)
}
