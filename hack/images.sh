#!/usr/bin/env bash
# Builds the project's images from its own Dockerfiles with buildah, without any registry: base
# images assembled from this machine's files (hack/images/rootfs.sh), `buildah bud --pull=never`
# with their names as build args, one OCI archive per image in a cache keyed by the sources, and
# a manifest (name, archive, digest, size) whose path is printed on stdout. When the real node
# runs (hack/node.sh), imports the images into its containerd. FLEETSCOPE_IMAGES="agent-init
# demo-service" builds only those (the manifest then lists only them).
# Other checkouts on this machine share the cache: archives and manifests are named by their
# sources, and the lock serialises builds. FLEETSCOPE_IMAGES_CACHE moves the image cache elsewhere.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
. "$here/lib.sh"

NPM_VERSION=11.19.1
JDK17_HOME=${JDK17_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}
AGENT_VERSION=$(sed -n 's/^AGENT_VERSION=\${PYROSCOPE_AGENT_VERSION:-\([0-9.]*\)}$/\1/p' "$here/fetch-agent.sh")
IMAGES=(${FLEETSCOPE_IMAGES:-agent-init demo-service pyroscope-test operator})

dir="${FLEETSCOPE_IMAGES_CACHE:-$FLEETSCOPE_CACHE/images}"
print_dir_if_asked "$dir" "$@"

"$here/install-host-packages.sh" buildah busybox-static
require_tools "to build the images" buildah jlink sha256sum tar
[ -x "$JDK17_HOME/bin/jlink" ] || {
  echo "error: no JDK 17 with jlink at $JDK17_HOME (set JDK17_HOME)" >&2
  exit 1
}
lock_dir "$dir"
t_all=$SECONDS

# buildah's own storage under the cache; chroot isolation runs RUN steps without a container
# runtime and shares the host's network (the operator's `npm ci` reaches the npm registry).
store="$dir/buildah"
mkdir -p "$store/root" "$store/runroot" "$dir/archives"
cat >"$store/policy.json" <<'EOF'
{"default": [{"type": "reject"}], "transports": {"oci-archive": {"": [{"type": "insecureAcceptAnything"}]}, "containers-storage": {"": [{"type": "insecureAcceptAnything"}]}}}
EOF
bah() {
  buildah --storage-driver vfs --root "$store/root" --runroot "$store/runroot" "$@"
}
export BUILDAH_ISOLATION=chroot

# Temporary contexts, rootfs trees and working containers go even when a build fails.
scratch=()
containers=()
cleanup() {
  local c
  for c in "${containers[@]}"; do bah rm "$c" >/dev/null 2>&1 || true; done
  rm -rf "${scratch[@]}"
}
trap cleanup EXIT

has_image() {
  bah images --quiet "$1" >/dev/null 2>&1
}

# Inputs built or fetched by the project's other scripts (each cached).
agent_jar=$("$here/fetch-agent.sh")
standin_jar=$("$here/build-pyroscope.sh")
demo_jar=$("$repo/examples/demo-service/build.sh")
node_bin=$("$here/ensure-node.sh" --pinned)
npm_dir="$FLEETSCOPE_CACHE/npm-$NPM_VERSION"
if [ ! -f "$npm_dir/node_modules/npm/package.json" ]; then
  echo "  fetching npm $NPM_VERSION from the npm registry..." >&2
  PATH="$node_bin:$PATH" npm install --no-save --no-audit --no-fund --loglevel=error \
    --prefix "$npm_dir" "npm@$NPM_VERSION" >&2
fi

# ---- base images ----

# base_name KIND CONFIG...: the base's name, keyed by what its files come from (rootfs.sh,
# busybox, glibc, the JDK, Node, npm, the CA bundle) and its `buildah config` arguments.
base_name() {
  local kind=$1 key
  shift
  key=$({
    cat "$here/images/rootfs.sh"
    dpkg-query -W -f='${Version}\n' busybox-static libc6 libstdc++6 zlib1g
    case "$kind" in
      jre) "$JDK17_HOME/bin/java" -version 2>&1 ;;
      node) "$node_bin/node" --version ;;
      node-build) "$node_bin/node" --version; echo "npm $NPM_VERSION"; sha256sum </etc/ssl/certs/ca-certificates.crt ;;
    esac
    printf '%s\n' "$kind" "$@"
  } | sha256sum | cut -c1-12)
  echo "localhost/fleetscope/base-$kind:$key"
}

