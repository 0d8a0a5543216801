//go:build linux

package userns

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/nonroot-go/nonroot/caps"
	"github.com/nonroot-go/nonroot/idmap"
)

// plan is what Start decided: the maps to write, who writes them, and
// the stage's work if any.
type plan struct {
	path      path
	uidMap    idmap.Map
	gidMap    idmap.Map
	setgroups bool
	cfg       stageConfig
	// runAsZero: the stage (pathStage) starts as 0:0 and switches to
	// UID:GID itself; otherwise Go's Credential puts it there, or, with
	// ambient, the stage does from the caller's own IDs.
	runAsZero bool
	// elf: the newuidmap path's stage is the ELF stage (elfstage_linux.go).
	elf bool
	// shell: the newuidmap path's stage is /bin/sh (see shellStage).
	shell bool
	// ambient: Go raises every capability into the stage's ambient set,
	// so that the newuidmap path's stage keeps them across its execve
	// before the maps exist.
	ambient bool
}

// plan validates c and picks how to start it. It touches no process.
func (c *Cmd) plan() (*plan, error) {
	invalid := func(format string, a ...any) error {
		return &Error{Op: "start", Kind: ErrInvalid, Err: fmt.Errorf(format, a...)}
	}
	if a := c.SysProcAttr; a != nil && (a.UidMappings != nil || a.GidMappings != nil || a.Credential != nil || a.AmbientCaps != nil) {
		return nil, invalid("SysProcAttr sets UidMappings, GidMappings, Credential or AmbientCaps: use Cmd's UIDMap, GIDMap, UID, GID, Groups and Caps")
	}
	if a := c.SysProcAttr; a != nil && a.Unshareflags&syscall.CLONE_NEWUSER != 0 {
		return nil, invalid("SysProcAttr.Unshareflags holds CLONE_NEWUSER: Start creates the user namespace")
	}
	p := &plan{uidMap: c.UIDMap, gidMap: c.GIDMap, setgroups: c.Setgroups}
	euid, egid := uint32(os.Geteuid()), uint32(os.Getegid())
	var err error
	if p.uidMap, p.gidMap, err = c.maps(); err != nil {
		return nil, err
	}
	if _, ok := p.uidMap.ToHost(c.UID); !ok {
		return nil, invalid("UID %d is not mapped by the uid map %q", c.UID, p.uidMap.String())
	}
	if _, ok := p.gidMap.ToHost(c.GID); !ok {
		return nil, invalid("GID %d is not mapped by the gid map %q", c.GID, p.gidMap.String())
	}
	if len(c.Groups) > 0 && !c.Setgroups {
		return nil, invalid("Groups need Setgroups: with setgroups denied the kernel refuses to set them")
	}
	for _, g := range c.Groups {
		if _, ok := p.gidMap.ToHost(g); !ok {
			return nil, invalid("group %d is not mapped by the gid map %q", g, p.gidMap.String())
		}
	}
	sc, err := c.stageCaps()
	if err != nil {
		return nil, err
	}
	p.cfg = stageConfig{
		UID: c.UID, GID: c.GID, SetGroups: c.Setgroups, Groups: c.Groups,
		Caps: sc, NoNewPrivs: c.NoNewPrivs, Pdeathsig: c.Pdeathsig,
	}
	if p.cfg.Pdeathsig == 0 && c.SysProcAttr != nil {
		// Go sets it at fork; a change of identity in the stage clears
		// it, so the stage sets it again, as for Cmd.Pdeathsig.
		p.cfg.Pdeathsig = c.SysProcAttr.Pdeathsig
	}
	for r, l := range c.Rlimits {
		if r < 0 || int(r) >= len(rlimitNames) {
			return nil, invalid("unknown rlimit resource %d", r)
		}
		if l.Soft > l.Hard {
			return nil, invalid("%s: soft limit %d above hard limit %d", rlimitName(int(r)), l.Soft, l.Hard)
		}
		p.cfg.Rlimits = append(p.cfg.Rlimits, stageRlimit{Resource: int(r), Soft: l.Soft, Hard: l.Hard})
	}
	slices.SortFunc(p.cfg.Rlimits, func(a, b stageRlimit) int { return a.Resource - b.Resource })
	stageWork := sc != nil || c.NoNewPrivs || len(p.cfg.Rlimits) > 0

	eff, err := effectiveCaps()
	if err != nil {
		return nil, &Error{Op: "start", Err: err}
	}
	own, err := ownMaps()
	if err != nil {
		return nil, &Error{Op: "start", Err: fmt.Errorf("reading the caller's own maps: %w", err)}
	}
	canSetID := eff&(1<<capSetuid) != 0 && eff&(1<<capSetgid) != 0
	single := p.uidMap.Len() == 1 && p.gidMap.Len() == 1 &&
		p.uidMap.Ranges()[0] == idmap.Range{ContainerID: p.uidMap.Ranges()[0].ContainerID, HostID: euid, Size: 1} &&
		p.gidMap.Ranges()[0] == idmap.Range{ContainerID: p.gidMap.Ranges()[0].ContainerID, HostID: egid, Size: 1}
	switch {
	case canSetID:
		// The kernel wants each extent inside one extent of the writer's
		// map; SplitParent cuts extents at the boundaries of adjacent ones.
		for i, m := range []*idmap.Map{&p.uidMap, &p.gidMap} {
			split, err := m.SplitParent(own[i])
			if err == nil {
				*m = split
				continue
			}
			file := [2]string{"uid_map", "gid_map"}[i]
			var re *idmap.RangeError
			if !errors.As(err, &re) || !errors.Is(err, idmap.ErrNotInParent) {
				return nil, &Error{Op: "start", Kind: ErrInvalid, Err: fmt.Errorf("%s split at the caller's own map: %w", file, err)}
			}
			r := re.Range
			return nil, &Error{
				Op:   "start",
				Kind: idmap.ErrNotInParent,
				Err:  fmt.Errorf("the %s extent %q needs host IDs %d-%d, which the caller's own namespace does not map (its %s is %s)", file, r.String(), r.HostID, uint64(r.HostID)+uint64(r.Size)-1, file, mapText(own[i])),
				Hint: "ask for IDs the caller's namespace maps, or start from a namespace that maps them",
			}
		}
		if _, ok := p.uidMap.ToContainer(0); ok && eff&(1<<capSetfcap) == 0 {
			return nil, &Error{Op: "start", Kind: ErrSetfcap, Hint: "map another host uid to 0, or run with CAP_SETFCAP"}
		}
	case single:
		if c.Setgroups {
			return nil, invalid("Setgroups: an unprivileged writer of the map must deny setgroups first (user_namespaces(7)); drop Setgroups or use a map written through newuidmap")
		}
	default:
		return p, c.planNewuidmap(p, sc != nil, euid, egid)
	}
	// Go writes the maps from the parent.
	if !stageWork {
		p.path = pathFast
		return p, nil
	}
	p.path = pathStage
	_, u0 := p.uidMap.ToHost(0)
	_, g0 := p.gidMap.ToHost(0)
	p.runAsZero = u0 && g0
	if !p.runAsZero && sc != nil {
		// No uid 0 to start as: the stage keeps the namespace's
		// capabilities across its execve in the ambient set instead, and
		// sets the identity itself.
		p.ambient, p.cfg.SetID = true, true
		return p, nil
	}
	p.cfg.SetID = p.runAsZero && (c.UID != 0 || c.GID != 0 || c.Setgroups)
	return p, nil
}

