#!/usr/bin/env bash
# Installs the Debian packages the real node needs (containerd, runc, CNI plugins, buildah,
# iptables, conntrack) with apt-get; skipped when all are present, so a second run costs nothing.
#   node-packages.sh          install what is missing (root only)
#   node-packages.sh --check  print what is missing and exit 1 if anything is; installs nothing
set -euo pipefail

PACKAGES=(containerd runc containernetworking-plugins buildah iptables conntrack)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} = 0 ] && exit 0
if [ "${1:-}" = --check ]; then
  echo "missing Debian packages: ${missing[*]}"
  exit 1
fi
if [ "$(id -u)" != 0 ]; then
  echo "error: installing ${missing[*]} needs root (apt-get); run as root or install them" >&2
  exit 1
fi
command -v apt-get >/dev/null || { echo "error: apt-get not found; install ${missing[*]}" >&2; exit 1; }
echo "installing Debian packages: ${missing[*]}" >&2
t0=$SECONDS
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=300 update -qq >&2
apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}" >&2
echo "installed in $((SECONDS - t0))s" >&2
