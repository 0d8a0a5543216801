//go:build linux

package userns_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/nonroot-go/nonroot/idmap"
	"github.com/nonroot-go/nonroot/internal/testenv"
	"github.com/nonroot-go/nonroot/userns"
)

// IDMappedMountDisk is the feature of making an ID-mapped mount of a
// directory on the host's own disk file system, which takes CAP_SYS_ADMIN
// in the initial user namespace. The plain testenv.IDMappedMount is met by
// a tmpfs mounted in a namespace of the test's own.
const IDMappedMountDisk = "idmapped-mount-disk"

// The mount helpers are dispatched from init, not through TestMain, so
// that this file does not claim the package's one TestMain.
func init() {
	if _, stage := os.LookupEnv("NONROOT_USERNS_STAGE"); stage {
		return // a userns.Cmd stage; the helper runs after its exec
	}
	var fn func([]string) int
	switch os.Getenv(testenv.HelperEnv) {
	case "idmount-node":
		fn = idmountNode
	case "idmount-container":
		fn = idmountContainer
	case "shift-mounts":
		fn = shiftMounts
	case "idmount-errors":
		fn = idmountErrors
	case "idmount-nested":
		fn = idmountNested
	case "shift-scenario":
		fn = shiftScenarioHelper
	case "shift-uid":
		fn = shiftUID
	case "shift-seccomp":
		fn = shiftSeccomp
	default:
		return
	}
	os.Exit(fn(os.Args[1:]))
}

// nodeConfig tells the node helper what to build. The node stands for a
// machine's own root: a child in a mount namespace of its own (and a user
// namespace of its own when the test has no CAP_SYS_ADMIN).
type nodeConfig struct {
	Dir   string // an empty directory on the host disk
	Tmpfs bool   // build the volume on a tmpfs mounted in Dir instead
	// The volume's files are owned by Old..Old+N-1 on disk; the container
	// runs as New..New+N-1. With N == 1 (one ID to play with), Old and
	// New are both 0 and the story shrinks to an identity map.
	Old, New, N uint32
}

// dirResult is what the container saw in one directory.
type dirResult struct {
	UID    uint32 // owner of "file" as the container sees it
	Write  string // errno of opening "file" for writing, "" for success
	Create string // errno of creating a file
}

type nodeReport struct {
	Skip      string // why the node could not make the mount at all
	Feature   string // the feature Skip is about
	MountErr  string // other MountIDMapped error
	Children  int    // child processes left after MountIDMapped
	SeenOwner uint32 // owner of dst/file as the node sees it
	Mapped    dirResult
	Plain     dirResult
	DiskOwner uint32 // on-disk owner of the file the container made through the mount
	NodeMake  string // errno of the node creating a file through the mount
	ReadOnly  string // errno of the container creating a file in a read-only ID-mapped mount
	ByNS      uint32 // owner of file through a mount taking the maps of a running process's namespace
	RecOwner  uint32 // owner of sub/file, on a submount of the source, through a recursive mount
	NonRec    string // error of reaching sub/file through the non-recursive mount
	Proc      string // error of ID-mapping /proc
	ProcIs    bool   // it answers ErrIDMapUnsupported
	Overlay   string // error of ID-mapping an overlay, or "no overlay: ..."
	OverlayIs bool
}

func errno(err error) string {
	if err == nil {
		return ""
	}
	var en syscall.Errno
	if errors.As(err, &en) {
		return unix.ErrnoName(en)
	}
	return err.Error()
}