// maps returns the maps Start writes: UIDMap and GIDMap, the caller's
// subordinate ranges for SubIDs, or the caller's own IDs for zero Maps.
func (c *Cmd) maps() (uid, gid idmap.Map, err error) {
	if c.SubIDs {
		if !c.UIDMap.IsZero() || !c.GIDMap.IsZero() {
			return uid, gid, &Error{Op: "start", Kind: ErrInvalid, Err: errors.New("SubIDs together with UIDMap or GIDMap")}
		}
		who, err := cachedSubIDs()
		if err != nil {
			return uid, gid, err
		}
		if uid, err = subIDMap(true, who); err != nil {
			return uid, gid, err
		}
		gid, err = subIDMap(false, who)
		return uid, gid, err
	}
	uid, gid = c.UIDMap, c.GIDMap
	if uid.IsZero() {
		uid = idmap.MustNew(idmap.Range{HostID: uint32(os.Geteuid()), Size: 1})
	}
	if gid.IsZero() {
		gid = idmap.MustNew(idmap.Range{HostID: uint32(os.Getegid()), Size: 1})
	}
	return uid, gid, nil
}

// planNewuidmap fills p for the path through newuidmap. The stage
// executes before its maps exist, so that execve sees an unmapped uid and
// clears its capabilities. When the target is to run as what the
// caller's own IDs map to, with setgroups untouched and the default
// capabilities, that does not matter: the stage only waits and executes.
// Otherwise Go raises every capability into the stage's ambient set before
// that first execve (the new namespace gave it all of them), so the stage
// keeps them across it and can set any mapped identity and capability
// sets once the helpers are done, whether or not the map holds the
// caller's own IDs.
func (c *Cmd) planNewuidmap(p *plan, capsWork bool, euid, egid uint32) error {
	p.path = pathNewuidmap
	u0, uok := p.uidMap.ToContainer(euid)
	g0, gok := p.gidMap.ToContainer(egid)
	p.cfg.Wait = true
	natural := uok && gok && u0 == c.UID && g0 == c.GID && !c.Setgroups
	// The stage execs before the maps exist, as an unmapped uid, and so
	// without capabilities; the target's execve as the namespace's root
	// then gains them all, and the kernel takes that for a privilege
	// gain: it clears the parent-death signal, and no_new_privs keeps
	// the capabilities away. So whatever needs the stage to hold
	// capabilities, or to keep a parent-death signal, takes the ambient
	// way, where the stage carries them across its own execve.
	chroot := c.SysProcAttr != nil && c.SysProcAttr.Chroot != ""
	p.ambient = !natural || capsWork || p.cfg.Pdeathsig != 0 || c.NoNewPrivs || chroot
	p.cfg.SetID = !natural
	if p.ambient && p.cfg.Caps == nil {
		// Clear what Go's AmbientCaps left: the inheritable and ambient
		// sets a new namespace's root starts without.
		p.cfg.Caps = &stageCaps{Bounding: uint64(allCaps()), LastCap: lastCap()}
	}
	// Refuse before a child exists: what newuidmap would refuse, said
	// with the user, the file and the range.
	if err := helpers(); err != nil {
		return err
	}
	// newuidmap and newgidmap, like os/exec, write the final newline too,
	// so the kernel's one write must hold it (idmap.MaxText).
	for _, m := range []idmap.Map{p.uidMap, p.gidMap} {
		if n := len(m.String()); n >= idmap.MaxText {
			return &Error{Op: "start", Kind: ErrInvalid, Err: fmt.Errorf("a map of %d bytes of text with its final newline, which newuidmap writes, does not fit the kernel's one write of under %d bytes: %w", n, idmap.MaxText, idmap.ErrTooLong)}
		}
	}
	// The ELF and shell stages can only wait and exec. The ELF stage
	// passes argv and the environment through untouched; an absolute path
	// keeps it from resolving a relative one, or one under /proc/self,
	// against itself. Its descriptors must stay below the memfd's.
	waitOnly := !p.ambient && !p.cfg.SetID && p.cfg.Caps == nil && !p.cfg.NoNewPrivs &&
		len(p.cfg.Rlimits) == 0 && (c.SysProcAttr == nil || c.SysProcAttr.Chroot == "")
	if waitOnly && strings.HasPrefix(c.Path, "/") && !selfRelative(filepath.Clean(c.Path)) &&
		3+len(c.ExtraFiles)+2 <= elfStageFloor && !forceShellStage.Load() {
		_, err := elfStage()
		p.elf = err == nil
	}
	// The shell stage: argv[0] must be the path.
	p.shell = !p.elf && !p.ambient && !p.cfg.SetID && p.cfg.Caps == nil && !p.cfg.NoNewPrivs && execsAsIs(c.Path, c.Dir) &&
		len(p.cfg.Rlimits) == 0 && len(c.Args) > 0 && c.Args[0] == c.Path &&
		strings.Contains(c.Path, "/") && !selfRelative(c.Path) && c.Path[0] != '-' && !strings.Contains(c.Path, "=") &&
		len(c.ExtraFiles) <= 5 && (c.SysProcAttr == nil || c.SysProcAttr.Chroot == "") &&
		haveShell() && shellSafe(c.Environ())
	if c.SubIDs {
		return nil // the maps were made from the same files
	}
	who, err := cachedSubIDs()
	if err != nil {
		return err
	}
	if err := checkSubIDs(p.uidMap, true, who); err != nil {
		return err
	}
	return checkSubIDs(p.gidMap, false, who)
}

