//go:build linux

package userns

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/nonroot-go/nonroot/idmap"
	"github.com/nonroot-go/nonroot/internal/testenv"
)

func TestMain(m *testing.M) {
	Init()
	testenv.Helper("nest", helperNest)
	testenv.Helper("limit", helperLimit)
	testenv.Main(m)
}

// parseSpec reads a map written "inner:outer:count,inner:outer:count".
func parseSpec(s string) (idmap.Map, error) {
	var rs []idmap.Range
	for part := range strings.SplitSeq(s, ",") {
		f := strings.Split(part, ":")
		if len(f) != 3 {
			return idmap.Map{}, fmt.Errorf("bad extent %q", part)
		}
		var v [3]uint32
		for i := range f {
			n, err := strconv.ParseUint(f[i], 10, 32)
			if err != nil {
				return idmap.Map{}, err
			}
			v[i] = uint32(n)
		}
		rs = append(rs, idmap.Range{ContainerID: v[0], HostID: v[1], Size: v[2]})
	}
	return idmap.New(rs...)
}

func spec(m idmap.Map) string {
	var parts []string
	for _, r := range m.Ranges() {
		parts = append(parts, fmt.Sprintf("%d:%d:%d", r.ContainerID, r.HostID, r.Size))
	}
	return strings.Join(parts, ",")
}

// helperNest runs in a first namespace: it starts `cat` in a second one
// with the map args[0] (uid and gid alike), prints cat's pid and waits for
// it; cat ends when the test closes stdin.
func helperNest(args []string) int {
	m, err := parseSpec(args[0])
	if err != nil {
		fmt.Println(err)
		return 2
	}
	c := Command("/bin/cat")
	c.UIDMap, c.GIDMap = m, m
	c.Stdin = os.Stdin
	if err := c.Start(); err != nil {
		fmt.Printf("error: %v\n", err)
		return 1
	}
	fmt.Println(c.Process.Pid)
	if err := c.Wait(); err != nil {
		return 1
	}
	return 0
}

type chainResult struct {
	Depth   int    `json:"depth"`
	Err     string `json:"err"`
	Nesting bool   `json:"nesting"`
}

// helperLimit runs at the bottom of a chain of unshare -r shells, where
// unshare itself failed, and reports what Start says there.
func helperLimit(args []string) int {
	depth, _ := strconv.Atoi(args[0])
	err := Command("/bin/true").Run()
	res := chainResult{Depth: depth, Err: fmt.Sprint(err), Nesting: isNestingLimit(err)}
	_ = json.NewEncoder(os.Stdout).Encode(res)
	return 0
}

// readStatus returns the Cap* and Uid/Gid lines of /proc/PID/status.
func readStatus(pid int) (map[string]string, error) {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok {
			out[k] = strings.TrimSpace(v)
		}
	}
	return out, sc.Err()
}
