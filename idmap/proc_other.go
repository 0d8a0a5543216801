//go:build !linux

package idmap

// ReadUIDMap returns [ErrNotSupported]: user namespaces are Linux's.
func ReadUIDMap(pid int) (Map, error) { return Map{}, ErrNotSupported }

// ReadGIDMap returns [ErrNotSupported]: user namespaces are Linux's.
func ReadGIDMap(pid int) (Map, error) { return Map{}, ErrNotSupported }

// SelfUIDMap returns [ErrNotSupported]: user namespaces are Linux's.
func SelfUIDMap() (Map, error) { return Map{}, ErrNotSupported }

// SelfGIDMap returns [ErrNotSupported]: user namespaces are Linux's.
func SelfGIDMap() (Map, error) { return Map{}, ErrNotSupported }