// stageCaps checks c.Caps against the kernel's rules at execve and returns
// what the stage must do, or nil when the kernel's default is asked for.
func (c *Cmd) stageCaps() (*stageCaps, error) {
	k := c.Caps
	if k == nil {
		return nil, nil
	}
	invalid := func(format string, a ...any) error {
		return &Error{Op: "start", Kind: ErrInvalid, Err: fmt.Errorf("Caps: "+format, a...)}
	}
	all := allCaps()
	for _, s := range []struct {
		name string
		set  caps.Set
	}{{"Bounding", k.Bounding}, {"Effective", k.Effective}, {"Inheritable", k.Inheritable}, {"Ambient", k.Ambient}} {
		if s.set&^all != 0 {
			return nil, invalid("%s holds capabilities above cap_last_cap %d: %#x", s.name, lastCap(), uint64(s.set&^all))
		}
	}
	switch {
	case k.Effective&^k.Bounding != 0:
		return nil, invalid("Effective %#x outside Bounding %#x", uint64(k.Effective), uint64(k.Bounding))
	case k.Inheritable&^k.Bounding != 0:
		return nil, invalid("Inheritable %#x outside Bounding %#x", uint64(k.Inheritable), uint64(k.Bounding))
	case k.Ambient&^(k.Effective&k.Inheritable) != 0:
		return nil, invalid("Ambient %#x must lie inside both Effective and Inheritable", uint64(k.Ambient))
	}
	sc := &stageCaps{Bounding: uint64(k.Bounding), Inheritable: uint64(k.Inheritable), Ambient: uint64(k.Ambient), LastCap: lastCap()}
	if c.UID == 0 && k.Effective == k.Bounding {
		// Root's ordinary state: execve gives it the bounding set.
		if k.Bounding == all && k.Inheritable == 0 && k.Ambient == 0 {
			return nil, nil
		}
		return sc, nil
	}
	if k.Effective != k.Ambient {
		if c.UID == 0 {
			return nil, invalid("for UID 0 with Effective %#x other than Bounding %#x, the permitted set comes only from the ambient set: set Ambient (and Inheritable) to Effective", uint64(k.Effective), uint64(k.Bounding))
		}
		return nil, invalid("a non-zero UID gets permitted and effective capabilities only through the ambient set: set Ambient (and Inheritable) to Effective %#x", uint64(k.Effective))
	}
	if c.UID == 0 {
		sc.NoRoot = true
	} else if k.Bounding == all && k.Inheritable == 0 && k.Ambient == 0 {
		return nil, nil // what setresuid away from 0 gives anyway
	}
	return sc, nil
}

