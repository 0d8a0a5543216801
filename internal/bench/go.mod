module github.com/nonroot-go/nonroot/internal/bench

go 1.26.0

replace github.com/nonroot-go/nonroot => ../..

require (
	github.com/moby/sys/capability v0.5.0
	github.com/moby/sys/user v0.5.0
	github.com/nonroot-go/nonroot v0.0.0-00010101000000-000000000000
	golang.org/x/sys v0.50.0
)

require (
	kernel.org/pub/linux/libs/security/libcap/cap v1.2.78 // indirect
	kernel.org/pub/linux/libs/security/libcap/psx v1.2.78 // indirect
)
