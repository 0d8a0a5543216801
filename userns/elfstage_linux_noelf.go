//go:build linux && !amd64

package userns

// No ELF stage here yet: the shell stage serves the newuidmap path.
const elfMachine = 0

var elfStageCode []byte
