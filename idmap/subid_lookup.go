package idmap

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// SubIDError reports a failed look-up of a user's subordinate IDs.
type SubIDError struct {
	File string // /etc/subuid or /etc/subgid, under the SubIDSource's root
	User string // the user as asked for
	Err  error

	login string // the user's name from etc/passwd, for the remedy
}

func (e *SubIDError) Error() string {
	s := "idmap: subordinate IDs of " + strconv.Quote(e.User) + " in " + e.File + ": " + e.Err.Error()
	if errors.Is(e.Err, ErrNoSubIDs) {
		flag := "--add-subuids"
		if strings.HasSuffix(e.File, "subgid") {
			flag = "--add-subgids"
		}
		login := e.login
		if login == "" {
			login = e.User
		}
		s += " (give the user a range no other user has: usermod " + flag + " 100000-165535 " + login + ")"
	}
	return s
}

func (e *SubIDError) Unwrap() error { return e.Err }

// SubIDSource says where subordinate IDs are looked up. The zero value
// reads the machine's /etc/subuid, /etc/subgid and /etc/passwd and asks
// getsubids when the file has no entry for the user.
type SubIDSource struct {
	// Root is the directory holding etc/subuid, etc/subgid and
	// etc/passwd; "" means "/". With another root getsubids is never
	// asked, since it reads the machine's own configuration.
	Root string
	// Getsubids is the path of shadow-utils' getsubids (4.10 and later),
	// which answers from the subid source of /etc/nsswitch.conf (LDAP,
	// SSSD) where /etc/subuid has no entry. "" looks it up on $PATH; "-"
	// never asks it.
	Getsubids string
}

// LookupSubUIDs returns the subordinate uids of user, a user name or a
// decimal uid, from the machine's configuration: [SubIDSource]{}.UIDs.
func LookupSubUIDs(user string) ([]SubIDRange, error) { return SubIDSource{}.UIDs(user) }

// LookupSubGIDs returns the subordinate gids of user (a user name or a
// decimal uid: /etc/subgid is keyed by user, not by group).
func LookupSubGIDs(user string) ([]SubIDRange, error) { return SubIDSource{}.GIDs(user) }

// UIDs returns the entries of etc/subuid that belong to user, given by
// name or by decimal uid: those naming the user or giving its uid, in the
// file's order, as shadow-utils lists them. The other form is resolved through
// etc/passwd under Root (read directly, without NSS or cgo). When the
// file has none, getsubids is asked (see [SubIDSource.Getsubids]). No
// entry anywhere is a *[SubIDError] wrapping [ErrNoSubIDs]; a bad line
// in the file is one wrapping a *[ParseError]. Reading needs no
// privilege: the files are world-readable.
func (s SubIDSource) UIDs(user string) ([]SubIDRange, error) { return s.lookup("subuid", user) }

// GIDs is [SubIDSource.UIDs] for etc/subgid.
func (s SubIDSource) GIDs(user string) ([]SubIDRange, error) { return s.lookup("subgid", user) }

func (s SubIDSource) root() string {
	if s.Root == "" {
		return "/"
	}
	return s.Root
}