func idmountNode(args []string) int {
	var cfg nodeConfig
	if err := json.Unmarshal([]byte(args[0]), &cfg); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	rep, err := runNode(&cfg)
	cleanNode(&cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	json.NewEncoder(os.Stdout).Encode(rep)
	return 0
}

// cleanNode undoes the node's mounts and removes what it made: files of
// IDs the test outside may not own, which it could not remove itself.
func cleanNode(cfg *nodeConfig) {
	base := cfg.Dir
	if cfg.Tmpfs {
		base = filepath.Join(cfg.Dir, "tmpfs")
	}
	for _, m := range []string{"dst", "ro", "byns", "ovl", "rec", "src/sub"} {
		unix.Unmount(filepath.Join(base, m), unix.MNT_DETACH)
	}
	if cfg.Tmpfs {
		unix.Unmount(base, unix.MNT_DETACH)
	}
	entries, _ := os.ReadDir(cfg.Dir)
	for _, e := range entries {
		os.RemoveAll(filepath.Join(cfg.Dir, e.Name()))
	}
}

func runNode(cfg *nodeConfig) (*nodeReport, error) {
	rep := &nodeReport{}
	if err := privateRoot(); err != nil {
		return nil, err
	}
	base := cfg.Dir
	if cfg.Tmpfs {
		base = filepath.Join(cfg.Dir, "tmpfs")
		if err := os.Mkdir(base, 0o755); err != nil {
			return nil, err
		}
		if err := unix.Mount("tmpfs", base, "tmpfs", 0, "mode=0755"); err != nil {
			return nil, fmt.Errorf("mounting a tmpfs: %w", err)
		}
	}
	src, dst, ro, byNS := filepath.Join(base, "src"), filepath.Join(base, "dst"), filepath.Join(base, "ro"), filepath.Join(base, "byns")
	for _, d := range []string{src, dst, ro, byNS} {
		if err := os.Mkdir(d, 0o755); err != nil {
			return nil, err
		}
	}
	if err := os.WriteFile(filepath.Join(src, "file"), []byte("data\n"), 0o644); err != nil {
		return nil, err
	}
	for _, p := range []string{src, filepath.Join(src, "file")} {
		if err := os.Lchown(p, int(cfg.Old), int(cfg.Old)); err != nil {
			return nil, fmt.Errorf("giving the volume to its old owner: %w", err)
		}
	}
	// A submount of the source, for MountOptions.Recursive.
	sub := filepath.Join(src, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		return nil, err
	}
	if err := unix.Mount("tmpfs", sub, "tmpfs", 0, "mode=0755"); err != nil {
		return nil, fmt.Errorf("mounting a tmpfs below the source: %w", err)
	}
	if err := os.WriteFile(filepath.Join(sub, "file"), nil, 0o644); err != nil {
		return nil, err
	}
	if err := os.Lchown(filepath.Join(sub, "file"), int(cfg.Old), int(cfg.Old)); err != nil {
		return nil, err
	}
	m := idmap.MustNew(idmap.Range{ContainerID: cfg.Old, HostID: cfg.New, Size: cfg.N})
	if err := userns.MountIDMapped(src, dst, m, m, nil); err != nil {
		feature := testenv.IDMappedMount
		if !cfg.Tmpfs {
			feature = IDMappedMountDisk
		}
		if errors.Is(err, os.ErrPermission) || errors.Is(err, userns.ErrIDMapUnsupported) {
			rep.Skip, rep.Feature = err.Error(), feature
			return rep, nil
		}
		rep.MountErr = err.Error()
		return rep, nil
	}
	rep.Children = countChildren()
	if err := userns.MountIDMapped(src, ro, m, m, &userns.MountOptions{ReadOnly: true}); err != nil {
		return nil, err
	}
	var st unix.Stat_t
	if err := unix.Lstat(filepath.Join(dst, "file"), &st); err != nil {
		return nil, err
	}
	rep.SeenOwner = st.Uid

	// MountOptions.UserNS: the maps of a process already running, as a
	// runtime would pass its container's /proc/PID/ns/user.
	sleeper := exec.Command("/bin/sleep", "60")
	sleeper.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags:  syscall.CLONE_NEWUSER,
		UidMappings: []syscall.SysProcIDMap{{ContainerID: int(cfg.Old), HostID: int(cfg.New), Size: int(cfg.N)}},
		GidMappings: []syscall.SysProcIDMap{{ContainerID: int(cfg.Old), HostID: int(cfg.New), Size: int(cfg.N)}},
	}
	if err := sleeper.Start(); err != nil {
		return nil, err
	}
	ns, err := os.Open(fmt.Sprintf("/proc/%d/ns/user", sleeper.Process.Pid))
	sleeper.Process.Kill()
	sleeper.Wait()
	if err != nil {
		return nil, err
	}
	err = userns.MountIDMapped(src, byNS, idmap.Map{}, idmap.Map{}, &userns.MountOptions{UserNS: ns})
	ns.Close()
	if err != nil {
		return nil, err
	}
	if err := unix.Lstat(filepath.Join(byNS, "file"), &st); err != nil {
		return nil, err
	}
	rep.ByNS = st.Uid

	rec := filepath.Join(base, "rec")
	if err := os.Mkdir(rec, 0o755); err != nil {
		return nil, err
	}
	if err := userns.MountIDMapped(src, rec, m, m, &userns.MountOptions{Recursive: true}); err != nil {
		return nil, err
	}
	if err := unix.Lstat(filepath.Join(rec, "sub", "file"), &st); err != nil {
		return nil, err
	}
	rep.RecOwner = st.Uid
	rep.NonRec = errno(unix.Lstat(filepath.Join(dst, "sub", "file"), &st))

	// The container: root inside, New..New+N-1 outside, in this mount
	// namespace.
	cmd := testenv.Command("idmount-container", dst, src, ro)
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags:  syscall.CLONE_NEWUSER,
		UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: int(cfg.New), Size: int(cfg.N)}},
		GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: int(cfg.New), Size: int(cfg.N)}},
		Credential:  &syscall.Credential{Uid: 0, Gid: 0},
	}
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("container: %w", err)
	}
	var seen []dirResult
	if err := json.Unmarshal(out, &seen); err != nil || len(seen) != 3 {
		return nil, fmt.Errorf("container said %q: %v", out, err)
	}
	rep.Mapped, rep.Plain, rep.ReadOnly = seen[0], seen[1], seen[2].Create
	if err := unix.Lstat(filepath.Join(src, "made-in-container-0"), &st); err == nil {
		rep.DiskOwner = st.Uid
	}
	f, err := os.Create(filepath.Join(dst, "made-by-node"))
	if err == nil {
		f.Close()
	}
	rep.NodeMake = errno(err)

	err = userns.MountIDMapped("/proc", dst, m, m, nil)
	rep.Proc, rep.ProcIs = fmt.Sprint(err), errors.Is(err, userns.ErrIDMapUnsupported) && errors.Is(err, unix.EINVAL)
	rep.Overlay = "no overlay"
	lower, upper, work, ovl := filepath.Join(base, "lower"), filepath.Join(base, "upper"), filepath.Join(base, "work"), filepath.Join(base, "ovl")
	for _, d := range []string{lower, upper, work, ovl} {
		os.Mkdir(d, 0o755)
	}
	if err := unix.Mount("overlay", ovl, "overlay", 0, "lowerdir="+lower+",upperdir="+upper+",workdir="+work); err != nil {
		rep.Overlay += ": " + err.Error()
	} else {
		err = userns.MountIDMapped(ovl, dst, m, m, nil)
		rep.Overlay, rep.OverlayIs = fmt.Sprint(err), errors.Is(err, userns.ErrIDMapUnsupported) && errors.Is(err, unix.EINVAL)
	}
	return rep, nil
}

