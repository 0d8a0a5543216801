package limits

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// pam_limits 1.5.2 reads with fgets into a buffer of this many bytes, so a
// longer line reaches it in pieces, each parsed as a line of its own.
const pamLineLength = 1024

// Rule is one line of limits.conf that pam_limits acts on: a limit
// ("<domain> <type> <item> <value>") or an exemption ("<domain> -").
// Some lines pam_limits rejects are kept as well, and warned about: a
// %-domain line for another item than maxlogins, as Debian's module
// applies %:0 or %0:N lines to root; and a maxlogins or maxsyslogins
// line with a bad value or domain, as it still sets [Result.SysWide].
// Type, Item and Value are lower-cased, as pam_limits reads them; Domain
// keeps its case.
type Rule struct {
	File   string // path as given to the parser (under the root for Load)
	Line   int    // 1-based line number
	Domain string // user, @group, %group, *, uid or gid range
	Type   string // "soft", "hard" or "-"; "" for an exemption
	Item   string // "nofile", "nproc", "priority", ...; "" for an exemption
	Value  string // as written, lower-cased; "" for an exemption
	Exempt bool   // "<domain> -": a matching user gets no limits at all

	dom    domain
	item   int    // index into items
	value  uint64 // in the kernel's unit, for rlimit items
	ival   int    // for priority, nice, maxlogins, maxsyslogins, nonewprivs
	nrOpen bool   // nofile unlimited: pam_limits reads /proc/sys/fs/nr_open
	// pctSkip: why upstream ignores this %-domain line; only Debian's
	// root path, which reads the domain as a uid range, applies it.
	pctSkip string
	// flagOnly: why pam_limits rejects this maxlogins or maxsyslogins
	// line after it has set its count-all-users flag from it.
	flagOnly string
}

// Pos returns "file:line".
func (r *Rule) Pos() string { return r.File + ":" + strconv.Itoa(r.Line) }

// String returns the rule as a limits.conf line.
func (r *Rule) String() string {
	if r.Exempt {
		return r.Domain + " -"
	}
	return r.Domain + " " + r.Type + " " + r.Item + " " + r.Value
}

// Warning is a line pam_limits skips (or reads differently from how it
// looks), with its position. pam_limits logs these to syslog at debug
// level, if at all; a login does not fail because of them.
type Warning struct {
	File   string // as given to Parse, or as seen inside Load's root
	Line   int    // 1-based; 0 for a warning about a whole file
	Text   string // the line, without its newline
	Reason string // what pam_limits does with it, and why
}

// String returns "file:line: reason: \"text\"", as a compiler reports.
func (w Warning) String() string {
	return fmt.Sprintf("%s:%d: %s: %q", w.File, w.Line, w.Reason, w.Text)
}

// Err returns w as a *[ParseError], for strict checking.
func (w Warning) Err() error {
	return &ParseError{File: w.File, Line: w.Line, Field: "line", Text: w.Text, Err: fmt.Errorf("%s", w.Reason)}
}

// Config is the parsed set of limits.conf files, in the order pam_limits
// reads them. Make one with [Load] or [Parse]: rules carry what the
// parser worked out (value in the kernel's unit, parsed domain), so rules
// built by hand do not resolve.
type Config struct {
	Files []string // files read, in order
	Rules []Rule   // lines pam_limits acts on, in reading order
}

// Parse parses the text of one limits.conf file. name is recorded in
// rules and warnings. Lines pam_limits would skip become warnings.
func Parse(name string, data []byte) (*Config, []Warning) {
	c := &Config{Files: []string{name}}
	warns := c.parse(name, data)
	return c, warns
}

func (c *Config) parse(name string, data []byte) []Warning {
	var warns []Warning
	lineno := 0
	continued := false
	for len(data) > 0 {
		// fgets: at most pamLineLength-1 bytes, or through the newline.
		n := min(len(data), pamLineLength-1)
		if i := bytes.IndexByte(data[:n], '\n'); i >= 0 {
			n = i + 1
		}
		chunk := data[:n]
		data = data[n:]
		if !continued {
			lineno++
		}
		ended := chunk[len(chunk)-1] == '\n'
		text := strings.TrimRight(string(chunk), "\n")
		warn := func(reason string) {
			warns = append(warns, Warning{File: name, Line: lineno, Text: text, Reason: reason})
		}
		if continued {
			warn("line longer than 1023 bytes: pam_limits reads its rest as a line of its own")
		}
		continued = !ended && len(data) > 0 && len(chunk) == pamLineLength-1
		c.parseLine(name, lineno, chunk, warn)
	}
	return warns
}

// cSpace is C's isspace in the C locale.
func cSpace(b byte) bool {
	return b == ' ' || b == '\t' || b == '\n' || b == '\v' || b == '\f' || b == '\r'
}

func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func (c *Config) parseLine(name string, lineno int, chunk []byte, warn func(string)) {
	line := chunk
	if i := bytes.IndexByte(line, 0); i >= 0 { // C strings end at NUL
		line = line[:i]
	}
	for len(line) > 0 && cSpace(line[0]) {
		line = line[1:]
	}
	if i := bytes.IndexByte(line, '#'); i >= 0 {
		line = line[:i]
	}
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	if len(line) == 0 {
		return
	}
	// sscanf("%s%s%s%s"): up to four whitespace-separated fields.
	var f []string
	extra := false
	for rest := line; ; {
		for len(rest) > 0 && cSpace(rest[0]) {
			rest = rest[1:]
		}
		if len(rest) == 0 {
			break
		}
		end := 0
		for end < len(rest) && !cSpace(rest[end]) {
			end++
		}
		if len(f) == 4 {
			extra = true
			break
		}
		f = append(f, string(rest[:end]))
		rest = rest[end:]
	}
	for len(f) < 4 {
		f = append(f, "")
	}
	nf := 0
	for _, s := range f {
		if s != "" {
			nf++
		}
	}
	r := Rule{File: name, Line: lineno, Domain: f[0], Type: asciiLower(f[1]), Item: asciiLower(f[2]), Value: asciiLower(f[3])}
	d, err := parseDomain(r.Domain)
	if err != nil {
		warn("invalid uid range " + strconv.Quote(r.Domain) + ": " + err.Error())
		return
	}
	r.dom = d
	switch {
	case nf == 4:
		if extra {
			warn("more than four fields: pam_limits ignores the rest")
		}
		if reason := r.compile(); reason != "" {
			warn(reason)
			return
		}
		if r.flagOnly != "" {
			warn(r.flagOnly)
		}
		if r.pctSkip != "" {
			warn(r.pctSkip + " (Debian's pam_limits still applies it to root when the range covers uid 0)")
		}
		if r.item == itemNoNewPrivs && r.Value != "0" && r.Value != "1" {
			warn("nonewprivs wants 0 or 1: pam_limits takes this line as 0")
		}
	case nf == 2 && strings.HasPrefix(r.Type, "-"):
		r.Exempt, r.Type = true, ""
		if d.kind == domDefault || (d.kind == domPercent && d.rng == rangeNone) {
			warn("exemption for " + strconv.Quote(r.Domain) + " never matches: only a user, @group or id range can be exempted")
			return
		}
	default:
		warn(fmt.Sprintf("invalid line: %d fields, want 4 (<domain> <type> <item> <value>) or 2 (<domain> -)", nf))
		return
	}
	c.Rules = append(c.Rules, r)
}
