//go:build !linux

package testenv

import (
	"errors"
	"runtime"
)

var errNotLinux = errors.New("user namespaces need Linux; this is " + runtime.GOOS)

// ProbeUserNS reports that user namespaces need Linux.
func ProbeUserNS() error { return errNotLinux }

// ProbeMultiMap reports that user namespaces need Linux.
func ProbeMultiMap() error { return errNotLinux }

// ProbeSetID reports that this probe needs Linux.
func ProbeSetID() error { return errNotLinux }

// ProbeNewuidmap reports that newuidmap needs Linux.
func ProbeNewuidmap(uint64) error { return errNotLinux }
