//go:build linux

package main

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strings"

	"golang.org/x/sys/unix"
)

// machine names what the figures were measured on.
type machine struct {
	Kernel string `json:"kernel"`
	CPU    string `json:"cpu"`
	NProc  int    `json:"nproc"`
	Go     string `json:"go"`
	Procs  int    `json:"procs"` // processes running when the fixtures were up
	// LoadStart and LoadEnd are /proc/loadavg's 1-minute figure before
	// and after the run: how shared the machine was.
	LoadStart, LoadEnd string
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return "?"
	}
	return f[0]
}

func describe() machine {
	m := machine{CPU: "unknown", NProc: runtime.NumCPU(), Go: runtime.Version(), LoadStart: loadavg()}
	var u unix.Utsname
	if unix.Uname(&u) == nil {
		m.Kernel = unix.ByteSliceToString(u.Release[:])
	}
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	return m
}

func countProcs() int {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	n := 0
	for _, e := range ents {
		if c := e.Name()[0]; c >= '1' && c <= '9' {
			n++
		}
	}
	return n
}

func (m machine) String() string {
	s := fmt.Sprintf("%s, %d CPUs, Linux %s, %s", m.CPU, m.NProc, m.Kernel, m.Go)
	if m.Procs > 0 {
		s += fmt.Sprintf(", %d processes running during the scans", m.Procs)
	}
	if m.LoadEnd != "" {
		s += fmt.Sprintf(", load average %s at the start and %s at the end", m.LoadStart, m.LoadEnd)
	}
	return s
}
