module github.com/nonroot-go/nonroot

go 1.26.0
