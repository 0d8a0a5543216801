//go:build linux

package caps

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
	"kernel.org/pub/linux/libs/security/libcap/cap"

	"github.com/nonroot-go/nonroot/internal/nsfs"
	"github.com/nonroot-go/nonroot/internal/testenv"
)

func init() {
	testenv.Helper("file", helperFile)
}

// helperFile runs "set PATH" or "get PATH" in whatever namespace it was
// started in and prints the result as JSON.
func helperFile(args []string) int {
	var out struct {
		FC  FileCaps
		Err string
	}
	var err error
	switch args[0] {
	case "set":
		err = SetFile(args[1], FileCaps{Permitted: SetOf(10), Effective: true})
		if err == nil {
			out.FC, err = GetFile(args[1])
		}
	case "get":
		out.FC, err = GetFile(args[1])
	}
	if err != nil {
		out.Err = err.Error()
		if errors.Is(err, unix.EOVERFLOW) {
			out.Err = "EOVERFLOW"
		}
	}
	json.NewEncoder(os.Stdout).Encode(out)
	return 0
}

func runFileHelper(t *testing.T, attr *syscall.SysProcAttr, args ...string) (FileCaps, string) {
	t.Helper()
	cmd := testenv.Command("file", args...)
	cmd.SysProcAttr = attr
	cmd.Stderr = os.Stderr
	b, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		FC  FileCaps
		Err string
	}
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return out.FC, out.Err
}

// tempProgram makes an empty file that others may reach, in a directory
// on the default temporary filesystem.
func tempProgram(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "capsfile")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "prog")
	if err := os.WriteFile(path, nil, 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// probeSetFile writes file capabilities to a scratch file.
func probeSetFile(t *testing.T) error {
	err := SetFile(tempProgram(t), FileCaps{Permitted: SetOf(10)})
	if err != nil {
		return err
	}
	return nil
}

func getcap(t *testing.T, path string) string {
	t.Helper()
	tool := testenv.RequireTool(t, "getcap", "libcap2-bin")
	out, err := exec.Command(tool, "-n", path).Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(string(out)), path))
}

func TestFileCapsNone(t *testing.T) {
	path := tempProgram(t)
	if _, err := GetFile(path); !errors.Is(err, ErrNoFileCaps) {
		t.Errorf("GetFile(no caps) = %v, want ErrNoFileCaps", err)
	}
	// Without CAP_SETFCAP the kernel says EPERM before it looks: RemoveFile
	// must still call absent caps removed.
	if err := RemoveFile(path); err != nil {
		t.Errorf("RemoveFile(no caps) = %v, want nil", err)
	}
	if err := RemoveFile(path + ".absent"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("RemoveFile(absent file) = %v, want ErrNotExist", err)
	}
	// The kernel takes no version 1 (validheader in cap_convert_nscap);
	// SetFile says so before asking, whatever the caller's privilege.
	if err := SetFile(path, FileCaps{Permitted: SetOf(10), Version: 1}); err == nil || !strings.Contains(err.Error(), "version 2 or 3") {
		t.Errorf("SetFile(version 1) = %v, want a refusal naming versions 2 and 3", err)
	}
	if _, err := GetFile(path + ".absent"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("GetFile(absent) = %v", err)
	}
}

func TestFileCapsWrite(t *testing.T) {
	testenv.Require(t, "setfcap", probeSetFile(t))
	path := tempProgram(t)
	want := FileCaps{Permitted: SetOf(10, 0), Inheritable: SetOf(5), Effective: true}
	if err := SetFile(path, want); err != nil {
		t.Fatal(err)
	}
	got, err := GetFile(path)
	// Written as version 2; a writer outside the initial namespace has it
	// stored as version 3 with its own root, which it reads back as 2.
	want.Version = 2
	if err != nil || got != want {
		t.Errorf("GetFile = %+v, %v; want %+v", got, err, want)
	}
	if g := getcap(t, path); g != got.String() {
		t.Errorf("getcap -n says %q, String %q", g, got.String())
	}
	// Version 3 for the writer's own root reads back the same way.
	if err := SetFile(path, FileCaps{Permitted: SetOf(1), Version: 3}); err != nil {
		t.Fatal(err)
	}
	if got, err := GetFile(path); err != nil || got != (FileCaps{Permitted: SetOf(1), Version: 2}) {
		t.Errorf("v3 for our own root read back as %+v, %v", got, err)
	}
	if err := RemoveFile(path); err != nil {
		t.Fatal(err)
	}
	if _, err := GetFile(path); !errors.Is(err, ErrNoFileCaps) {
		t.Errorf("after RemoveFile: %v", err)
	}
}

