#!/usr/bin/env bash
# Builds the local control plane (kube-apiserver, kube-controller-manager, kube-scheduler,
# kubectl, etcd, kwok, kwokctl) from the Go module proxy into a versioned cache directory.
# `--with-kubelet` also builds the kubelet, which only the real node (hack/node.sh) needs.
# A binary already in the cache is not rebuilt, so a second run costs well under a second.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
KUBE_VERSION=v1.35.4
ETCD_VERSION=v3.6.16
KWOK_VERSION=v0.8.0
. "$here/lib.sh"
bin="$FLEETSCOPE_CACHE/controlplane/k8s-$KUBE_VERSION-etcd-$ETCD_VERSION-kwok-$KWOK_VERSION"
print_dir_if_asked "$bin" "$@"
require_tools "(the Go toolchain, >= 1.26) to build the local control plane" go
lock_dir "$bin"

started=$SECONDS
build() { # build NAME MODULE_DIR PACKAGE LDFLAGS
  local name=$1 dir=$2 pkg=$3 ldflags=$4
  if [ -x "$bin/$name" ]; then return 0; fi
  local t0=$SECONDS
  echo "  building $name ($pkg)..." >&2
  (cd "$here/$dir" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w $ldflags" -o "$bin/$name.tmp.$$" "$pkg")
  mv "$bin/$name.tmp.$$" "$bin/$name"
  echo "  built $name in $((SECONDS - t0))s" >&2
}

missing=0
for n in kube-apiserver kube-controller-manager kube-scheduler kubectl etcd kwok kwokctl; do
  [ -x "$bin/$n" ] || missing=1
done
if [ $missing = 1 ]; then
  echo "Building the local control plane from the Go module proxy into $bin" >&2
  echo "(first build only: about 10-20 minutes on 2 cores; later runs reuse the cache)" >&2
fi

kv="-X k8s.io/component-base/version.gitVersion=$KUBE_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=35 -X k8s.io/component-base/version.gitTreeState=clean"
kwokv="-X sigs.k8s.io/kwok/pkg/consts.Version=$KWOK_VERSION -X sigs.k8s.io/kwok/pkg/consts.KubeVersion=$KUBE_VERSION"
etcdv=""
build etcd etcd go.etcd.io/etcd/server/v3 "$etcdv"
build kwok kwok sigs.k8s.io/kwok/cmd/kwok "$kwokv"
build kwokctl kwok sigs.k8s.io/kwok/cmd/kwokctl "$kwokv"
build kube-apiserver controlplane k8s.io/kubernetes/cmd/kube-apiserver "$kv"
build kube-controller-manager controlplane k8s.io/kubernetes/cmd/kube-controller-manager "$kv"
build kube-scheduler controlplane k8s.io/kubernetes/cmd/kube-scheduler "$kv"
build kubectl controlplane k8s.io/kubernetes/cmd/kubectl "$kv"
if [ "${1:-}" = --with-kubelet ]; then
  build kubelet controlplane k8s.io/kubernetes/cmd/kubelet "$kv"
fi

[ $missing = 1 ] && echo "Control plane built in $((SECONDS - started))s" >&2
echo "$bin"
