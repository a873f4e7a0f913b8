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
. "$here/lib.sh"
src="$here/pyroscope"
dir="$FLEETSCOPE_CACHE/pyroscope/standin-$(sources_key "$src" pom.xml src)"
jar="$dir/pyroscope-standin.jar"
print_dir_if_asked "$dir" "$@"
require_tools "(Java >= 17 and Maven) to build the Pyroscope test server" java mvn
lock_dir "$dir"

if [ ! -f "$jar" ]; then
  t0=$SECONDS
  echo "  building the Pyroscope test server into $dir..." >&2
  (cd "$src" && mvn -q -B -Dstyle.color=never package -Dstandin.buildDirectory="$dir/build" >&2)
  mv "$dir/build/pyroscope-standin.jar" "$jar"
  rm -rf "$dir/build"
  echo "  built in $((SECONDS - t0))s" >&2
fi
echo "$jar"
