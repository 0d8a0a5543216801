// Package usernstest runs a Go test function inside a fresh user
// namespace, the way net/http/httptest runs a server: the test binary is
// re-executed for just that test, in the namespace, and the test's pass,
// failure, skip and output come back to the calling *testing.T.
//
// A test package opts in with TestMain:
//
//	func TestMain(m *testing.M) { usernstest.Main(m) }
//
//	func TestChownAsRoot(t *testing.T) {
//		usernstest.Run(t, nil, func(t *testing.T) {
//			// uid 0 here, the caller's own uid outside
//		})
//	}
//
// A TestMain that does more calls userns.Init() first and m.Run itself:
// Main is only those two calls.
//
// The code of the test before Run runs twice, once outside and once inside;
// keep it free of side effects that must not repeat. Creating the
// namespace needs what [userns.Cmd] needs for the configuration given;
// where the system refuses, the test is skipped with the reason (or fails
// when the comma-separated NONROOT_REQUIRE lists "userns" or "all", as a
// CI that must not skip sets it).
package usernstest
