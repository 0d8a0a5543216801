//go:build !unix

package idmap

// lockState would need LockFileEx on Windows; the allocator is for hosts
// that run user namespaces.
func lockState(string) (func(), error) { return nil, ErrNotSupported }

func syncDir(string) error { return ErrNotSupported }
