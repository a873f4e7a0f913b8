#!/usr/bin/env bash
# Assembles the root filesystem of one local base image into an empty directory, from this
# machine's files only: `rootfs.sh busybox|jre|node|node-build DIR`.
#   busybox     Debian's busybox-static, one symlink per applet, users root/nonroot/nobody
#   jre         busybox + a jlink'd JRE 17 at /opt/java/openjdk + the glibc it links
#   node        Node 24 at /nodejs/bin/node + glibc/libstdc++; no shell, no package manager
#   node-build  busybox + node + npm + this machine's CA bundle, for the Dockerfile's build
#               stages (RUN npm ci trusts what the host's npm trusts; no final image carries it)
# Inputs come from the environment: JDK17_HOME (jre), NODE_BIN and NPM_DIR (node, node-build).
set -euo pipefail

kind=${1:?usage: rootfs.sh busybox|jre|node|node-build DIR}
root=${2:?usage: rootfs.sh busybox|jre|node|node-build DIR}

# Modules of the JRE: what `jdeps` finds the Pyroscope Java agent needs (java.instrument,
# java.logging, java.management, jdk.jfr, jdk.unsupported) and the demo service and the test
# server need (jdk.httpserver); jdk.attach, jdk.jcmd and jdk.management for diagnosing a JVM in
# its pod; java.net.http, java.naming, jdk.crypto.ec and jdk.zipfs as a general Java service
# image carries them (HTTP client, DNS/JNDI, TLS with EC keys, zip filesystems).
JRE_MODULES=java.base,java.logging,java.management,java.instrument,java.naming,java.net.http,jdk.unsupported,jdk.jfr,jdk.attach,jdk.jcmd,jdk.management,jdk.httpserver,jdk.crypto.ec,jdk.zipfs

skeleton() {
  # Debian's merged /usr, so that paths ldd prints (/lib/...) and real paths (/usr/lib/...) agree.
  mkdir -p "$root"/usr/bin "$root"/usr/sbin "$root"/usr/lib/x86_64-linux-gnu "$root"/usr/lib64 \
    "$root"/etc "$root"/tmp "$root"/home/nonroot "$root"/root "$root"/proc "$root"/sys "$root"/dev
  ln -sfn usr/bin "$root/bin"
  ln -sfn usr/sbin "$root/sbin"
  ln -sfn usr/lib "$root/lib"
  ln -sfn usr/lib64 "$root/lib64"
  chmod 1777 "$root/tmp"
  chmod 0700 "$root/root"
  chown 65532:65532 "$root/home/nonroot"
  local shell=/sbin/nologin
  [ "$1" = with-shell ] && shell=/bin/sh
  printf '%s\n' "root:x:0:0:root:/root:$shell" \
    "nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin" \
    "nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin" >"$root/etc/passwd"
  printf '%s\n' "root:x:0:" "nonroot:x:65532:" "nobody:x:65534:" >"$root/etc/group"
  printf 'hosts: files dns\n' >"$root/etc/nsswitch.conf"
}

busybox_tree() {
  local bb=/bin/busybox
  local linkage
  linkage=$(ldd "$bb" 2>&1 || true)
  if [ ! -x "$bb" ] || [[ $linkage != *"not a dynamic"* ]]; then
    echo "error: $bb is not Debian's static busybox; install busybox-static (hack/install-host-packages.sh)" >&2
    exit 1
  fi
  install -m 0755 "$bb" "$root/usr/bin/busybox"
  local applet
  while read -r applet; do
    [ "$applet" = usr/bin/busybox ] || [ "$applet" = bin/busybox ] && continue
    mkdir -p "$root/$(dirname "$applet")"
    ln -sfn /usr/bin/busybox "$root/$applet"
  done < <("$bb" --list-full)
}

