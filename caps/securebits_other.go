//go:build !linux

package caps

// Securebits are the securebits of a thread (capabilities(7)). On Linux
// this is libcap's cap.Secbits.
type Securebits uint
