//go:build linux

package limits

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/nonroot-go/nonroot/internal/testenv"
)

// buildPAMClient compiles testdata/pamclient/client.c, or says what is
// missing.
func buildPAMClient(t *testing.T) string {
	t.Helper()
	cc, err := exec.LookPath("cc")
	if err != nil {
		testenv.Require(t, testenv.PAM, fmt.Errorf("no C compiler (apt-get install gcc libpam0g-dev)"))
	}
	found := false
	for _, dir := range moduleDirs {
		if _, err := os.Stat(filepath.Join("/", dir, "pam_limits.so")); err == nil {
			found = true
		}
	}
	if !found {
		testenv.Require(t, testenv.PAM, fmt.Errorf("pam_limits.so not installed (apt-get install libpam-modules)"))
	}
	out := filepath.Join(t.TempDir(), "client")
	src, err := filepath.Abs("testdata/pamclient/client.c")
	if err != nil {
		t.Fatal(err)
	}
	if b, err := exec.Command(cc, "-o", out, src, "-lpam").CombinedOutput(); err != nil {
		testenv.Require(t, testenv.PAM, fmt.Errorf("building the PAM client failed (apt-get install gcc libpam0g-dev): %v\n%s", err, b))
	}
	return out
}

type pamRun struct {
	before, after map[Resource]Rlimit
	session       int
	sessionMsg    string
	raise         string
	cwd           string
	nice, nnp     int
}

// runPAM opens a session for user with a limits.conf holding conf, through
// pam_limits.so conf=..., in a child process.
func runPAM(t *testing.T, client, user, conf string) pamRun {
	t.Helper()
	dir := t.TempDir()
	confFile := filepath.Join(dir, "limits.conf")
	if err := os.WriteFile(confFile, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	return runPAMService(t, nil, client, user, "session required pam_limits.so conf="+confFile+"\n")
}

// runPAMService runs the client with a PAM service file holding service,
// behind the command prefix wrap (nil for none).
func runPAMService(t *testing.T, wrap []string, client, user, service string) pamRun {
	t.Helper()
	pamDir := filepath.Join(t.TempDir(), "pam.d")
	if err := os.Mkdir(pamDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(pamDir, "limitstest"), []byte(service), 0o644); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	args := append(append(wrap[:len(wrap):len(wrap)], client), "limitstest", user, pamDir)
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("PAM client: %v\n%s%s", err, out, stderr.Bytes())
	}
	r := pamRun{before: map[Resource]Rlimit{}, after: map[Resource]Rlimit{}, session: -1}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) == 4 && (f[0] == "before" || f[0] == "after"):
			i, _ := strconv.Atoi(f[1])
			s, _ := strconv.ParseUint(f[2], 10, 64)
			h, _ := strconv.ParseUint(f[3], 10, 64)
			m := r.before
			if f[0] == "after" {
				m = r.after
			}
			m[Resource(i)] = Rlimit{s, h}
		case len(f) >= 2 && f[0] == "session":
			r.session, _ = strconv.Atoi(f[1])
			r.sessionMsg = strings.Join(f[2:], " ")
		case len(f) >= 2 && f[0] == "raise":
			r.raise = strings.Join(f[1:], " ")
		case len(f) == 2 && f[0] == "nice":
			r.nice, _ = strconv.Atoi(f[1])
		case len(f) == 2 && f[0] == "cwd":
			r.cwd = f[1]
		case len(f) == 2 && f[0] == "nnp":
			r.nnp, _ = strconv.Atoi(f[1])
		}
	}
	if len(r.before) != NumResources || len(r.after) != NumResources || r.session < 0 {
		t.Fatalf("PAM client printed:\n%s%s", out, stderr.Bytes())
	}
	return r
}