// privateRoot keeps what a helper mounts from propagating back to the
// test's mount namespace.
func privateRoot() error {
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("making / private: %w", err)
	}
	return nil
}

// countChildren counts this process's live children, across its threads.
func countChildren() int {
	n := 0
	tasks, _ := filepath.Glob("/proc/self/task/*/children")
	for _, t := range tasks {
		b, _ := os.ReadFile(t)
		n += len(strings.Fields(string(b)))
	}
	return n
}

// idmountContainer tries, as root of its namespace, to use "file" and to
// create a file in each directory given.
func idmountContainer(dirs []string) int {
	var out []dirResult
	for i, d := range dirs {
		var r dirResult
		var st unix.Stat_t
		if err := unix.Lstat(filepath.Join(d, "file"), &st); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		r.UID = st.Uid
		f, err := os.OpenFile(filepath.Join(d, "file"), os.O_WRONLY|os.O_APPEND, 0)
		if err == nil {
			_, err = f.WriteString("more\n")
			f.Close()
		}
		r.Write = errno(err)
		f, err = os.Create(filepath.Join(d, fmt.Sprintf("made-in-container-%d", i)))
		if err == nil {
			f.Close()
		}
		r.Create = errno(err)
		out = append(out, r)
	}
	json.NewEncoder(os.Stdout).Encode(out)
	return 0
}

