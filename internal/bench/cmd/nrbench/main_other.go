//go:build !linux

// Command nrbench compares nonroot with the tools it replaces; user
// namespaces, capability sets of processes and pam_limits are Linux's,
// so it runs on Linux only.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "nrbench: runs on Linux only")
	os.Exit(1)
}
