#!/usr/bin/env bash
# Installs the Debian packages the project's host-side tools need (apt-get, idempotent; prints
# nothing when every package is there).
#   install-host-packages.sh [PACKAGE...]          install what is missing (root); with no
#                                                  names, the set the image builds need
#   install-host-packages.sh --check [PACKAGE...]  print what is missing and exit 1 if anything
#                                                  is; installs nothing
set -euo pipefail

check=0
if [ "${1:-}" = --check ]; then
  check=1
  shift
fi
packages=("$@")
if [ ${#packages[@]} -eq 0 ]; then
  packages=(buildah busybox-static)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ $check = 1 ]; then
  echo "missing Debian packages: ${missing[*]}"
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "error: Debian packages ${missing[*]} are required and apt-get is not available; install them and retry" >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "error: Debian packages ${missing[*]} are required; installing them needs root (run: apt-get install ${missing[*]})" >&2
  exit 1
fi
t0=$SECONDS
echo "  installing Debian packages: ${missing[*]}..." >&2
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=300 update -qq >&2
apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "  installed in $((SECONDS - t0))s" >&2