// runNodeHelper starts the node helper in a new mount namespace, adding a
// user namespace when the test itself may not make one.
func runNodeHelper(t *testing.T, cfg nodeConfig, subIDs bool) *nodeReport {
	t.Helper()
	b, _ := json.Marshal(cfg)
	if subIDs {
		// An ordinary user's node: root of a namespace holding its
		// own uid and its /etc/subuid range, started by userns.Cmd
		// through newuidmap.
		c := &userns.Cmd{Cmd: testenv.Command("idmount-node", string(b)), SubIDs: true}
		c.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNS}
		var stderr strings.Builder
		c.Stderr = &stderr
		out, err := c.Output()
		if err != nil {
			t.Fatalf("node helper through userns.Cmd with SubIDs: %v: %s", err, stderr.String())
		}
		var rep nodeReport
		if err := json.Unmarshal(out, &rep); err != nil {
			t.Fatalf("node said %q: %v", out, err)
		}
		return &rep
	}
	var lastErr error
	for _, sys := range []*syscall.SysProcAttr{
		{Cloneflags: syscall.CLONE_NEWNS},
		{
			Cloneflags:  syscall.CLONE_NEWNS | syscall.CLONE_NEWUSER,
			UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}},
			GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}},
			Credential:  &syscall.Credential{Uid: 0, Gid: 0},
		},
	} {
		if sys.Cloneflags&syscall.CLONE_NEWUSER != 0 && cfg.N > 1 {
			break // a namespace of our own maps one ID
		}
		cmd := testenv.Command("idmount-node", string(b))
		cmd.SysProcAttr = sys
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			lastErr = fmt.Errorf("%v: %s", err, stderr.String())
			if errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.EINVAL) {
				continue // the clone itself was refused
			}
			t.Fatalf("node helper: %v", lastErr)
		}
		var rep nodeReport
		if err := json.Unmarshal(out, &rep); err != nil {
			t.Fatalf("node said %q: %v", out, err)
		}
		return &rep
	}
	testenv.Require(t, testenv.IDMappedMount, fmt.Errorf("no mount namespace for the test (needs CAP_SYS_ADMIN, or user namespaces): %v", lastErr))
	return nil
}

// sharedDir makes a directory on the host disk that a container's root,
// a stranger to the host, may enter: t.TempDir's parent is 0700.
func sharedDir(t *testing.T) string {
	d, err := os.MkdirTemp("", "idmount")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	if err := os.Chmod(d, 0o755); err != nil {
		t.Fatal(err)
	}
	return d
}

