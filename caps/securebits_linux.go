//go:build linux

package caps

import "kernel.org/pub/linux/libs/security/libcap/cap"

// Securebits are the securebits of a thread (capabilities(7)), libcap's
// cap.Secbits: cap.SecbitNoRoot, cap.SecbitKeepCaps and the rest.
type Securebits = cap.Secbits
