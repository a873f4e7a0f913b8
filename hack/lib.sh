# Shared by the build and fetch scripts (sourced): the cache root, `--dir`, tool checks, a lock
# per cache directory, and a key naming a build by the hash of its sources.

FLEETSCOPE_CACHE=${FLEETSCOPE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/fleetscope}

# print_dir_if_asked DIR ARGS...: with `--dir`, only names the cache directory (for callers that
# must not wait for a build) and exits.
print_dir_if_asked() {
  if [ "${2:-}" = --dir ]; then
    echo "$1"
    exit 0
  fi
}

# require_tools "to build X" TOOL...: a clear error naming the missing tool.
require_tools() {
  local why=$1
  shift
  for tool in "$@"; do
    if ! command -v "$tool" >/dev/null 2>&1; then
      echo "error: '$tool' is required $why; install it and retry" >&2
      exit 1
    fi
  done
}

# lock_dir DIR: creates DIR and holds its lock until the script exits, so two callers (make
# targets run side by side) never build into the same files.
lock_dir() {
  mkdir -p "$1"
  exec 9>"$1/.lock"
  flock 9
}

# sources_key DIR PATH...: 12 hex digits that change whenever a file under the paths changes.
sources_key() {
  (cd "$1" && shift && find "$@" -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-12)
}
