//go:build linux

package userns

import "errors"

func isNestingLimit(err error) bool { return errors.Is(err, ErrNestingLimit) }
