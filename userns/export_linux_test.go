//go:build linux

package userns

// NoXattrAt makes ShiftOwnership use the l*xattr calls through
// /proc/self/fd, as on kernels before 6.13, while set; for tests of that
// path on a kernel that has getxattrat.
func NoXattrAt(on bool) (restore func()) {
	was := noXattrAt.Load()
	noXattrAt.Store(on)
	return func() { noXattrAt.Store(was) }
}
