#!/usr/bin/env bash
# Builds the Pyroscope-compatible test server (hack/pyroscope, JDK only) into a cache directory
# keyed by its sources; prints the runnable jar's path on stdout.
#
# The real Pyroscope server (github.com/grafana/pyroscope/v2, AGPL-3.0) is not served by the Go
# module proxy this project can reach, so data-path tests run against this stand-in, which speaks
# the agent's /ingest protocol and the subset of the querier.v1 Connect API Fleetscope uses.
# See docs/adr/0004-data-path-proof.md.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src="$here/pyroscope"
cache=${FLEETSCOPE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/fleetscope}
key=$(cd "$src" && find pom.xml src -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-12)
dir="$cache/pyroscope/standin-$key"
jar="$dir/pyroscope-standin.jar"

# `--dir` only names the cache directory, for callers that must not wait for a build.
if [ "${1:-}" = --dir ]; then
  echo "$dir"
  exit 0
fi

for tool in java mvn; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "error: $tool (Java >= 17 and Maven) is required to build the Pyroscope test server; install it and retry" >&2
    exit 1
  fi
done
mkdir -p "$dir"
exec 9>"$dir/.lock"
flock 9

if [ ! -f "$jar" ]; then
  t0=$SECONDS
  echo "  building the Pyroscope test server into $dir..." >&2
  (cd "$src" && mvn -q -B -Dstyle.color=never package -Dstandin.buildDirectory="$dir/build" >&2)
  mv "$dir/build/pyroscope-standin.jar" "$jar"
  rm -rf "$dir/build"
  echo "  built in $((SECONDS - t0))s" >&2
fi
echo "$jar"