# build_base KIND NAME CONFIG...: the rootfs as one layer, then `buildah config` arguments.
build_base() {
  local kind=$1 name=$2
  shift 2
  has_image "$name" && return 0
  local t0=$SECONDS rootfs ctr mnt
  echo "  assembling base image $name..." >&2
  rootfs=$(mktemp -d "$dir/.rootfs.XXXXXX")
  scratch+=("$rootfs")
  JDK17_HOME="$JDK17_HOME" NODE_BIN="$node_bin" NPM_DIR="$npm_dir/node_modules/npm" \
    "$here/images/rootfs.sh" "$kind" "$rootfs/root"
  ctr=$(bah from --pull=never scratch)
  containers+=("$ctr")
  mnt=$(bah mount "$ctr")
  cp -a "$rootfs/root/." "$mnt/"
  bah umount "$ctr" >/dev/null
  rm -rf "$rootfs"
  bah config "$@" "$ctr"
  bah commit --quiet --rm "$ctr" "$name" >/dev/null
  echo "  base $name in $((SECONDS - t0))s" >&2
}

PATH_DEFAULT=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
# Each base's `buildah config`: busybox and the JRE as their upstream images (root, a shell or
# JAVA_HOME); Node as distroless (node as entrypoint, uid 65532); the build base as node:24-slim.
busybox_config=(--env "PATH=$PATH_DEFAULT" --cmd '["sh"]')
jre_config=(--env "PATH=/opt/java/openjdk/bin:$PATH_DEFAULT" --env JAVA_HOME=/opt/java/openjdk)
node_config=(--env "PATH=$PATH_DEFAULT" --user 65532:65532 --workingdir /home/nonroot
  --entrypoint '["/nodejs/bin/node"]')
node_build_config=(--env "PATH=/nodejs/bin:$PATH_DEFAULT" --cmd '["node"]'
  --env NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt --env NPM_CONFIG_UPDATE_NOTIFIER=false)
busybox_base=$(base_name busybox "${busybox_config[@]}")
jre_base=$(base_name jre "${jre_config[@]}")
node_base=$(base_name node "${node_config[@]}")
node_build_base=$(base_name node-build "${node_build_config[@]}")

# ---- the project's images ----

# image_key NAME: the Dockerfile, its context and its base images.
image_key() {
  {
    case "$1" in
      agent-init)
        sources_key "$repo" images/agent-init/Dockerfile
        sha256sum <"$agent_jar"
        echo "$busybox_base"
        ;;
      demo-service)
        sources_key "$repo" examples/demo-service/Dockerfile
        sha256sum <"$demo_jar"
        echo "$jre_base"
        ;;
      pyroscope-test)
        sources_key "$repo" hack/pyroscope/Dockerfile
        sha256sum <"$standin_jar"
        echo "$jre_base"
        ;;
      operator)
        sources_key "$repo" Dockerfile .dockerignore package.json package-lock.json tsconfig.json \
          tsconfig.build.json operator webhook
        echo "$node_base $node_build_base"
        ;;
    esac
  } | sha256sum | cut -c1-12
}

image_name() {
  case "$1" in
    agent-init) echo "localhost/fleetscope/agent-init:$AGENT_VERSION" ;;
    *) echo "localhost/fleetscope/$1:dev" ;;
  esac
}

# bud NAME CONTEXT DOCKERFILE BUILD-ARG...: one image, its archive, its line of the manifest.
bud() {
  local image=$1 context=$2 dockerfile=$3
  shift 3
  local name key archive
  name=$(image_name "$image")
  key=$(image_key "$image")
  archive="$dir/archives/$image-$key.tar"
  keys+=("$image-$key")
  if [ -f "$archive" ]; then
    touch "$archive"
  else
    local t0=$SECONDS args=() a
    for a in "$@"; do args+=(--build-arg "$a"); done
    echo "  building $name from $dockerfile..." >&2
    bah bud --pull=never --isolation chroot --quiet --layers=false "${args[@]}" \
      -f "$dockerfile" -t "$name" "$context" >/dev/null
    bah push --quiet --signature-policy "$store/policy.json" "$name" "oci-archive:$archive.tmp:$name"
    mv "$archive.tmp" "$archive"
    echo "  built $name in $((SECONDS - t0))s" >&2
  fi
  manifest_entry "$name" "$archive" >>"$manifest_lines"
}

