//go:build !linux

// Command tour shows why root in a container is dangerous and how each
// remedy stops it. It runs on Linux only: user namespaces, capabilities
// and per-uid limits are Linux's.
package main

import (
	"fmt"
	"os"
	"runtime"
)

func main() {
	fmt.Fprintf(os.Stderr, "tour: user namespaces are a Linux feature; this is %s (run the tour on Linux)\n", runtime.GOOS)
	os.Exit(1)
}