// TestIDMappedMountSharedVolume is the shared-volume story: a volume whose
// files belong to the host IDs a container had before (Old) is handed to
// a container that now runs as New, by an ID-mapped mount instead of a
// chown. Root in the container owns and writes the files through the
// mount; through a plain path to the same directory it does not.
func TestIDMappedMountSharedVolume(t *testing.T) {
	cfg := nodeConfig{N: 1}
	multi := testenv.ProbeMultiMap()
	subIDs := false
	if multi != nil && testenv.ProbeUserNS() == nil && testenv.ProbeNewuidmap(65536) == nil && !userns.RunningInUserNS() {
		// IDs of the node's namespace: 0 is the caller, 1-65536 its
		// subordinate range.
		cfg, subIDs = nodeConfig{Old: 1000, New: 20000, N: 10000}, true
	} else if multi == nil {
		// Real host ranges from the allocator, as a node agent would
		// get them.
		a := &idmap.Allocator{Path: filepath.Join(t.TempDir(), "ids"), Pool: []idmap.Block{{Start: 100000, Size: 1 << 20}}}
		old, err1 := a.Allocate("old", 0)
		cur, err2 := a.Allocate("new", 0)
		if err := errors.Join(err1, err2); err != nil {
			t.Fatal(err)
		}
		cfg = nodeConfig{Old: old.Start, New: cur.Start, N: old.Size}
	}
	for _, fs := range []string{"disk", "tmpfs"} {
		t.Run(fs, func(t *testing.T) {
			cfg := cfg
			cfg.Dir, cfg.Tmpfs = sharedDir(t), fs == "tmpfs"
			rep := runNodeHelper(t, cfg, subIDs)
			if rep.Skip != "" {
				testenv.Require(t, rep.Feature, errors.New(rep.Skip))
			}
			if rep.MountErr != "" {
				t.Fatalf("MountIDMapped: %s", rep.MountErr)
			}
			t.Logf("%+v", rep)
			if rep.Children != 0 {
				t.Errorf("%d child processes left after MountIDMapped; the holder must be reaped", rep.Children)
			}
			if rep.SeenOwner != cfg.New {
				t.Errorf("through the mount the node sees owner %d, want %d", rep.SeenOwner, cfg.New)
			}
			if rep.Mapped.UID != 0 || rep.Mapped.Write != "" || rep.Mapped.Create != "" {
				t.Errorf("through the mount the container's root sees owner %d, writes: %q, creates: %q; want 0 and success",
					rep.Mapped.UID, rep.Mapped.Write, rep.Mapped.Create)
			}
			if rep.DiskOwner != cfg.Old {
				t.Errorf("file created through the mount is owned by %d on disk, want %d", rep.DiskOwner, cfg.Old)
			}
			if rep.ByNS != cfg.New {
				t.Errorf("through a mount with MountOptions.UserNS the node sees owner %d, want %d", rep.ByNS, cfg.New)
			}
			if rep.RecOwner != cfg.New || rep.NonRec != "ENOENT" {
				t.Errorf("a submount's file through the recursive mount is owned by %d (want %d); through the plain one: %q (want ENOENT)",
					rep.RecOwner, cfg.New, rep.NonRec)
			}
			if rep.ReadOnly != "EROFS" {
				t.Errorf("creating in the read-only mount: %q, want EROFS", rep.ReadOnly)
			}
			if !rep.ProcIs {
				t.Errorf("ID-mapping /proc: %s; want ErrIDMapUnsupported and EINVAL", rep.Proc)
			}
			if strings.HasPrefix(rep.Overlay, "no overlay") {
				t.Logf("overlay check skipped: %s", rep.Overlay)
			} else if !rep.OverlayIs || !strings.Contains(rep.Overlay, "overlay") {
				t.Errorf("ID-mapping an overlay: %s; want ErrIDMapUnsupported, EINVAL and a hint about overlays", rep.Overlay)
			}
			if cfg.N == 1 {
				testenv.Require(t, testenv.MultiMap, fmt.Errorf("the rest of the story needs two ranges of IDs (root, or newuidmap with /etc/subuid): %w", multi))
			}
			// Without the mapping the files belong to a stranger.
			if rep.Plain.UID != 65534 || rep.Plain.Write != "EACCES" || rep.Plain.Create != "EACCES" {
				t.Errorf("without the mapping the container's root sees owner %d, writes: %q, creates: %q; want 65534 and EACCES",
					rep.Plain.UID, rep.Plain.Write, rep.Plain.Create)
			}
			// Host root is outside the map: it has no on-disk owner.
			if rep.NodeMake != "EOVERFLOW" {
				t.Errorf("host root creating a file through the mount: %q, want EOVERFLOW", rep.NodeMake)
			}
		})
	}
}

