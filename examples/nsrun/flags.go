//go:build linux

package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/nonroot-go/nonroot/caps"
	"github.com/nonroot-go/nonroot/idmap"
	"github.com/nonroot-go/nonroot/limits"
	"github.com/nonroot-go/nonroot/userns"
)

// listFlag collects the values of a flag given several times.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// options are the parsed flags.
type options struct {
	uidmap, gidmap  listFlag
	mapRootUser     bool
	mapAuto         bool
	user            string
	capAdd, capDrop listFlag
	dockerCaps      bool
	noNewPrivileges bool
	ulimits         listFlag
	setgroups       bool
	command         []string
}

// build turns the options into a userns.Cmd, or says in one line what
// is wrong with them.
func (o *options) build() (*userns.Cmd, error) {
	if len(o.command) == 0 {
		return nil, errors.New("no command given (nsrun [flags] -- command [args...])")
	}
	c := userns.Command(o.command[0], o.command[1:]...)
	if err := o.maps(c); err != nil {
		return nil, err
	}
	if o.user != "" {
		uid, gid, err := parseUser(o.user)
		if err != nil {
			return nil, err
		}
		c.UID, c.GID = uid, gid
	}
	set, err := o.capSet()
	if err != nil {
		return nil, err
	}
	if set != nil {
		if c.UID == 0 {
			c.Caps = &userns.Capabilities{Bounding: *set, Effective: *set}
		} else {
			// Another uid keeps capabilities across execve only through the
			// ambient set (capabilities(7)).
			c.Caps = &userns.Capabilities{Bounding: *set, Effective: *set, Inheritable: *set, Ambient: *set}
		}
	}
	c.NoNewPrivs = o.noNewPrivileges
	if len(o.ulimits) > 0 {
		c.Rlimits = map[limits.Resource]limits.Rlimit{}
		for _, u := range o.ulimits {
			r, l, err := parseUlimit(u)
			if err != nil {
				return nil, err
			}
			c.Rlimits[r] = l
		}
	}
	c.Setgroups = o.setgroups
	return c, nil
}

func (o *options) maps(c *userns.Cmd) error {
	given := 0
	for _, b := range []bool{len(o.uidmap) > 0 || len(o.gidmap) > 0, o.mapRootUser, o.mapAuto} {
		if b {
			given++
		}
	}
	if given > 1 {
		return errors.New("--uidmap/--gidmap, --map-root-user and --map-auto exclude each other: give one")
	}
	switch {
	case o.mapAuto:
		c.SubIDs = true
	case len(o.uidmap) > 0:
		m, err := idmap.ParsePodman(hostForm(o.uidmap))
		if err != nil {
			return fmt.Errorf("--uidmap: %w", err)
		}
		c.UIDMap, c.GIDMap = m, m
		// As podman: without --gidmap, gids are mapped as uids are.
		if len(o.gidmap) > 0 {
			if c.GIDMap, err = idmap.ParsePodman(hostForm(o.gidmap)); err != nil {
				return fmt.Errorf("--gidmap: %w", err)
			}
		}
	case len(o.gidmap) > 0:
		return errors.New("--gidmap needs --uidmap")
	}
	return nil
}

// hostForm joins the values of --uidmap or --gidmap. Rootless podman
// reads "container:@host:size" as an ID of the host and the plain form as
// an ID of its own middle namespace; nsrun's host IDs are always the
// caller's, so the @ form means the same as the plain one.
func hostForm(values []string) string {
	return strings.ReplaceAll(strings.Join(values, ","), ":@", ":")
}

// capSet applies --cap-add and --cap-drop as docker does: ALL in
// --cap-add starts from every capability, ALL in --cap-drop from none,
// then the named drops and adds. Nil when no capability flag was given.
func (o *options) capSet() (*caps.Set, error) {
	if len(o.capAdd) == 0 && len(o.capDrop) == 0 && !o.dockerCaps {
		return nil, nil
	}
	base := caps.Supported()
	if o.dockerCaps {
		base = caps.DockerDefault
	}
	add, addAll, err := parseCaps("--cap-add", o.capAdd)
	if err != nil {
		return nil, err
	}
	drop, dropAll, err := parseCaps("--cap-drop", o.capDrop)
	if err != nil {
		return nil, err
	}
	if addAll {
		base = caps.Supported()
	}
	if dropAll {
		base = 0
	}
	set := base.Difference(drop).Union(add)
	return &set, nil
}

// parseCaps reads capability names in docker's form (NET_ADMIN), or any
// form caps.ParseValue takes, one or several separated by commas.
func parseCaps(flag string, values []string) (set caps.Set, all bool, err error) {
	for _, v := range values {
		for name := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(name), "ALL") {
				all = true
				continue
			}
			c, err := caps.ParseValue(name)
			if err != nil {
				return 0, false, fmt.Errorf("%s %q: %w", flag, name, err)
			}
			set = set.With(c)
		}
	}
	return set, all, nil
}

// parseUser reads -u uid[:gid], numeric as inside the namespace; the gid
// defaults to the uid, as there is no /etc/passwd of the namespace to
// look it up in.
func parseUser(s string) (uid, gid uint32, err error) {
	us, gs, hasGID := strings.Cut(s, ":")
	u, err := strconv.ParseUint(us, 10, 32)
	if err != nil {
		return 0, 0, fmt.Errorf("-u %q: the uid must be a number of the namespace (names are not looked up)", s)
	}
	g := u
	if hasGID {
		if g, err = strconv.ParseUint(gs, 10, 32); err != nil {
			return 0, 0, fmt.Errorf("-u %q: the gid must be a number of the namespace", s)
		}
	}
	return uint32(u), uint32(g), nil
}

// parseUlimit reads docker's --ulimit name=soft[:hard].
func parseUlimit(s string) (limits.Resource, limits.Rlimit, error) {
	name, value, ok := strings.Cut(s, "=")
	if !ok {
		return 0, limits.Rlimit{}, fmt.Errorf("--ulimit %q: want name=soft[:hard], as nproc=100:200", s)
	}
	r, err := limits.ParseResource(name)
	if err != nil {
		return 0, limits.Rlimit{}, fmt.Errorf("--ulimit %q: %w", s, err)
	}
	l, err := limits.ParseRlimit(value)
	if err != nil {
		return 0, limits.Rlimit{}, fmt.Errorf("--ulimit %q: %w", s, err)
	}
	return r, l, nil
}