func (s SubIDSource) lookup(file, user string) ([]SubIDRange, error) {
	path := filepath.Join(s.root(), "etc", file)
	var name string
	fail := func(err error) ([]SubIDRange, error) {
		return nil, &SubIDError{File: path, User: user, Err: err, login: name}
	}
	if user == "" {
		return fail(fmt.Errorf("%w: empty user name", ErrSyntax))
	}
	var uid string
	name = user
	if _, err := strconv.ParseUint(user, 10, 32); err == nil {
		name, uid = "", user
	}
	if u, err := lookupPasswd(filepath.Join(s.root(), "etc", "passwd"), user); err == nil {
		name, uid = u.name, u.uid
	} else if !errors.Is(err, errNoUser) && !errors.Is(err, fs.ErrNotExist) {
		return fail(err)
	}
	var entries []SubIDRange
	f, err := os.Open(path)
	switch {
	case err == nil:
		entries, err = ParseSubIDs(f)
		f.Close()
		if err != nil {
			return fail(err)
		}
	case !errors.Is(err, fs.ErrNotExist):
		return fail(err)
	}
	if got := SelectSubIDs(entries, name, uid); len(got) > 0 {
		return got, nil
	}
	if filepath.Clean(s.root()) != "/" || s.Getsubids == "-" {
		return fail(ErrNoSubIDs)
	}
	prog := s.Getsubids
	if prog == "" {
		if prog, err = exec.LookPath("getsubids"); err != nil {
			return fail(ErrNoSubIDs)
		}
	}
	// getsubids matches entries by the name it is given and by that
	// name's uid, but a uid it is given only by itself: ask by name.
	who := user
	if name != "" {
		who = name
	}
	got, err := getsubids(prog, file == "subgid", who)
	if err != nil {
		return fail(err)
	}
	if len(got) == 0 {
		return fail(ErrNoSubIDs)
	}
	return got, nil
}

// getsubids runs shadow-utils' getsubids, whose lines read
// "INDEX: OWNER START COUNT", OWNER being the user as asked for (it may
// hold blanks). It exits 1 with "Error fetching ranges" when the user
// has none.
func getsubids(prog string, groups bool, user string) ([]SubIDRange, error) {
	args := []string{user}
	if groups {
		args = []string{"-g", user}
	}
	cmd := exec.Command(prog, args...)
	cmd.Env = append(os.Environ(), "LC_ALL=C") // its messages untranslated
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && ee.ExitCode() == 1 && strings.Contains(stderr.String(), "Error fetching ranges") {
			return nil, nil
		}
		return nil, fmt.Errorf("%s %s: %w: %s", prog, strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return parseGetsubids(string(out))
}

func parseGetsubids(out string) ([]SubIDRange, error) {
	var got []SubIDRange
	for i, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if l == "" {
			continue
		}
		perr := func(field int, text string, err error) error {
			return &ParseError{Func: "getsubids", Line: i + 1, Field: field, Text: text, Err: err}
		}
		_, rest, ok := strings.Cut(l, ": ")
		f := strings.Fields(rest)
		if !ok || len(f) < 3 {
			return nil, perr(0, l, ErrSyntax)
		}
		// The owner is everything between "N: " and the last two fields.
		owner := strings.TrimRight(rest, cSpace)
		for range 2 {
			owner = strings.TrimRight(owner[:strings.LastIndexAny(owner, cSpace)+1], cSpace)
		}
		if owner == "" {
			return nil, perr(1, l, ErrSyntax)
		}
		var n [2]uint32
		for j, x := range f[len(f)-2:] {
			v, err := parseDecimal(x)
			if err != nil {
				return nil, perr(j+2, x, err)
			}
			n[j] = v
		}
		if n[1] == 0 || uint64(n[0])+uint64(n[1]) > 1<<32-1 {
			return nil, perr(3, l, ErrRange)
		}
		got = append(got, SubIDRange{Owner: owner, Start: n[0], Count: n[1]})
	}
	return got, nil
}

var errNoUser = errors.New("no such user")

type passwdEntry struct{ name, uid string }

// lookupPasswd finds user, a name or a decimal uid, in an /etc/passwd
// file ("name:password:uid:gid:gecos:home:shell").
func lookupPasswd(path, user string) (passwdEntry, error) {
	f, err := os.Open(path)
	if err != nil {
		return passwdEntry{}, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Split(sc.Text(), ":")
		if len(fields) < 4 || fields[0] == "" || fields[0][0] == '#' || fields[0][0] == '+' || fields[0][0] == '-' {
			continue
		}
		if fields[0] == user || fields[2] == user {
			return passwdEntry{name: fields[0], uid: fields[2]}, nil
		}
	}
	if err := sc.Err(); err != nil {
		return passwdEntry{}, err
	}
	return passwdEntry{}, fmt.Errorf("%s: %w: %s", path, errNoUser, user)
}