// explain turns the errno of a failed start into a sentinel and a remedy.
func explain(errno syscall.Errno) (hint string, kind error) {
	switch errno {
	case syscall.ENOSPC:
		max := readSysctl("user/max_user_namespaces")
		if max == "0" {
			return "sysctl user.max_user_namespaces is 0: sysctl -w user.max_user_namespaces=15000", ErrDisabled
		}
		if initial, err := isInitial(); err == nil && !initial {
			return "the caller is itself in a user namespace and the kernel allows 33 levels below the initial one; otherwise user.max_user_namespaces=" + max + " namespaces exist", ErrNestingLimit
		}
		return "user.max_user_namespaces=" + max + " namespaces exist already: raise it with sysctl -w user.max_user_namespaces=N", nil
	case syscall.EPERM, syscall.EACCES:
		if readSysctl("kernel/apparmor_restrict_unprivileged_userns") == "1" {
			return "Ubuntu's kernel.apparmor_restrict_unprivileged_userns is 1: sysctl -w kernel.apparmor_restrict_unprivileged_userns=0, or give the program an AppArmor profile with the userns permission", ErrDisabled
		}
		if readSysctl("kernel/unprivileged_userns_clone") == "0" {
			return "kernel.unprivileged_userns_clone is 0: sysctl -w kernel.unprivileged_userns_clone=1", ErrDisabled
		}
		if readSysctl("user/max_user_namespaces") == "0" {
			return "sysctl user.max_user_namespaces is 0: sysctl -w user.max_user_namespaces=15000", ErrDisabled
		}
	case syscall.EINVAL:
		if _, err := os.Stat("/proc/self/ns/user"); errors.Is(err, os.ErrNotExist) {
			return "the kernel was built without CONFIG_USER_NS", ErrNotSupported
		}
	}
	return "", nil
}