// TestIntegrationPAM compares what the machine's real pam_limits gives a
// user with what Resolve says for the machine's flavour.
func TestIntegrationPAM(t *testing.T) {
	client := buildPAMClient(t)
	flavor, why := DetectFlavor("/")
	t.Logf("flavour %v: %s", flavor, why)
	pid1, err := ReadProcLimits(1)
	if err != nil {
		t.Fatal(err)
	}
	nrOpen, err := os.ReadFile("/proc/sys/fs/nr_open")
	if err != nil {
		t.Fatal(err)
	}
	nr, _ := strconv.ParseUint(strings.TrimSpace(string(nrOpen)), 10, 64)

	var users []User
	for _, name := range []string{"root", "nrtest"} {
		if u, err := LookupUser("/", name); err == nil {
			users = append(users, u)
		}
	}
	if len(users) == 0 {
		t.Fatal("neither root nor nrtest in /etc/passwd")
	}
	cases := []struct{ name, conf string }{
		{"star soft and hard", "* soft nofile 100\n* hard nofile 200\n"},
		{"user beats star", "* - nproc 50\n%[1]s soft nproc 40\n"},
		{"dash quirk", "%[1]s soft fsize 100\n* - fsize 200\n"},
		{"exemption", "* - core 0\n%[1]s -\n* - nofile 64\n"},
		{"units", "* soft cpu 2\n* hard cpu 3\n* - stack 4096\n* soft as 1048576\n* - nice 5\n* - rtprio 0\n"},
		{"debian root rules", "* - core 5\n@root - locks 7\n@:0 soft msgqueue 1000\nroot soft sigpending 100\n"},
		{"uid ranges", "0:999 - locks 5\n1000: - locks 6\n:1001 soft nproc 33\n"},
		{"gid range", "@0:0 soft locks 9\n@1001: soft locks 10\n"},
		{"value quirks", "* soft nproc 10abc\n* soft locks 0x10\n* hard memlock unlimited\n* soft sigpending -1\n"},
		{"nofile unlimited", "* soft nofile unlimited\n"},
		{"clamp", "* soft locks 200\n* hard locks 100\n"},
		{"case", "* SOFT NOFILE 300\nROOT soft nproc 3\n"},
		{"bad lines", "* soft nofile 300 # x\nbogus line\n* soft\n* soft nofiles 5\n* medium nproc 5\n"},
		{"last line wins", "* soft nofile 300\n* soft nofile 301\n%[1]s hard nofile 5000\n%[1]s hard nofile 4000\n"},
		{"priority and nonewprivs", "* - priority 5\n%[1]s - priority 3\n* - nonewprivs 1\n"},
		{"bad nonewprivs turns it off", "* - nonewprivs 1\n%[1]s - nonewprivs yes\n"},
		{"long line read in pieces", "%[1]s soft locks 11" + strings.Repeat(" ", 1010) + "%[1]s soft locks 12\n"},
		{"extra fields", "%[1]s soft locks 5 6\n"},
		{"tabs and CR", "%[1]s\tsoft\tlocks\t15\r\n"},
		{"gid exemption", "* - locks 3\n%[1]s soft locks 4\n@:%[2]d -\n"},
		{"percent domains only for maxlogins", "%% - locks 6\n%%%[4]s - locks 7\n"},
		{"star exemption never matches", "* -\n%[1]s soft locks 8\n"},
		{"dash value is unlimited", "%[1]s soft locks 9\n%[1]s soft locks -\n"},
		{"group name exemption", "%[1]s soft locks 4\n@%[4]s -\n"},
		{"percent uid exemption", "%[1]s soft locks 3\n%%:%[3]d -\n"},
		{"negative wraps", "%[1]s soft locks -5\n"},
		{"signed uid range", "+0:+5000 soft locks 13\n"},
		{"uid truncated to 32 bits", "4294967296:4294967296 soft locks 14\n"},
		{"KB overflow", "%[1]s soft fsize 18014398509481984\n"},
		{"maxlogins 0 denies", "%[1]s - maxlogins 0\n"},
		{"maxlogins user class beats star", "%[1]s - maxlogins 5\n* - maxlogins 0\n"},
		{"maxlogins %:gid beats star", "* - maxlogins 5\n%%:%[2]d - maxlogins 0\n"},
		{"maxsyslogins 0 denies", "* - maxsyslogins 0\n"},
		{"chroot value lower-cased", "%[1]s - chroot {JAIL}\n"},
		{"chroot last line wins over class", "%[1]s - chroot {JAIL}\n@:%[2]d - chroot /nonexistent-limits-jail\n"},
		{"chroot needs a type", "%[1]s whatever chroot {JAIL}\n"},
		{"nonewprivs takes any type", "%[1]s whatever nonewprivs 1\n"},
		{"priority of a losing class still counts", "%[1]s - priority 4\n* - priority 6\n"},
		{"numeric group domains", "%[1]s soft msgqueue 24\n@:0 soft msgqueue 25\n%%:0 soft locks 7\n%%0: soft sigpending 9\n@0: soft core 3\n@:%[2]d soft rtprio 0\n"},
		{"percent uid range for other items", "%%%[3]d:%[3]d soft locks 8\n%%:%[2]d soft sigpending 10\n"},
		{"group beats a later star", "@%[4]s soft locks 5\n* soft locks 6\n"},
		{"maxlogins takes any type", "%[1]s whatever maxlogins 0\n"},
		{"priority needs a type", "%[1]s whatever priority 7\n"},
		{"nice clamped", "%[1]s soft nice -30\n%[1]s hard nice 25\n"},
		{"plus sign and upper case unlimited", "%[1]s soft locks +5\n%[1]s soft sigpending UNLIMITED\n"},
		{"cpu and KB saturate", "%[1]s soft cpu 307445734561825861\n%[1]s soft core 18014398509481983\n"},
		{"nofile -1 and infinity", "%[1]s soft nofile -1\n%[1]s hard nofile infinity\n"},
		{"uid range backwards never matches", "5000:0 soft locks 5\n"},
		{"exemption type starting with dash", "%[1]s soft locks 5\n%[1]s -x\n"},
		{"exemption by uid range", "%[1]s soft locks 5\n0: -\n"},
	}
	nice0, nnp0 := niceAndNNP(t)
	jail, err := os.MkdirTemp("", "limitsjail")
	if err != nil {
		t.Fatal(err)
	}
	defer os.Remove(jail)
	os.Chmod(jail, 0o755)
	for _, u := range users {
		for _, c := range cases {
			t.Run(u.Name+"/"+c.name, func(t *testing.T) {
				conf := strings.ReplaceAll(c.conf, "{JAIL}", strings.ToUpper(jail))
				if strings.Contains(conf, "%[") {
					conf = fmt.Sprintf(conf, u.Name, u.GID, u.UID, primaryGroup(u))
				}
				run := runPAM(t, client, u.Name, conf)
				cfg, _ := Parse("limits.conf", []byte(conf))
				res := cfg.ResolveWith(u, flavor, Start{Caller: run.before, PID1: pid1, NrOpen: nr})
				refused := checkAfter(t, res, run, "")
				wantSession := 0
				if refused && flavor == Upstream {
					wantSession = 6 // PAM_PERM_DENIED
				}
				if res.MaxLogins.Rule != nil && res.MaxLogins.Value == 0 && u.UID != 0 {
					wantSession = 6 // no logins allowed; root is never checked
				}
				if res.ChrootRule != nil {
					// pam_limits chroots the client; that works for root (in
					// any namespace) into a directory that exists.
					if _, err := os.Stat(res.Chroot); err == nil && os.Geteuid() == 0 {
						if run.cwd != "/" {
							t.Errorf("no chroot into %s: cwd %s", res.Chroot, run.cwd)
						}
					} else {
						wantSession = 6
					}
				} else if run.cwd == "/" {
					t.Errorf("chrooted without a chroot rule")
				}
				if run.session != wantSession {
					t.Errorf("session returned %d (%s), want %d", run.session, run.sessionMsg, wantSession)
				}
				// Without a rule the client keeps what it inherited from us.
				wantNice, wantNNP := nice0, nnp0
				if res.Priority.Rule != nil {
					wantNice = res.Priority.Value
				}
				if res.NoNewPrivs.Rule != nil {
					wantNNP = res.NoNewPrivs.Value
				}
				if run.nice != wantNice || run.nnp != wantNNP {
					t.Errorf("nice %d, no_new_privs %d; Resolve says %d (%v), %d (%v)", run.nice, run.nnp, wantNice, res.Priority.Rule, wantNNP, res.NoNewPrivs.Rule)
				}
			})
		}
	}
}