// TestOpenIDMappedPermission checks the refusal for a caller without
// CAP_SYS_ADMIN over the disk file system, or the mapping itself for one
// with it. OpenIDMapped attaches nothing, so it is safe to call from the
// test process.
func TestOpenIDMappedPermission(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "file"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	host := uint32(os.Getuid())
	// Without CAP_SETUID the only map is one of the caller's own uid.
	m := idmap.MustNew(idmap.Range{ContainerID: host, HostID: host, Size: 1})
	if testenv.ProbeMultiMap() == nil {
		m = idmap.MustNew(idmap.Range{ContainerID: host, HostID: 100000, Size: 1})
	}
	f, err := userns.OpenIDMapped(dir, m, m, nil)
	if err != nil {
		var ue *userns.Error
		if !errors.As(err, &ue) || !errors.Is(err, os.ErrPermission) || !strings.Contains(err.Error(), "CAP_SYS_ADMIN") {
			t.Fatalf("OpenIDMapped: %v; want a *userns.Error answering os.ErrPermission and naming CAP_SYS_ADMIN", err)
		}
		t.Logf("refused as expected: %v", err)
		return
	}
	defer f.Close()
	var st unix.Stat_t
	if err := unix.Fstatat(int(f.Fd()), "file", &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		t.Fatal(err)
	}
	want, _ := m.ToHost(host)
	if st.Uid != want {
		t.Fatalf("through the detached mount the file's owner is %d, want %d", st.Uid, want)
	}
}

// A caller without CAP_SYS_ADMIN hears about that privilege first, even
// with maps it could not write either (a container's 0 100000 65536).
func TestOpenIDMappedPermissionBeforeMaps(t *testing.T) {
	m := idmap.MustNew(idmap.Range{ContainerID: 0, HostID: 100000, Size: 65536})
	f, err := userns.OpenIDMapped(t.TempDir(), m, m, nil)
	if err == nil {
		// Root may: the clone shows the directory's owner (the caller,
		// uid 0 on disk) as the map's 100000.
		defer f.Close()
		var st unix.Stat_t
		if err := unix.Fstat(int(f.Fd()), &st); err != nil || st.Uid != 100000 {
			t.Fatalf("the clone's root is owned by %d (%v), want 100000", st.Uid, err)
		}
		return
	}
	if !errors.Is(err, os.ErrPermission) || !strings.Contains(err.Error(), "CAP_SYS_ADMIN") {
		t.Fatalf("OpenIDMapped without the privilege: %v; want os.ErrPermission naming CAP_SYS_ADMIN", err)
	}
}

func TestOpenIDMappedInvalid(t *testing.T) {
	m := idmap.MustNew(idmap.Range{ContainerID: 0, HostID: 100000, Size: 1})
	if _, err := userns.OpenIDMapped(t.TempDir(), idmap.Map{}, m, nil); !errors.Is(err, userns.ErrInvalid) {
		t.Fatalf("no uid map: %v", err)
	}
	ns, err := os.Open("/proc/self/ns/user")
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Close()
	if _, err := userns.OpenIDMapped(t.TempDir(), m, m, &userns.MountOptions{UserNS: ns}); !errors.Is(err, userns.ErrInvalid) {
		t.Fatalf("maps with UserNS: %v", err)
	}
}

