//go:build linux

package testenv

import (
	"os/exec"
	"testing"
)

// TestProbes checks each probe this package knows against the features
// the environment claims, so that a CI mode that lists a feature proves
// the machine has it even where no other test of that mode needs it.
func TestProbes(t *testing.T) {
	probes := map[string]func() error{
		UserNS:    ProbeUserNS,
		MultiMap:  ProbeMultiMap,
		SetID:     ProbeSetID,
		Newuidmap: func() error { return ProbeNewuidmap(65536) },
	}
	for _, tool := range []string{"capsh", "getpcaps", "getcap", "pscap", "setpriv", "pgrep", "prlimit", "unshare", "getsubids", "python3", "getfacl"} {
		probes[tool] = func() error { _, err := exec.LookPath(tool); return err }
	}
	for name, probe := range probes {
		t.Run(name, func(t *testing.T) {
			Require(t, name, probe())
		})
	}
}

// A map of many IDs can only be written by a caller that can create a
// namespace at all.
func TestMultiMapImpliesUserNS(t *testing.T) {
	if ProbeMultiMap() == nil && ProbeUserNS() != nil {
		t.Fatalf("multi-ID map written, yet the single map failed: %v", ProbeUserNS())
	}
}
