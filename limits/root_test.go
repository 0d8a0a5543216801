package limits

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestLoadImageLinks: an image's absolute and relative links resolve
// inside its root, and ".." stops there, as in a chroot.
func TestLoadImageLinks(t *testing.T) {
	root := writeRoot(t, map[string]string{
		"srv/conf/limits.conf": "* soft nproc 7\n",
		"srv/d/a.real":         "* soft locks 3\n",
		"srv/passwd":           "ci:x:2000:2000::/:/bin/sh\n",
	})
	for link, target := range map[string]string{
		"etc/security/limits.conf": "/srv/conf/limits.conf",
		"etc/security/limits.d":    "../../srv/d",
		"srv/d/a.conf":             "../../../../../../srv/d/a.real",
		"etc/passwd":               "/srv/passwd",
		"etc/group":                "/etc/group", // a loop
	} {
		os.MkdirAll(filepath.Dir(filepath.Join(root, link)), 0o755)
		if err := os.Symlink(target, filepath.Join(root, link)); err != nil {
			t.Fatal(err)
		}
	}
	c, warns, err := Load(root)
	if err != nil || len(warns) != 0 {
		t.Fatalf("Load: %v %v", err, warns)
	}
	if len(c.Files) != 2 || c.Files[1] != ConfDir+"/a.conf" || len(c.Rules) != 2 || c.Rules[0].Value != "7" || c.Rules[1].Value != "3" {
		t.Errorf("files %v rules %v", c.Files, c.Rules)
	}
	_, err = LookupUser(root, "ci")
	if !errors.Is(err, errLinkLoop) {
		t.Errorf("LookupUser through a looping /etc/group: %v", err)
	}
	os.Remove(filepath.Join(root, "etc/group"))
	if u, err := LookupUser(root, "ci"); err != nil || u.UID != 2000 {
		t.Errorf("LookupUser through /etc/passwd -> /srv/passwd: %+v %v", u, err)
	}
}
