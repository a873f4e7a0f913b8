//go:build tools

// Package kwok only records, for `go mod tidy`, which kwok commands are built here.
package kwok

import (
	_ "sigs.k8s.io/kwok/cmd/kwok"
	_ "sigs.k8s.io/kwok/cmd/kwokctl"
)