// mountNSWrap returns the command prefix that runs a shell script in a
// private mount namespace, or why there is none: unshare -m for root (of
// any user namespace), unshare -rm for others.
func mountNSWrap(t *testing.T) []string {
	t.Helper()
	unshare := testenv.RequireTool(t, "unshare", "util-linux")
	wrap := []string{unshare, "-m"}
	if os.Geteuid() != 0 {
		wrap = []string{unshare, "-rm"}
	}
	if out, err := exec.Command(wrap[0], append(wrap[1:], "sh", "-c", "mount -t tmpfs tmpfs /mnt")...).CombinedOutput(); err != nil {
		testenv.Require(t, "mountns", fmt.Errorf("mounting in a new mount namespace with %v failed: %v: %s", wrap, err, out))
	}
	return wrap
}

// TestIntegrationPAMLimitsD lays a fixture over /etc/security in a private
// mount namespace and opens a session with the default pam_limits
// configuration, which reads limits.conf and limits.d/*.conf: the files
// read and their order must be the ones Load finds.
func TestIntegrationPAMLimitsD(t *testing.T) {
	client := buildPAMClient(t)
	wrap := mountNSWrap(t)
	flavor, _ := DetectFlavor("/")
	fixture := writeRoot(t, map[string]string{
		"etc/security/limits.conf":             "* soft locks 10\n%[1]s soft sigpending 100\n",
		"etc/security/limits.d/a.conf":         "%[1]s soft locks 11\n",
		"etc/security/limits.d/Z.conf":         "%[1]s soft locks 12\n%[1]s soft msgqueue 1000\n",
		"etc/security/limits.d/10-x.conf":      "%[1]s soft msgqueue 2000\n%[1]s soft sigpending 200\n",
		"etc/security/limits.d/9-y.conf":       "%[1]s soft sigpending 300\n",
		"etc/security/limits.d/.hidden.conf":   "%[1]s soft locks 13\n",
		"etc/security/limits.d/b.conf.disable": "%[1]s soft locks 14\n",
		"etc/security/limits.d/dir.conf/x":     "%[1]s soft locks 15\n",
	})
	pid1, err := ReadProcLimits(1)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"root", "nrtest"} {
		u, err := LookupUser("/", name)
		if err != nil {
			continue
		}
		t.Run(name, func(t *testing.T) {
			root := t.TempDir()
			err := filepath.WalkDir(fixture, func(p string, d os.DirEntry, err error) error {
				if err != nil {
					return err
				}
				rel, _ := filepath.Rel(fixture, p)
				if d.IsDir() {
					return os.MkdirAll(filepath.Join(root, rel), 0o755)
				}
				b, err := os.ReadFile(p)
				if err != nil {
					return err
				}
				return os.WriteFile(filepath.Join(root, rel), []byte(strings.ReplaceAll(string(b), "%[1]s", name)), 0o644)
			})
			if err != nil {
				t.Fatal(err)
			}
			os.Chmod(root, 0o755)
			script := "mount -t tmpfs tmpfs /etc/security && cp -a " + filepath.Join(root, "etc/security") + "/. /etc/security/ && exec \"$@\""
			run := runPAMService(t, append(wrap, "sh", "-c", script, "sh"), client, name, "session required pam_limits.so\n")
			cfg, _, err := Load(root)
			if err != nil {
				t.Fatal(err)
			}
			res := cfg.ResolveWith(u, flavor, Start{Caller: run.before, PID1: pid1})
			checkAfter(t, res, run, fmt.Sprint(cfg.Files))
			if l, _ := res.Limit("locks"); u.UID != 0 && l.Soft != 11 {
				t.Errorf("Resolve: locks %v, want 11 from a.conf, the last file in byte order", l)
			}
		})
	}
}

