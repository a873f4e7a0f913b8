#!/usr/bin/env bash
# Builds the checkout demo service with Maven into a cache directory keyed by its sources;
# prints the runnable jar's path on stdout.
set -euo pipefail

src=$(cd "$(dirname "$0")" && pwd)
cache=${FLEETSCOPE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/fleetscope}
key=$(cd "$src" && find pom.xml src -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-12)
dir="$cache/demo-service/checkout-$key"
jar="$dir/checkout.jar"

# `--dir` only names the cache directory, for callers that must not wait for a build.
if [ "${1:-}" = --dir ]; then
  echo "$dir"
  exit 0
fi

for tool in java mvn; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "error: $tool (Java >= 17 and Maven) is required to build the demo service; install it and retry" >&2
    exit 1
  fi
done
mkdir -p "$dir"
exec 9>"$dir/.lock"
flock 9

if [ ! -f "$jar" ]; then
  t0=$SECONDS
  echo "  building the checkout demo service into $dir..." >&2
  (cd "$src" && mvn -q -B -Dstyle.color=never package -Dcheckout.buildDirectory="$dir/build" >&2)
  mv "$dir/build/checkout.jar" "$jar"
  rm -rf "$dir/build"
  echo "  built in $((SECONDS - t0))s" >&2
fi
echo "$jar"
