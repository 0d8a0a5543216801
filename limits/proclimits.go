package limits

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
)

// ParseProcLimits parses the text of /proc/PID/limits: a header line,
// then one row per resource in fixed columns (printf "%-25s %-20s %-20s
// %-10s"), whose names contain spaces and whose values may be the word
// "unlimited". Rows this package does not know (a newer kernel's) are
// ignored; a malformed known row is an error.
func ParseProcLimits(data []byte) (map[Resource]Rlimit, error) {
	out := map[Resource]Rlimit{}
	for n, line := range bytes.Split(data, []byte("\n")) {
		s := string(line)
		if n == 0 {
			if !strings.HasPrefix(s, "Limit ") {
				return nil, &ParseError{Field: "header", Text: s, Err: errors.New("not a /proc/PID/limits file")}
			}
			continue
		}
		if strings.TrimSpace(s) == "" {
			continue
		}
		r, rest, ok := procRow(s)
		if !ok {
			for _, rn := range resourceNames { // a known name cut off before its values
				if strings.TrimRight(s, " ") == rn.proc {
					return nil, &ParseError{Line: n + 1, Field: rn.proc, Text: s, Err: errors.New("want a soft and a hard value")}
				}
			}
			continue
		}
		f := strings.Fields(rest)
		if len(f) < 2 {
			return nil, &ParseError{Line: n + 1, Field: r.ProcName(), Text: s, Err: errors.New("want a soft and a hard value")}
		}
		var l Rlimit
		for i, p := range []*uint64{&l.Soft, &l.Hard} {
			v, err := ParseValue(f[i])
			if err != nil || f[i] == "-1" || f[i] == "infinity" {
				return nil, &ParseError{Line: n + 1, Field: r.ProcName(), Text: s, Err: fmt.Errorf("bad value %q", f[i])}
			}
			*p = v
		}
		out[r] = l
	}
	return out, nil
}

func procRow(s string) (Resource, string, bool) {
	for i, n := range resourceNames {
		if strings.HasPrefix(s, n.proc) && len(s) > len(n.proc) && s[len(n.proc)] == ' ' {
			return Resource(i), s[len(n.proc):], true
		}
	}
	return 0, "", false
}

// FormatProcLimits formats limits as the kernel prints /proc/PID/limits,
// in resource order, leaving out resources not in m.
func FormatProcLimits(m map[Resource]Rlimit) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%-25s %-20s %-20s %-10s\n", "Limit", "Soft Limit", "Hard Limit", "Units")
	for i, n := range resourceNames {
		l, ok := m[Resource(i)]
		if !ok {
			continue
		}
		fmt.Fprintf(&b, "%-25s %-20s %-20s ", n.proc, FormatValue(l.Soft), FormatValue(l.Hard))
		if n.unit != "" { // the kernel pads the unit column only when there is a unit
			fmt.Fprintf(&b, "%-10s", n.unit)
		}
		b.WriteByte('\n')
	}
	return b.Bytes()
}
