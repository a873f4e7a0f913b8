#!/usr/bin/env bash
# Prints the directory of a Node.js >= 22.19 for the Makefile to put first on PATH: the
# system's node when it is new enough, else Node 24 from the npm registry's node-linux-*
# package, cached outside the work tree. Never touches the system's Node. With `--pinned`, always
# the cached Node (the operator image is built from it, whatever the system has).
set -euo pipefail

NODE_VERSION=24.21.0
cache=${FLEETSCOPE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/fleetscope}

if [ "${1:-}" != --pinned ] && command -v node >/dev/null 2>&1; then
  if node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>22||(a===22&&b>=19)?0:1)'; then
    dirname "$(command -v node)"
    exit 0
  fi
fi

case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64|arm64) arch=arm64 ;;
  *) echo "error: no Node.js >= 22.19 found and no node-linux package for $(uname -m)" >&2; exit 1 ;;
esac
dir="$cache/node-$NODE_VERSION"
if [ ! -x "$dir/node_modules/node-linux-$arch/bin/node" ]; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "error: npm is required to fetch Node.js $NODE_VERSION (system node is missing or older than 22.19)" >&2
    exit 1
  fi
  echo "fetching Node.js $NODE_VERSION from the npm registry into $dir" >&2
  mkdir -p "$dir"
  npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$dir" "node-linux-$arch@$NODE_VERSION" >&2
fi
echo "$dir/node_modules/node-linux-$arch/bin"
