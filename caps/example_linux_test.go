//go:build linux

package caps_test

import (
	"fmt"

	"kernel.org/pub/linux/libs/security/libcap/cap"

	"github.com/nonroot-go/nonroot/caps"
)

// List the processes whose capabilities count in the caller's own user
// namespace and include CAP_SYS_ADMIN.
func ExampleAll() {
	for p, err := range caps.All() {
		if err != nil {
			continue // a process /proc would not show (hidepid)
		}
		if p.Effective.Has(cap.SYS_ADMIN) && p.Namespace.Relation == caps.Same {
			fmt.Println(p.Pid, p.Command, p.Uid.Effective)
		}
	}
}

// Drop a capability from the caller's effective and permitted sets with
// libcap, which applies it to every thread through psx.
func ExampleSets_Cap() {
	self, err := caps.Self()
	if err != nil {
		panic(err)
	}
	want := self.Sets
	want.Effective = want.Effective.Without(cap.SYS_ADMIN)
	want.Permitted = want.Permitted.Without(cap.SYS_ADMIN)
	c, err := want.Cap()
	if err != nil {
		panic(err)
	}
	if err := c.SetProc(); err != nil {
		fmt.Println("dropping:", err)
	}
}

// Give a binary the right to bind low ports, for the root of the user
// namespace whose uid 0 is host uid 100000 only.
func ExampleSetFile() {
	err := caps.SetFile("/usr/local/bin/server", caps.FileCaps{
		Permitted: caps.SetOf(cap.NET_BIND_SERVICE),
		Effective: true,
		Version:   3,
		RootUID:   100000,
	})
	if err != nil {
		fmt.Println(err)
	}
}