// BenchmarkOpenIDMapped measures an ID-mapped clone of a directory, with
// a holder process per call and with a namespace given by the caller.
// OpenIDMapped attaches nothing, so it runs in the test process.
func BenchmarkOpenIDMapped(b *testing.B) {
	dir := b.TempDir()
	host := uint32(os.Getuid())
	m := idmap.MustNew(idmap.Range{ContainerID: host, HostID: host, Size: 1})
	f, err := userns.OpenIDMapped(dir, m, m, nil)
	if err == nil {
		f.Close()
	}
	testenv.Require(b, IDMappedMountDisk, err)
	b.Run("holder", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			f, err := userns.OpenIDMapped(dir, m, m, nil)
			if err != nil {
				b.Fatal(err)
			}
			f.Close()
		}
	})
	b.Run("userns-fd", func(b *testing.B) {
		sleeper := exec.Command("/bin/sleep", "60")
		sleeper.SysProcAttr = &syscall.SysProcAttr{
			Cloneflags:  syscall.CLONE_NEWUSER,
			UidMappings: []syscall.SysProcIDMap{{ContainerID: int(host), HostID: int(host), Size: 1}},
			GidMappings: []syscall.SysProcIDMap{{ContainerID: int(host), HostID: int(host), Size: 1}},
		}
		if err := sleeper.Start(); err != nil {
			b.Fatal(err)
		}
		ns, err := os.Open(fmt.Sprintf("/proc/%d/ns/user", sleeper.Process.Pid))
		sleeper.Process.Kill()
		sleeper.Wait()
		if err != nil {
			b.Fatal(err)
		}
		defer ns.Close()
		opts := &userns.MountOptions{UserNS: ns}
		b.ReportAllocs()
		for b.Loop() {
			f, err := userns.OpenIDMapped(dir, idmap.Map{}, idmap.Map{}, opts)
			if err != nil {
				b.Fatal(err)
			}
			f.Close()
		}
	})
}

func TestOpenIDMappedUserNSNotUserNS(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/proc/self/ns/mnt", file} {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		_, err = userns.OpenIDMapped(dir, idmap.Map{}, idmap.Map{}, &userns.MountOptions{UserNS: f})
		f.Close()
		if !errors.Is(err, userns.ErrInvalid) || !strings.Contains(err.Error(), p) {
			t.Errorf("UserNS %s: %v; want ErrInvalid naming it", p, err)
		}
	}
}

// idmountErrors runs in a mount namespace of its own, as root: it makes
// the mounts behind three refusals and prints each error on a line.
func idmountErrors(args []string) int {
	dir := args[0]
	fail := func(err error) int { fmt.Fprintln(os.Stderr, err); return 1 }
	if err := privateRoot(); err != nil {
		return fail(err)
	}
	if err := unix.Mount("tmpfs", dir, "tmpfs", 0, "mode=0755"); err != nil {
		return fail(err)
	}
	src, plain, tgt, file := filepath.Join(dir, "src"), filepath.Join(dir, "plain"), filepath.Join(dir, "tgt"), filepath.Join(dir, "file")
	for _, d := range []string{filepath.Join(src, "proc"), plain, tgt} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fail(err)
		}
	}
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		return fail(err)
	}
	if err := unix.Mount("proc", filepath.Join(src, "proc"), "proc", 0, ""); err != nil {
		return fail(err)
	}
	m := idmap.MustNew(idmap.Range{ContainerID: 0, HostID: 100000, Size: 65536})
	// 1. A proc mount below a tmpfs source, with Recursive.
	_, err1 := userns.OpenIDMapped(src, m, m, &userns.MountOptions{Recursive: true})
	// 2. A source that is already an ID-mapped mount.
	if err := userns.MountIDMapped(plain, tgt, m, m, nil); err != nil {
		return fail(err)
	}
	_, err2 := userns.OpenIDMapped(tgt, m, m, nil)
	// 3. A directory onto a file.
	err3 := userns.MountIDMapped(plain, file, m, m, nil)
	for _, err := range []error{err1, err2, err3} {
		fmt.Printf("%v\t%v\n", err, errors.Is(err, userns.ErrIDMapUnsupported))
	}
	return 0
}

