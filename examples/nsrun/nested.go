//go:build linux

package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/nonroot-go/nonroot/idmap"
	"github.com/nonroot-go/nonroot/userns"
)

// An ordinary user can have newuidmap write a map of its subordinate IDs,
// but a Go child executes before its map is written, and so keeps
// capabilities in the new namespace only if the caller's own uid becomes
// its uid 0 there (userns refuses other maps on that path). For a map
// such as 0:100000:65536, which leaves the caller's uid out, nsrun runs
// itself in a namespace of the caller's subordinate IDs first, and there,
// as root of that namespace, writes the map asked for, translated into
// that namespace's IDs. The command's IDs on the host are those asked
// for; its own /proc/self/uid_map shows them relative to the middle
// namespace.

// nestedEnv marks the nsrun that runs in the middle namespace.
const nestedEnv = "NSRUN_NESTED"

// mayNest reports whether the failed start of c, built from o, is the
// case nesting solves.
func mayNest(o *options, err error) bool {
	if os.Getenv(nestedEnv) != "" || len(o.uidmap) == 0 || !errors.Is(err, userns.ErrInvalid) {
		return false
	}
	u, g := uint32(os.Geteuid()), uint32(os.Getegid())
	_, uok := o.uidMap.ToContainer(u)
	_, gok := o.gidMap.ToContainer(g)
	return !uok || !gok
}

// startNested starts nsrun again, with the same arguments, in a
// namespace of the caller's subordinate IDs.
func startNested(args []string, stdout, stderr io.Writer) (*userns.Cmd, error) {
	c := userns.Command("/proc/self/exe", args...)
	c.SubIDs = true
	c.Env = append(os.Environ(), nestedEnv+"=1")
	c.Stdin, c.Stdout, c.Stderr = os.Stdin, stdout, stderr
	return c, c.Start()
}

// translate, in the middle namespace, turns the maps asked for (host IDs)
// into maps of this namespace's IDs.
func (o *options) translate(c *userns.Cmd) error {
	self := [2]func() (idmap.Map, error){idmap.SelfUIDMap, idmap.SelfGIDMap}
	for i, m := range []*idmap.Map{&c.UIDMap, &c.GIDMap} {
		mine, err := self[i]()
		if err != nil {
			return err
		}
		t, err := m.Compose(mine.Inverse())
		if err != nil {
			return fmt.Errorf("%s asks for host IDs outside your subordinate ranges (%s): %w",
				[2]string{"--uidmap", "--gidmap"}[i], strings.Join(strings.Split(strings.TrimSpace(mine.String()), "\n"), ", "), err)
		}
		*m = t
	}
	env := os.Environ()
	for i, kv := range env {
		if strings.HasPrefix(kv, nestedEnv+"=") {
			env = append(env[:i:i], env[i+1:]...)
			break
		}
	}
	c.Env = env
	return nil
}
