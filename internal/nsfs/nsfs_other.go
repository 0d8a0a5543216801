//go:build !linux

package nsfs

import "os"

// UserNS returns ErrNotSupported outside Linux.
func UserNS(pid int) (ID, error) { return ID{}, ErrNotSupported }

// Self returns ErrNotSupported outside Linux.
func Self() (ID, error) { return ID{}, ErrNotSupported }

// IsInitial returns ErrNotSupported outside Linux.
func IsInitial() (bool, error) { return false, ErrNotSupported }

// FullIdentityMap returns ErrNotSupported outside Linux.
func FullIdentityMap() (bool, error) { return false, ErrNotSupported }

// OwnerUID returns ErrNotSupported outside Linux.
func OwnerUID(pid int) (uint32, error) { return 0, ErrNotSupported }

// Relate returns ErrNotSupported outside Linux.
func Relate(pid int) (Relation, int, error) { return Unknown, 0, ErrNotSupported }

// Describe returns ErrNotSupported outside Linux.
func Describe(pid int) (Info, error) { return Info{}, ErrNotSupported }

// DescribeFile returns ErrNotSupported outside Linux.
func DescribeFile(f *os.File) (Info, error) { return Info{}, ErrNotSupported }

// DescribeFD returns ErrNotSupported outside Linux.
func DescribeFD(fd int, name string) (Info, error) { return Info{}, ErrNotSupported }
