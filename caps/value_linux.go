//go:build linux

package caps

import "kernel.org/pub/linux/libs/security/libcap/cap"

// Value is one capability, libcap's cap.Value: cap.CHOWN, cap.SYS_ADMIN
// and the rest can be passed where a Value is wanted.
type Value = cap.Value
