//go:build !linux

package caps

// Value is one capability by number. On Linux it is libcap's cap.Value;
// libcap does not build elsewhere, so here it is a plain number.
type Value uint
