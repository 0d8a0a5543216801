//go:build linux

package userns_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/nonroot-go/nonroot/caps"
	"github.com/nonroot-go/nonroot/idmap"
	"github.com/nonroot-go/nonroot/limits"
	"github.com/nonroot-go/nonroot/userns"
)

// The zero Cmd is unshare -r: the caller's uid and gid mapped to 0.
func ExampleCommand() {
	out, err := userns.Command("id", "-u").Output()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("inside: uid %s", out)
}

// A build sandbox: the caller's subordinate ranges, a non-root identity
// with one capability, no new privileges, no core dumps, and a deadline.
func ExampleCmd_sandbox() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c := userns.CommandContext(ctx, "make", "-C", "/src")
	c.SubIDs = true
	c.UID, c.GID = 1000, 1000
	bind := caps.SetOf(10) // CAP_NET_BIND_SERVICE
	c.Caps = &userns.Capabilities{Bounding: caps.DockerDefault, Effective: bind, Inheritable: bind, Ambient: bind}
	c.NoNewPrivs = true
	c.Rlimits = map[limits.Resource]limits.Rlimit{limits.CORE: {}}
	c.Stdout, c.Stderr = os.Stdout, os.Stderr
	if err := c.Run(); err != nil {
		switch {
		case errors.Is(err, userns.ErrNoSubIDs), errors.Is(err, userns.ErrNoHelper):
			fmt.Println("set up rootless IDs:", err)
		case errors.Is(err, userns.ErrDisabled):
			fmt.Println("user namespaces are off here:", err)
		default:
			fmt.Println(err)
		}
	}
}

// A map of many IDs: written directly by root, through newuidmap for
// anyone else.
func ExampleCmd_maps() {
	c := userns.Command("ls", "-ln", "/")
	c.UIDMap = idmap.MustNew(idmap.Range{ContainerID: 0, HostID: 100000, Size: 65536})
	c.GIDMap = c.UIDMap
	if err := c.Run(); err != nil {
		fmt.Println(err)
	}
}

// Start refuses what the kernel's rules at execve cannot give, before any
// process exists.
func ExampleCapabilities() {
	c := userns.Command("/bin/true")
	c.UID, c.GID = 0, 0
	c.Caps = &userns.Capabilities{Bounding: caps.DockerDefault, Effective: caps.SetOf(10)}
	err := c.Start()
	fmt.Println(errors.Is(err, userns.ErrInvalid))
	// Output: true
}

func ExampleInspect() {
	r, err := userns.Inspect(0)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("initial namespace: %v, uid map %q, depth %d\n", r.Initial, r.UIDMap, r.Depth)
}

func ExampleSupported() {
	if err := userns.Supported(); err != nil {
		fmt.Println("no user namespaces here:", err)
	}
}
