//go:build tools

// Package helm only records, for `go mod tidy`, which upstream command hack/build-helm.sh builds.
package helm

import (
	_ "helm.sh/helm/v4/cmd/helm"
)