# libs_of FILE...: every shared library the files load (ldd's resolved paths), plus the loader.
libs_of() {
  local f
  for f in "$@"; do
    local out
    out=$(ldd "$f" 2>&1) || { echo "error: ldd $f: $out" >&2; exit 1; }
    if [[ $out == *"not found"* ]]; then
      echo "error: $f needs libraries this machine lacks: $(grep 'not found' <<<"$out" | tr -s ' \t' ' ')" >&2
      exit 1
    fi
    awk '/=> \//{print $3} /^\t\/[^ ]+ \(/{print $1}' <<<"$out"
  done | sort -u
}

# copy_libs FILE...: the glibc (and libstdc++) closure of the files at the paths ldd names.
copy_libs() {
  local lib
  for lib in $(libs_of "$@"); do
    [[ $lib == "$root"/* ]] && continue # the JRE's own libraries, already in place
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
    chmod 0755 "$root$lib"
  done
}

# glibc's split-out libraries that native code loaded at run time still names (the Pyroscope
# agent's async-profiler needs libdl, libpthread and librt; nothing ldd sees in the JRE does).
glibc_compat() {
  local lib
  for lib in libdl.so.2 libpthread.so.0 librt.so.1 libresolv.so.2 libutil.so.1; do
    mkdir -p "$root/lib/x86_64-linux-gnu"
    cp -L "/lib/x86_64-linux-gnu/$lib" "$root/lib/x86_64-linux-gnu/$lib"
  done
}

jre_tree() {
  local jdk=${JDK17_HOME:?JDK17_HOME must name a JDK 17 with jmods}
  local java_home="$root/opt/java/openjdk"
  mkdir -p "$root/opt/java"
  "$jdk/bin/jlink" --add-modules "$JRE_MODULES" --strip-debug --no-header-files --no-man-pages \
    --compress=2 --output "$java_home"
  # Debian's JDK points cacerts at /etc/ssl/certs/java; give the JRE a real file.
  if [ -L "$java_home/lib/security/cacerts" ]; then
    rm -f "$java_home/lib/security/cacerts"
    if [ -f "$jdk/lib/security/cacerts" ]; then cp -L "$jdk/lib/security/cacerts" "$java_home/lib/security/cacerts"; fi
  fi
  # The JRE's libraries find libjvm.so and each other by RUNPATH at run time; ldd needs the path.
  LD_LIBRARY_PATH="$java_home/lib:$java_home/lib/server" \
    copy_libs "$java_home/bin/java" $(find "$java_home" -name '*.so' -type f)
  glibc_compat
}

node_tree() {
  local node=${NODE_BIN:?NODE_BIN must name the directory of Node 24}/node
  install -D -m 0755 "$node" "$root/nodejs/bin/node"
  copy_libs "$node"
}

npm_tree() {
  local npm=${NPM_DIR:?NPM_DIR must name an installed npm package}
  mkdir -p "$root/nodejs/lib/node_modules"
  cp -a "$npm" "$root/nodejs/lib/node_modules/npm"
  ln -sfn ../lib/node_modules/npm/bin/npm-cli.js "$root/nodejs/bin/npm"
  ln -sfn ../lib/node_modules/npm/bin/npx-cli.js "$root/nodejs/bin/npx"
  ln -sfn /nodejs/bin/node "$root/usr/bin/node"
  mkdir -p "$root/etc/ssl/certs"
  cp -L /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
}

if [ -n "$(ls -A "$root" 2>/dev/null)" ]; then
  echo "error: $root is not empty" >&2
  exit 1
fi
mkdir -p "$root"
case "$kind" in
  busybox) skeleton with-shell; busybox_tree ;;
  jre) skeleton with-shell; busybox_tree; jre_tree ;;
  node) skeleton no-shell; node_tree ;;
  node-build) skeleton with-shell; busybox_tree; node_tree; npm_tree ;;
  *) echo "error: unknown base '$kind' (busybox, jre, node, node-build)" >&2; exit 1 ;;
esac