func readSysctl(name string) string {
	b, err := os.ReadFile("/proc/sys/" + name)
	if err != nil {
		return ""
	}
	return string(trimSpace(b))
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == ' ') {
		b = b[:len(b)-1]
	}
	return b
}

// mapText shows a map on one line, extents separated by commas.
func mapText(m idmap.Map) string {
	return `"` + strings.ReplaceAll(strings.TrimSuffix(m.String(), "\n"), "\n", ", ") + `"`
}

// selfRelative reports whether path names something of the process that
// executes it (/proc/self/exe above all), which the shell stage would
// resolve to itself.
func selfRelative(path string) bool {
	for _, p := range []string{"/proc/self/", "/proc/thread-self/", "/dev/fd/", "/dev/std"} {
		if strings.HasPrefix(path, p) {
			return true
		}
	}
	return path == "/proc/self" || path == "/proc/thread-self"
}

// execsAsIs reports whether execve would run path itself, as far as its
// first bytes tell: an ELF image or a "#!" script. The shell stage ends
// in env(1), whose execvp runs any other file that execve refuses with
// ENOEXEC (an empty one too) as a /bin/sh script, where os/exec and the
// other stages report "exec format error"; such a file goes to the Go
// stage. A file this process cannot open or read (missing, execute-only),
// or one execve refuses with EACCES (not a regular file, no execute
// bit), is left to the stage's own checks: no fallback follows those.
func execsAsIs(path, dir string) bool {
	if !filepath.IsAbs(path) && dir != "" {
		path = filepath.Join(dir, path) // as the child, in Dir, sees it
	}
	f, err := os.Open(path)
	if err != nil {
		return true
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() || fi.Mode()&0o111 == 0 {
		return true // execve refuses it with EACCES before any fallback
	}
	var b [4]byte
	n, err := io.ReadFull(f, b[:])
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return true
	}
	return n >= 2 && string(b[:2]) == "#!" || n == 4 && string(b[:]) == "\x7fELF"
}
