//go:build tools

// Package etcd only records, for `go mod tidy`, that etcd's server command is built here.
package etcd

import _ "go.etcd.io/etcd/server/v3"