// TestIDMappedMountRefusalsExplained: the kernel's bare errnos for a
// submount that cannot be ID-mapped, an already ID-mapped source and a
// target of the other kind each get a hint that names the cause.
func TestIDMappedMountRefusalsExplained(t *testing.T) {
	m := idmap.MustNew(idmap.Range{ContainerID: 0, HostID: 100000, Size: 65536})
	f, err := userns.OpenIDMapped(t.TempDir(), m, m, nil)
	if err == nil {
		f.Close()
	}
	testenv.Require(t, IDMappedMountDisk, err)
	out := inMountNS(t, "idmount-errors", t.TempDir())
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 3 {
		t.Fatalf("helper printed %q", out)
	}
	for i, want := range []struct{ has, unsupported string }{
		{"/proc (proc)", "true"},
		{"already an ID-mapped mount", "false"},
		{"same kind as the source", "false"},
	} {
		msg, unsupported, _ := strings.Cut(lines[i], "\t")
		if !strings.Contains(msg, want.has) || unsupported != want.unsupported {
			t.Errorf("refusal %d: %q (ErrIDMapUnsupported %s); want it to say %q (ErrIDMapUnsupported %s)", i+1, msg, unsupported, want.has, want.unsupported)
		}
	}
}

// inMountNS runs the named helper in a mount namespace of its own and
// returns what it printed.
func inMountNS(t *testing.T, helper string, args ...string) []byte {
	t.Helper()
	cmd := testenv.Command(helper, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNS}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("helper %s: %v: %s", helper, err, stderr.String())
	}
	return out
}

// idmountNested runs as root of a namespace whose uid_map and gid_map
// are two adjacent extents, in a mount namespace of its own: it mounts a
// tmpfs at args[0] and ID-maps it with a map that spans both extents,
// which the kernel takes only cut at the parent's extent boundary.
func idmountNested(args []string) int {
	fail := func(err error) int { fmt.Println(err); return 0 }
	if err := privateRoot(); err != nil {
		return fail(err)
	}
	if err := unix.Mount("tmpfs", args[0], "tmpfs", 0, "mode=0755"); err != nil {
		return fail(err)
	}
	if err := os.WriteFile(filepath.Join(args[0], "file"), nil, 0o644); err != nil {
		return fail(err)
	}
	m := idmap.MustNew(idmap.Range{ContainerID: 0, HostID: 0, Size: 65536})
	f, err := userns.OpenIDMapped(args[0], m, m, nil)
	if err != nil {
		return fail(err)
	}
	defer f.Close()
	var st unix.Stat_t
	if err := unix.Fstatat(int(f.Fd()), "file", &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return fail(err)
	}
	fmt.Println("ok", st.Uid)
	return 0
}

// TestOpenIDMappedNestedAdjacentExtents: the holder's maps are cut at
// the extents of the caller's own maps, as userns.Cmd cuts them.
func TestOpenIDMappedNestedAdjacentExtents(t *testing.T) {
	testenv.Require(t, testenv.MultiMap, testenv.ProbeMultiMap())
	dir := t.TempDir()
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	two := idmap.MustNew(idmap.Range{ContainerID: 0, HostID: 100000, Size: 1}, idmap.Range{ContainerID: 1, HostID: 100001, Size: 65535})
	c := &userns.Cmd{Cmd: testenv.Command("idmount-nested", dir), UIDMap: two, GIDMap: two}
	c.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNS}
	out, err := c.CombinedOutput()
	if err != nil {
		t.Fatalf("helper: %v: %s", err, out)
	}
	got := strings.TrimSpace(string(out))
	if strings.Contains(got, "not supported") || strings.Contains(got, "ID-mapped mounts are not") {
		testenv.Require(t, testenv.IDMappedMount, errors.New(got))
	}
	if got != "ok 0" {
		t.Fatalf("OpenIDMapped in a namespace of two adjacent extents: %s; want the clone made, file owned by 0", got)
	}
}
