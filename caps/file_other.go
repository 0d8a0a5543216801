//go:build !linux

package caps

// GetFile returns ErrNotSupported outside Linux.
func GetFile(path string) (FileCaps, error) { return FileCaps{}, ErrNotSupported }

// SetFile returns ErrNotSupported outside Linux.
func SetFile(path string, fc FileCaps) error { return ErrNotSupported }

// RemoveFile returns ErrNotSupported outside Linux.
func RemoveFile(path string) error { return ErrNotSupported }
