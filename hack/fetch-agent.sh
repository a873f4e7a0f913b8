#!/usr/bin/env bash
# Fetches the Pyroscope Java agent (io.pyroscope:agent) from Maven Central with Maven, checks its
# pinned SHA-256 and caches it as pyroscope.jar; prints the jar's path on stdout.
set -euo pipefail

# 2.9.2 is the operator's default agent version (Maven Central does not serve 2.9.1).
AGENT_VERSION=${PYROSCOPE_AGENT_VERSION:-2.9.2}
declare -A SHA256=(
  [2.9.2]=ad738199a90734f7b8392bae1ab892027d411acb953ef1f00cd6e8e7c669ff8f
)
. "$(dirname "$0")/lib.sh"
dir="$FLEETSCOPE_CACHE/agent/io.pyroscope-agent-$AGENT_VERSION"
jar="$dir/pyroscope.jar"
print_dir_if_asked "$dir" "$@"

want=${SHA256[$AGENT_VERSION]:-}
if [ -z "$want" ]; then
  echo "error: no pinned SHA-256 for io.pyroscope:agent:$AGENT_VERSION; add it to $0" >&2
  exit 1
fi
lock_dir "$dir"

if [ -f "$jar" ] && echo "$want  $jar" | sha256sum --check --status; then
  echo "$jar"
  exit 0
fi
require_tools "(Maven) to fetch the Pyroscope Java agent" mvn

echo "  fetching io.pyroscope:agent:$AGENT_VERSION from Maven Central..." >&2
tmp=$(mktemp -d "$dir/.fetch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mvn -q -B -Dstyle.color=never org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy \
  -Dartifact="io.pyroscope:agent:$AGENT_VERSION" -DoutputDirectory="$tmp" -Dmdep.overWriteReleases=true >&2
got=$(sha256sum "$tmp/agent-$AGENT_VERSION.jar" | cut -d' ' -f1)
if [ "$got" != "$want" ]; then
  echo "error: io.pyroscope:agent:$AGENT_VERSION has SHA-256 $got, expected $want" >&2
  exit 1
fi
mv "$tmp/agent-$AGENT_VERSION.jar" "$jar"
echo "  agent $AGENT_VERSION verified (sha256 $got)" >&2
echo "$jar"
