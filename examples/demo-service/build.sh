#!/usr/bin/env bash
# Builds the checkout demo service with Maven into a cache directory keyed by its sources;
# prints the runnable jar's path on stdout.
set -euo pipefail

src=$(cd "$(dirname "$0")" && pwd)
. "$src/../../hack/lib.sh"
dir="$FLEETSCOPE_CACHE/demo-service/checkout-$(sources_key "$src" pom.xml src)"
jar="$dir/checkout.jar"
print_dir_if_asked "$dir" "$@"
require_tools "(Java >= 17 and Maven) to build the demo service" java mvn
lock_dir "$dir"

if [ ! -f "$jar" ]; then
  t0=$SECONDS
  echo "  building the checkout demo service into $dir..." >&2
  (cd "$src" && mvn -q -B -Dstyle.color=never package -Dcheckout.buildDirectory="$dir/build" >&2)
  mv "$dir/build/checkout.jar" "$jar"
  rm -rf "$dir/build"
  echo "  built in $((SECONDS - t0))s" >&2
fi
echo "$jar"
