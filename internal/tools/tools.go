// Package tools pins the lint tools this project runs in CI. They are
// kept in their own module so that the library's go.mod names only what
// the library itself imports. Run them with
//
//	go tool -modfile=internal/tools/go.mod staticcheck ./...
//	go tool -modfile=internal/tools/go.mod gofumpt -l .
package tools