// checkAfter compares the limits the session got with Resolve's, where
// a hard raise the kernel refused (no CAP_SYS_RESOURCE) leaves the
// caller's value; it reports whether a raise was refused.
func checkAfter(t *testing.T, res Result, run pamRun, what string) (refused bool) {
	t.Helper()
	for _, it := range res.Items {
		r, want := it.Resource, it.Rlimit
		if res.Exempt == nil && want.Hard > run.before[r].Hard && run.raise != "ok" {
			want, refused = run.before[r], true
		}
		if run.after[r] != want {
			t.Errorf("%v: pam_limits gave %v, Resolve says %v (before %v, resolved %v, soft from %v, hard from %v) %s",
				r, run.after[r], want, run.before[r], it.Rlimit, it.Soft, it.Hard, what)
		}
	}
	return refused
}

func primaryGroup(u User) string {
	for _, g := range u.Groups {
		if g.GID == u.GID {
			return g.Name
		}
	}
	return "nonexistent-group"
}

// TestIntegrationPAMGroupLookup lays an /etc/group with repeated names and
// gids over the real one in a private mount namespace: @name and @:gid
// must match as getgrnam and getgrgid, which return the first entry, make
// pam_limits match them, and as LookupUser reads them.
func TestIntegrationPAMGroupLookup(t *testing.T) {
	client := buildPAMClient(t)
	wrap := mountNSWrap(t)
	flavor, _ := DetectFlavor("/")
	pid1, err := ReadProcLimits(1)
	if err != nil {
		t.Fatal(err)
	}
	passwd, err := os.ReadFile("/etc/passwd")
	if err != nil {
		t.Fatal(err)
	}
	group, err := os.ReadFile("/etc/group")
	if err != nil {
		t.Fatal(err)
	}
	confs := []string{
		"@limalias soft locks 21\n@limdup soft sigpending 22\n@:4343 soft msgqueue 23\n" +
			"@limsecond soft nproc 24\n@:4444 soft core 3\n@4343:4444 soft rtprio 0\n@limfirst soft memlock 64\n",
		"* soft locks 5\n@limfirst -\n",
		"* soft locks 5\n@limdup -\n",
	}
	for _, name := range []string{"root", "nrtest"} {
		real, err := LookupUser("/", name)
		if err != nil {
			continue
		}
		t.Run(name, func(t *testing.T) {
			extra := fmt.Sprintf("limalias:x:%[2]d:\nlimdup:x:4242:\nlimdup:x:4343:%[1]s\nlimfirst:x:4444:\nlimsecond:x:4444:%[1]s\n", name, real.GID)
			root := writeRoot(t, map[string]string{
				"etc/passwd": string(passwd),
				"etc/group":  string(group) + extra,
			})
			os.Chmod(root, 0o755)
			os.Chmod(filepath.Join(root, "etc"), 0o755)
			u, err := LookupUser(root, name)
			if err != nil {
				t.Fatal(err)
			}
			script := "mount --bind " + filepath.Join(root, "etc/group") + " /etc/group && exec \"$@\""
			for i, conf := range confs {
				confFile := filepath.Join(root, "limits"+strconv.Itoa(i)+".conf")
				if err := os.WriteFile(confFile, []byte(conf), 0o644); err != nil {
					t.Fatal(err)
				}
				run := runPAMService(t, append(wrap, "sh", "-c", script, "sh"), client, name,
					"session required pam_limits.so conf="+confFile+"\n")
				cfg, _ := Parse("limits.conf", []byte(conf))
				res := cfg.ResolveWith(u, flavor, Start{Caller: run.before, PID1: pid1})
				checkAfter(t, res, run, fmt.Sprintf("%q, groups %+v", conf, u.Groups))
				if i == 0 && (flavor == Upstream || u.UID != 0) {
					for _, r := range []Resource{LOCKS, MSGQUEUE, NPROC, CORE, MEMLOCK} {
						if !res.Items[r].Set() {
							t.Errorf("Resolve: %v not set; @limalias, @:4343, @limsecond, @:4444 and @limfirst should match %+v", r, u.Groups)
						}
					}
				}
				if wantExempt := i == 1; (res.Exempt != nil) != wantExempt {
					t.Errorf("%q: Resolve exempt %v, want %v", conf, res.Exempt != nil, wantExempt)
				}
			}
		})
	}
}