// A version 3 root uid is written as given (libcap v1.2.78's SetNSOwner
// followed by SetFile fails with EINVAL), read back as is from the
// initial namespace, as version 2 from a namespace whose root it is, and
// not at all (EOVERFLOW) from one where it is unmapped.
func TestFileCapsRootUID(t *testing.T) {
	testenv.Require(t, "setfcap", probeSetFile(t))
	path := tempProgram(t)
	if initial, _ := nsfs.IsInitial(); !initial {
		// Inside a namespace, a root uid must be mapped there.
		err := SetFile(path, FileCaps{Permitted: SetOf(10), RootUID: 100000})
		if !errors.Is(err, unix.EINVAL) {
			t.Errorf("root uid 100000 unmapped here: %v, want EINVAL", err)
		}
		testenv.Require(t, "initial-userns", errors.New("reading a v3 root uid back as written needs the initial user namespace (run on the host)"))
	}
	want := FileCaps{Permitted: SetOf(10), Inheritable: SetOf(0), Effective: true, Version: 3, RootUID: 100000}
	if err := SetFile(path, want); err != nil {
		t.Fatal(err)
	}
	if got, err := GetFile(path); err != nil || got != want {
		t.Errorf("GetFile = %+v, %v; want %+v", got, err, want)
	}
	if g := getcap(t, path); g != want.String() {
		t.Errorf("getcap -n = %q, String = %q", g, want.String())
	}
	c := cap.NewSet()
	c.SetFlag(cap.Permitted, true, cap.NET_BIND_SERVICE)
	c.SetNSOwner(100000)
	t.Logf("for comparison, libcap's SetNSOwner(100000)+SetFile: %v", c.SetFile(path))

	if err := testenv.ProbeMultiMap(); err == nil {
		attr := &syscall.SysProcAttr{
			Cloneflags:  syscall.CLONE_NEWUSER,
			UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: 100000, Size: 65536}},
			GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: 100000, Size: 65536}},
		}
		if err := SetFile(path, want); err != nil {
			t.Fatal(err)
		}
		fc, errText := runFileHelper(t, attr, "get", path)
		if errText != "" || fc != (FileCaps{Permitted: SetOf(10), Inheritable: SetOf(0), Effective: true, Version: 2}) {
			t.Errorf("read inside a namespace whose root is 100000: %+v, %q; want version 2", fc, errText)
		}
		// Version 2 is for host root, unmapped in there but the root of an
		// ancestor: rootid_owns_currentns shows it as version 2, not
		// EOVERFLOW.
		v2 := FileCaps{Permitted: SetOf(10), Version: 2}
		if err := SetFile(path, v2); err != nil {
			t.Fatal(err)
		}
		if fc, errText := runFileHelper(t, attr, "get", path); errText != "" || fc != v2 {
			t.Errorf("version 2 read inside a namespace without host uid 0: %+v, %q; want version 2", fc, errText)
		}
		if err := SetFile(path, want); err != nil {
			t.Fatal(err)
		}
	}
	if err := testenv.ProbeUserNS(); err == nil {
		_, errText := runFileHelper(t, userNSAttr(), "get", path)
		if errText != "EOVERFLOW" {
			t.Errorf("read inside a namespace without 100000: %q, want EOVERFLOW", errText)
		}
	}
}

// Written by the root of a child namespace, read by its parent.
func TestFileCapsFromChildNamespace(t *testing.T) {
	testenv.Require(t, testenv.UserNS, testenv.ProbeUserNS())
	path := tempProgram(t)
	fc, errText := runFileHelper(t, userNSAttr(), "set", path)
	if errText != "" {
		t.Fatalf("root of a child namespace could not set file capabilities on its own file: %s", errText)
	}
	if fc.Version != 2 || fc.Permitted != SetOf(10) {
		t.Errorf("the writer reads %+v, want version 2", fc)
	}
	got, err := GetFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// The child's root is the caller's euid: version 2 when that is the
	// caller's own root, version 3 naming it otherwise.
	want := FileCaps{Permitted: SetOf(10), Effective: true, Version: 2}
	if euid := os.Geteuid(); euid != 0 {
		want.Version, want.RootUID = 3, uint32(euid)
	}
	if got != want {
		t.Errorf("parent reads %+v, want %+v", got, want)
	}
	if g := getcap(t, path); g != want.String() {
		t.Errorf("getcap -n = %q, String = %q", g, want.String())
	}
}

// SetFile and RemoveFile act on regular files only, never through a
// symbolic link, as setcap does: a link planted where a privileged
// installer writes must not hand capabilities to its target. The
// refusal comes before any privilege is needed.
func TestSetFileRegularOnly(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target")
	if err := os.WriteFile(target, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	fc := FileCaps{Permitted: SetOf(13), Effective: true} // cap_net_raw
	for _, p := range []string{link, dir} {
		if err := SetFile(p, fc); !errors.Is(err, errNotRegular) {
			t.Errorf("SetFile(%s): %v, want the not-a-regular-file refusal", p, err)
		}
		if err := RemoveFile(p); !errors.Is(err, errNotRegular) {
			t.Errorf("RemoveFile(%s): %v, want the not-a-regular-file refusal", p, err)
		}
	}
	if _, err := GetFile(target); !errors.Is(err, ErrNoFileCaps) {
		t.Fatalf("the link's target has capabilities now: %v", err)
	}
}
