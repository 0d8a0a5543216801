package usernstest_test

import (
	"os"
	"testing"

	"github.com/nonroot-go/nonroot/idmap"
	"github.com/nonroot-go/nonroot/userns"
	"github.com/nonroot-go/nonroot/userns/usernstest"
)

// A test that needs to be root, run as the namespace's root.
func ExampleRun() {
	// In a _test.go file, with func TestMain(m *testing.M) { usernstest.Main(m) }:
	_ = func(t *testing.T) {
		usernstest.Run(t, nil, func(t *testing.T) {
			if err := os.Chown(t.TempDir(), 0, 0); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// The namespace configured like any userns.Cmd: here 65536 IDs, which root
// writes directly and an ordinary user with 100000:65536 in /etc/subuid
// and /etc/subgid has newuidmap and newgidmap write.
func ExampleRun_maps() {
	_ = func(t *testing.T) {
		usernstest.Run(t, func(c *userns.Cmd) {
			c.UIDMap = idmap.MustNew(idmap.Range{ContainerID: 0, HostID: 100000, Size: 65536})
			c.GIDMap = c.UIDMap
		}, func(t *testing.T) {
			// chown to any of 0..65535 works here
		})
	}
}