// niceAndNNP returns this process's nice value (field 19 of
// /proc/self/stat) and no_new_privs flag, which the PAM client inherits.
func niceAndNNP(t *testing.T) (int, int) {
	t.Helper()
	stat, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
	nice, err := strconv.Atoi(f[16]) // fields after the command start at 3 (state)
	if err != nil {
		t.Fatal(err)
	}
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	nnp := 0
	if bytes.Contains(status, []byte("\nNoNewPrivs:\t1")) {
		nnp = 1
	}
	return nice, nnp
}

// utmpRecord is a glibc x86-64/arm64 struct utmp (384 bytes) for a
// USER_PROCESS login of user on line by pid (a live one: pam_limits skips
// entries of dead processes unless it counts everyone's).
func utmpRecord(user, line string, pid int) []byte {
	b := make([]byte, 384)
	binary.LittleEndian.PutUint16(b[0:], 7) // USER_PROCESS
	binary.LittleEndian.PutUint32(b[4:], uint32(pid))
	copy(b[8:40], line)
	copy(b[40:44], "lt")
	copy(b[44:76], user)
	return b
}

// TestIntegrationPAMLoginCount puts a utmp holding one login of another
// user under a private /run and checks whose logins pam_limits counts:
// the user's own for maxlogins, everyone's for maxsyslogins, as
// [Result.SysWide] says, including the flag a rejected line leaves.
func TestIntegrationPAMLoginCount(t *testing.T) {
	client := buildPAMClient(t)
	wrap := mountNSWrap(t)
	if runtime.GOARCH != "amd64" && runtime.GOARCH != "arm64" {
		t.Skipf("the utmp layout written here is glibc's on amd64 and arm64, not %s", runtime.GOARCH)
	}
	flavor, _ := DetectFlavor("/")
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	utmp := filepath.Join(dir, "utmp")
	if err := os.WriteFile(utmp, utmpRecord("limitsother", "pts/42", os.Getpid()), 0o644); err != nil {
		t.Fatal(err)
	}
	script := "mount -t tmpfs tmpfs /run && cp " + utmp + " /run/utmp && exec \"$@\""
	u, err := LookupUser("/", "nrtest")
	if err != nil {
		t.Skipf("no nrtest user to log in: %v", err)
	}
	for _, conf := range []string{
		"* - maxlogins 1\n",
		"* - maxsyslogins 1\n",
		"* - maxlogins 1\n% - maxsyslogins 10\n",
		"* - maxlogins 1\n* - maxsyslogins abc\n",
		"* - maxsyslogins 1\n* - maxlogins abc\n",
		"nrtest - maxlogins 1\n* - maxsyslogins 5\n",
		"nrtest - maxlogins 2\n",
		"% - maxlogins 1\n",
		"nrtest - maxlogins 1\n% - maxlogins 3\n",
	} {
		confFile := filepath.Join(dir, "limits.conf")
		if err := os.WriteFile(confFile, []byte(conf), 0o644); err != nil {
			t.Fatal(err)
		}
		run := runPAMService(t, append(wrap, "sh", "-c", script, "sh"), client, u.Name,
			"session required pam_limits.so conf="+confFile+"\n")
		cfg, _ := Parse("limits.conf", []byte(conf))
		res := cfg.ResolveWith(u, flavor, Start{Caller: run.before})
		// check_logins: this login counts as 1, then every utmp entry of
		// the user, or of anyone when the flag is set.
		count, want := 1, 0
		if l := res.MaxLogins.Rule; res.SysWide || l != nil && l.Domain == "%" {
			count++
		}
		if l := res.MaxLogins; l.Rule != nil && (l.Value == 0 || l.Value > 0 && count > l.Value) {
			want = 6 // PAM_PERM_DENIED
		}
		if run.session != want {
			t.Errorf("%q: session %d (%s); Resolve says limit %d, syswide %v, so %d", conf, run.session, run.sessionMsg, res.MaxLogins.Value, res.SysWide, want)
		}
	}
}
