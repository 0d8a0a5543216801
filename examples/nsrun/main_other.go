//go:build !linux

// Command nsrun runs a command in a new user namespace. It runs on Linux
// only.
package main

import (
	"fmt"
	"os"
	"runtime"
)

func main() {
	fmt.Fprintf(os.Stderr, "nsrun: user namespaces are a Linux feature; this is %s\n", runtime.GOOS)
	os.Exit(125)
}