# manifest_entry NAME ARCHIVE: digest (the manifest's, as containerd records it), config, User,
# entrypoint/cmd and sizes, read from the archive itself.
manifest_entry() {
  local name=$1 archive=$2 index manifest_digest manifest config_digest config
  index=$(tar -xOf "$archive" index.json)
  manifest_digest=$(node_json "$index" 'j.manifests[0].digest')
  manifest=$(tar -xOf "$archive" "blobs/sha256/${manifest_digest#sha256:}")
  config_digest=$(node_json "$manifest" 'j.config.digest')
  config=$(tar -xOf "$archive" "blobs/sha256/${config_digest#sha256:}")
  NAME=$name ARCHIVE=$archive DIGEST=$manifest_digest SIZE=$(stat -c %s "$archive") \
    MANIFEST=$manifest CONFIG=$config "$node_bin/node" -e '
      const e = process.env, m = JSON.parse(e.MANIFEST), c = JSON.parse(e.CONFIG);
      console.log(JSON.stringify({
        name: e.NAME, archive: e.ARCHIVE, digest: e.DIGEST, configDigest: m.config.digest,
        archiveBytes: Number(e.SIZE),
        layersBytes: m.layers.reduce((s, l) => s + l.size, 0),
        layers: m.layers.length,
        user: c.config.User ?? "", entrypoint: c.config.Entrypoint ?? null, cmd: c.config.Cmd ?? null,
      }));'
}

node_json() {
  J=$1 "$node_bin/node" -e "const j = JSON.parse(process.env.J); console.log($2)"
}

keys=()
mkdir -p "$dir/manifests"
manifest_lines=$(mktemp "$dir/.manifest.XXXXXX")
scratch+=("$manifest_lines" "$manifest_lines.json")
for image in "${IMAGES[@]}"; do
  case "$image" in
    agent-init)
      build_base busybox "$busybox_base" "${busybox_config[@]}"
      ctx=$(mktemp -d "$dir/.context.XXXXXX")
      scratch+=("$ctx")
      cp "$agent_jar" "$ctx/pyroscope.jar"
      bud agent-init "$ctx" "$repo/images/agent-init/Dockerfile" "BUSYBOX_IMAGE=$busybox_base"
      rm -rf "$ctx"
      ;;
    demo-service | pyroscope-test)
      build_base jre "$jre_base" "${jre_config[@]}"
      if [ "$image" = demo-service ]; then src="$repo/examples/demo-service" jar=$demo_jar to=checkout.jar
      else src="$here/pyroscope" jar=$standin_jar to=pyroscope-standin.jar; fi
      ctx=$(mktemp -d "$dir/.context.XXXXXX")
      scratch+=("$ctx")
      cp "$jar" "$ctx/$to"
      bud "$image" "$ctx" "$src/Dockerfile" "JRE_IMAGE=$jre_base"
      rm -rf "$ctx"
      ;;
    operator)
      build_base node "$node_base" "${node_config[@]}"
      build_base node-build "$node_build_base" "${node_build_config[@]}"
      bud operator "$repo" "$repo/Dockerfile" "NODE_BUILD_IMAGE=$node_build_base" "RUNTIME_IMAGE=$node_base"
      ;;
  esac
done
"$node_bin/node" -e '
  const lines = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n");
  console.log(JSON.stringify({ images: lines.map((l) => JSON.parse(l)) }, null, 2));
' "$manifest_lines" >"$manifest_lines.json"
# Named by what it lists, so that a checkout never reads another checkout's manifest.
manifest="$dir/manifests/$(printf '%s\n' "${keys[@]}" | sha256sum | cut -c1-12).json"
mv "$manifest_lines.json" "$manifest"

# Other checkouts share this cache (each with its own sources), so nothing they may still use
# goes: only archives no build has used for a week.
find "$dir/archives" -name '*.tar' -mtime +7 -delete
find "$dir/manifests" -name '*.json' -mtime +7 -delete

# Into the real node's containerd, when one runs; skipped when it already has the same digest.
if [ -x "$here/node.sh" ] && "$here/node.sh" running >/dev/null 2>&1; then
  for image in "${IMAGES[@]}"; do
    name=$(image_name "$image")
    entry=$(grep -F "\"name\":\"$name\"" <(J="$(cat "$manifest")" "$node_bin/node" -e '
      for (const i of JSON.parse(process.env.J).images) console.log(JSON.stringify(i))'))
    digest=$(node_json "$entry" 'j.digest')
    if ! "$here/node.sh" ctr -n k8s.io images ls "name==$name" 2>/dev/null | grep -qF "$digest"; then
      echo "  importing $name into the node's containerd..." >&2
      "$here/node.sh" ctr -n k8s.io images import "$(node_json "$entry" 'j.archive')" >&2
    fi
  done
else
  echo "  no real node running: images built, not imported (hack/node.sh)" >&2
fi
echo "  images ready in $((SECONDS - t_all))s" >&2
echo "$manifest"
