//go:build linux

package userns

import (
	"errors"
	"strconv"
	"strings"

	"github.com/nonroot-go/nonroot/idmap"
)

func isNestingLimit(err error) bool { return errors.Is(err, ErrNestingLimit) }

type mapT = idmap.Map

func errorsIs(err, target error) bool { return errors.Is(err, target) }

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func formatUint(v uint64) string { return strconv.FormatUint(v, 10) }
