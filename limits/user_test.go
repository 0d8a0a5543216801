package limits

import "testing"

// /etc/group lines that share a name or a gid: pam_limits asks getgrnam
// for @name and getgrgid for @:gid, which return the first line of a
// name or gid, and accepts it if its gid is one the user has (primary,
// or of any line listing the user: getgrouplist). Checked against the
// real module by TestIntegrationPAMGroupLookup.
const dupGroups = `ci:x:2000:
alias:x:2000:
dupname:x:4242:
dupname:x:4343:ci
gfirst:x:4444:
gsecond:x:4444:ci
`

func TestLookupUserGroupDuplicates(t *testing.T) {
	root := writeRoot(t, map[string]string{
		"etc/passwd": "ci:x:2000:2000::/home/ci:/bin/sh\n",
		"etc/group":  dupGroups,
	})
	u, err := LookupUser(root, "ci")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		domain string
		match  bool
	}{
		{"@ci", true},       // primary gid
		{"@alias", true},    // getgrnam finds it; its gid is the primary one
		{"@:2000", true},    // getgrgid finds ci
		{"@dupname", false}, // getgrnam finds gid 4242, which does not list ci
		{"@:4343", true},    // getgrgid finds the second dupname, which lists ci
		{"@gsecond", true},  // getgrnam finds it, it lists ci
		{"@:4444", true},    // getgrgid finds gfirst: gid 4444 is ci's through gsecond
		{"@gfirst", true},   // the same: pam_modutil falls back to getgrouplist
		{"@2000:2000", true},
		{"@4343:4444", false}, // ranges see the primary gid only
	} {
		cfg, warns := Parse("t", []byte(c.domain+" soft locks 1\n"))
		if len(warns) != 0 || len(cfg.Rules) != 1 {
			t.Fatalf("%s: %v", c.domain, warns)
		}
		class, _ := cfg.Rules[0].matches(u, Upstream)
		if got := class >= 0; got != c.match {
			t.Errorf("%s matches %v, want %v (groups %+v)", c.domain, got, c.match, u.Groups)
		}
		cfg, _ = Parse("t", []byte(c.domain+" -\n"))
		if got := cfg.Rules[0].exempts(u); got != c.match {
			t.Errorf("%s - exempts %v, want %v", c.domain, got, c.match)
		}
	}
}
