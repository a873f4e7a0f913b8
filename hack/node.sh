#!/usr/bin/env bash
# Joins one real node (kubelet + containerd + runc, a CNI bridge) to the local control plane
# and removes it again, undoing every change it made to the host. Only one such node can run on
# a machine (port 10250 and a few fixed paths are shared), so a second one is refused.
#   node.sh up        start the node if the machine allows it; exit 3 naming what is missing
#   node.sh down      stop it by PID and restore the host as it was before `up`
#   node.sh running   exit 0 when the node is Ready
#   node.sh check     print what the machine lacks for a real node; exit 3 if anything
#   node.sh ctr ARGS  run ctr against the node's containerd
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
here="$root/hack"
. "$here/lib.sh"
state=${FLEETSCOPE_CLUSTER_DIR:-$root/.cluster}
node="$state/node"
export KUBECONFIG="$state/kubeconfig"

NODE_NAME=${FLEETSCOPE_NODE_NAME:-real-node}
NODE_LABEL=fleetscope.io/real-node
BRIDGE=fleetscope0
POD_CIDR=10.88.77.0/24
POD_GATEWAY=10.88.77.1
PAUSE_IMAGE=localhost/fleetscope/pause:1
# The machine-wide record of the one node: which checkout owns it.
OWNER=/run/fleetscope-node.owner
SOCK="$node/containerd/containerd.sock"
# Paths outside the state dir that kubelet, containerd or CNI create; removed on `down` when
# `up` found them absent.
FIXED_PATHS=(/var/lib/kubelet/device-plugins /var/lib/kubelet /var/log/containers /var/log/pods
  /run/containerd/s /run/containerd/fifo /run/containerd/runc /run/containerd
  /var/lib/cni/results /var/lib/cni /run/netns /etc/cni /opt/cni /opt/containerd)
# Sysctls kubelet, the CNI bridge or containerd set; restored on `down`.
SYSCTLS=(vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops
  kernel.keys.root_maxkeys kernel.keys.root_maxbytes net.ipv4.ip_forward
  net.ipv6.conf.all.forwarding net.ipv4.conf.all.route_localnet)
IPT_TABLES=(filter nat mangle raw)

bin=$("$here/build-controlplane.sh" --dir)
kubectl() { "$bin/kubectl" "$@"; }
say() { echo "real node: $*" >&2; }

# The Debian packages a node runs on (hack/install-host-packages.sh installs what is missing).
NODE_PACKAGES=(containerd runc containernetworking-plugins buildah iptables conntrack)

# missing: the reasons this machine cannot run a node, one a line (empty when it can).
missing() {
  [ "$(uname -s)" = Linux ] || echo "Linux (this is $(uname -s))"
  [ "$(id -u)" = 0 ] || echo "root (kubelet, containerd and the CNI bridge need it; running as uid $(id -u))"
  [ -d /sys/fs/cgroup ] || echo "cgroups mounted at /sys/fs/cgroup"
  command -v gcc >/dev/null || echo "gcc (builds the pause image)"
  command -v go >/dev/null || echo "the Go toolchain (builds the kubelet)"
  if ! "$here/install-host-packages.sh" --check "${NODE_PACKAGES[@]}" >/dev/null; then
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
      "$here/install-host-packages.sh" --check "${NODE_PACKAGES[@]}" || true
    fi
  fi
  if [ -e "$OWNER" ] && [ "$(cat "$OWNER")" != "$node" ]; then
    echo "a free machine: a real node of $(cat "$OWNER") already runs here (one per machine; stop it there with make cluster-down)"
  fi
}

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

running() {
  pid_alive "$node/kubelet.pid" && pid_alive "$node/containerd.pid" &&
    [ "$(kubectl get node "$NODE_NAME" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" = True ]
}

# record_host: what the host looks like before the node touches it, for `down` to restore.
record_host() {
  [ -f "$node/host-before.env" ] && return 0
  local k v p t cmd h c
  {
    for k in "${SYSCTLS[@]}"; do
      if v=$(sysctl -n "$k" 2>/dev/null); then printf 'sysctl %s %s\n' "$k" "$(echo $v)"; fi
    done
    for p in "${FIXED_PATHS[@]}"; do
      if [ -e "$p" ]; then printf 'path %s\n' "$p"; fi
    done
    for t in "${IPT_TABLES[@]}"; do
      for cmd in iptables ip6tables; do
        { $cmd -t "$t" -S 2>/dev/null || true; } | awk -v c="$cmd" -v t="$t" '$1 == "-N" {print "chain", c, t, $2}'
      done
    done
    for h in /sys/fs/cgroup/*/; do
      for c in kubepods k8s.io; do
        if [ -d "$h$c" ]; then printf 'cgroup %s%s\n' "$h" "$c"; fi
      done
    done
    { ls /run/netns 2>/dev/null || true; } | sed 's/^/netns /'
  } >"$node/host-before.env.tmp"
  mv "$node/host-before.env.tmp" "$node/host-before.env"
}
before() { [ -f "$node/host-before.env" ] && grep -qxF "$*" "$node/host-before.env"; }

# pause_image: a static pause binary in an image built from scratch, cached by source hash.
pause_image() {
  local dir="$FLEETSCOPE_CACHE/node" key
  key=$(sources_key "$here/node" pause.c)
  local archive="$dir/pause-$key.tar"
  if [ ! -f "$archive" ]; then
    lock_dir "$dir"
    say "building the pause image"
    local b="$dir/build-$$"
    rm -rf "$b" && mkdir -p "$b"
    gcc -Os -static -o "$b/pause" "$here/node/pause.c"
    local bh=(buildah --storage-driver vfs --root "$b/root" --runroot "$b/runroot") created=()
    # buildah creates these machine-wide lock and cache paths even with its own root.
    for p in /etc/cni /etc/containers/networks /run/containers /var/lib/containers; do
      [ -e "$p" ] || created+=("$p")
    done
    local c
    c=$("${bh[@]}" from scratch)
    "${bh[@]}" copy "$c" "$b/pause" /pause >/dev/null
    "${bh[@]}" config --entrypoint '["/pause"]' --user 65535:65535 "$c"
    "${bh[@]}" commit -q "$c" "$PAUSE_IMAGE" >/dev/null
    "${bh[@]}" push -q "$PAUSE_IMAGE" "oci-archive:$archive.tmp:$PAUSE_IMAGE"
    mv "$archive.tmp" "$archive"
    "${bh[@]}" rm -a >/dev/null 2>&1 || true
    rm -rf "$b" "${created[@]}"
  fi
  echo "$archive"
}

write_configs() {
  mkdir -p "$node/cni" "$node/containerd" "$node/kubelet" "$node/pod-logs"
  cat >"$node/containerd/config.toml" <<EOF
version = 2
root = "$node/containerd/root"
state = "$node/containerd/state"
disabled_plugins = ["io.containerd.internal.v1.opt", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.snapshotter.v1.aufs", "io.containerd.tracing.processor.v1.otlp"]
[grpc]
  address = "$SOCK"
[ttrpc]
  address = "$SOCK.ttrpc"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  # runc cannot lower oom_score_adj where CAP_SYS_RESOURCE is dropped even for root.
  restrict_oom_score_adj = true
  disable_apparmor = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$node/cni"
EOF
  cat >"$node/cni/10-fleetscope.conflist" <<EOF
{
  "cniVersion": "0.4.0",
  "name": "fleetscope",
  "plugins": [
    {
      "type": "bridge", "bridge": "$BRIDGE", "isGateway": true, "ipMasq": false, "hairpinMode": true,
      "ipam": {"type": "host-local", "dataDir": "$node/cni-ipam", "ranges": [[{"subnet": "$POD_CIDR", "gateway": "$POD_GATEWAY"}]],
               "routes": [{"dst": "0.0.0.0/0"}]}
    },
    {"type": "loopback"}
  ]
}
EOF
  # Pods resolve no names outside the cluster: the local node has no DNS server.
  echo "options ndots:1" >"$node/resolv.conf"
  cat >"$node/kubelet/config.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
cgroupDriver: cgroupfs
failCgroupV1: false
containerRuntimeEndpoint: unix://$SOCK
imageServiceEndpoint: unix://$SOCK
# The kubelet port is reached only from this machine (kube-apiserver for logs and exec).
authentication:
  anonymous: {enabled: true}
  webhook: {enabled: false}
authorization: {mode: AlwaysAllow}
readOnlyPort: 0
healthzPort: 0
failSwapOn: false
podCIDR: $POD_CIDR
registerWithTaints:
- {key: $NODE_LABEL, value: "true", effect: NoSchedule}
resolvConf: $node/resolv.conf
podLogsDir: $node/pod-logs
evictionHard: {nodefs.available: "1%", imagefs.available: "1%", memory.available: "100Mi"}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
EOF
}

node_ip() {
  ip -4 -o route get 1.1.1.1 2>/dev/null | sed -n 's/.* src \([0-9.]*\).*/\1/p'
}

# start NAME LOG CMD...: runs CMD in the background from the state dir and records its PID
# (exec, so the PID is the program's own, not a subshell's).
start() {
  local name=$1 log=$2
  shift 2
  (cd "$node" && exec "$@") >"$log" 2>&1 </dev/null &
  echo $! >"$node/$name.pid"
}

up() {
  if running; then
    say "'$NODE_NAME' is Ready"
    return 0
  fi
  if ! [ -f "$KUBECONFIG" ] || ! kubectl get --raw /readyz >/dev/null 2>&1; then
    echo "error: the local control plane is not running (make cluster)" >&2
    exit 1
  fi
  local why
  why=$(missing)
  if [ -n "$why" ]; then
    say "not started; this machine lacks:"
    echo "$why" | sed 's/^/  - /' >&2
    exit 3
  fi
  # A half-started node (a crash, an interrupted run) is torn down before starting afresh.
  [ -d "$node" ] && down >/dev/null
  local t0=$SECONDS
  "$here/install-host-packages.sh" "${NODE_PACKAGES[@]}"
  say "building the kubelet (cached after the first build)"
  "$here/build-controlplane.sh" --with-kubelet >/dev/null
  mkdir -p "$node"
  echo "$node" >"$OWNER"
  record_host
  local archive ip
  archive=$(pause_image)
  ip=$(node_ip)
  [ -n "$ip" ] || { echo "error: no non-loopback IPv4 address for the kubelet's --node-ip" >&2; exit 1; }
  write_configs
  say "starting containerd $(containerd --version | awk '{print $3}')"
  start containerd "$node/containerd.log" containerd --config "$node/containerd/config.toml"
  for _ in $(seq 1 100); do
    ctr version >/dev/null 2>&1 && break
    pid_alive "$node/containerd.pid" || { tail -20 "$node/containerd.log" >&2; exit 1; }
    sleep 0.1
  done
  ctr -n k8s.io images import "$archive" >/dev/null
  say "starting kubelet as node '$NODE_NAME' ($ip)"
  start kubelet "$node/kubelet.log" "$bin/kubelet" \
    --config "$node/kubelet/config.yaml" \
    --kubeconfig "$KUBECONFIG" \
    --root-dir "$node/kubelet/root" \
    --cert-dir "$node/kubelet/pki" \
    --hostname-override "$NODE_NAME" \
    --node-ip "$ip" \
    --node-labels "$NODE_LABEL=true"
  for _ in $(seq 1 240); do
    running && break
    pid_alive "$node/kubelet.pid" || { tail -30 "$node/kubelet.log" >&2; exit 1; }
    sleep 0.25
  done
  running || { tail -30 "$node/kubelet.log" >&2; echo "error: node '$NODE_NAME' not Ready in 60s" >&2; exit 1; }
  say "'$NODE_NAME' Ready in $((SECONDS - t0))s (label $NODE_LABEL=true, taint $NODE_LABEL=true:NoSchedule)"
}

# stop PIDFILE: TERM, then KILL after 10 s.
stop() {
  pid_alive "$1" || { rm -f "$1"; return 0; }
  local pid
  pid=$(cat "$1")
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$1"
}

# Processes left behind by the node: containerd shims serving our socket and anything in the
# node's cgroups (containers).
leftover_pids() {
  local p cmd
  for p in /proc/[0-9]*; do
    cmd=$(tr '\0' ' ' 2>/dev/null <"$p/cmdline") || continue
    if [[ $cmd == *containerd-shim*"-address $SOCK "* ]] ||
      grep -qE ':/(kubepods|k8s\.io)(/|$)' "$p/cgroup" 2>/dev/null; then
      echo "${p#/proc/}"
    fi
  done
}

down() {
  [ -d "$node" ] || return 0
  say "stopping"
  stop "$node/kubelet.pid"
  if pid_alive "$node/containerd.pid"; then
    local t
    for t in $(ctr -n k8s.io tasks ls -q 2>/dev/null); do
      ctr -n k8s.io tasks kill -s SIGKILL "$t" >/dev/null 2>&1 || true
    done
    sleep 0.5
    for t in $(ctr -n k8s.io tasks ls -q 2>/dev/null); do
      ctr -n k8s.io tasks delete -f "$t" >/dev/null 2>&1 || true
    done
  fi
  stop "$node/containerd.pid"
  local pids
  pids=$(leftover_pids)
  if [ -n "$pids" ]; then
    kill -KILL $pids 2>/dev/null || true
    sleep 0.5
  fi
  # Mounts under the state dir (the kubelet's bind-mounted root, volumes, rootfs, shm) and the
  # pods' network namespaces, deepest first.
  local m n
  for m in $(awk '{print $5}' /proc/self/mountinfo | { grep -E "^($node/|/run/netns/|/run/containerd/)" || true; } | sort -r); do
    case $m in /run/netns/*) if before "netns $(basename "$m")"; then continue; fi ;; esac
    umount -l "$m" 2>/dev/null || true
  done
  for n in $(ls /run/netns 2>/dev/null || true); do
    if ! before "netns $n"; then rm -f "/run/netns/$n"; fi
  done
  # A pod's veth whose sandbox was torn down last can outlive the bridge; remove what hangs on it.
  for l in $(ip -o link show master "$BRIDGE" 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1); do
    ip link del "$l" 2>/dev/null || true
  done
  ip link del "$BRIDGE" 2>/dev/null || true
  restore_iptables
  remove_cgroups
  if [ -f "$node/host-before.env" ]; then
    while read -r kind k v; do
      [ "$kind" = sysctl ] || continue
      [ "$(echo $(sysctl -n "$k" 2>/dev/null))" = "$v" ] || sysctl -qw "$k=$v" || echo "warning: could not restore $k=$v" >&2
    done <"$node/host-before.env"
    for p in "${FIXED_PATHS[@]}"; do
      if ! before "path $p"; then rm -rf "$p"; fi
    done
  fi
  if [ -f "$KUBECONFIG" ]; then
    kubectl delete node "$NODE_NAME" --ignore-not-found --wait=false >/dev/null 2>&1 || true
  fi
  rm -rf "$node"
  [ -f "$OWNER" ] && [ "$(cat "$OWNER")" = "$node" ] && rm -f "$OWNER"
  say "stopped; host restored"
}

# Chains the kubelet adds (KUBE-FIREWALL, KUBE-KUBELET-CANARY, KUBE-IPTABLES-HINT, ...): the
# rules jumping to them first, then the chains.
restore_iptables() {
  local cmd t c
  for cmd in iptables ip6tables; do
    command -v $cmd >/dev/null || continue
    for t in "${IPT_TABLES[@]}"; do
      local new=()
      for c in $($cmd -t "$t" -S 2>/dev/null | awk '$1 == "-N" && $2 ~ /^(KUBE|CNI)-/ {print $2}'); do
        [ -f "$node/host-before.env" ] && before "chain $cmd $t $c" && continue
        new+=("$c")
      done
      [ ${#new[@]} = 0 ] && continue
      local rule rules
      for c in "${new[@]}"; do
        rules=$($cmd -t "$t" -S 2>/dev/null | { grep -E -- "^-A .* -j $c( |$)" || true; })
        while read -r rule; do
          [ -n "$rule" ] && eval "$cmd -t $t ${rule/#-A /-D }" 2>/dev/null || true
        done <<<"$rules"
      done
      for c in "${new[@]}"; do $cmd -t "$t" -F "$c" 2>/dev/null || true; done
      for c in "${new[@]}"; do $cmd -t "$t" -X "$c" 2>/dev/null || true; done
    done
  done
}

remove_cgroups() {
  local h c
  for h in /sys/fs/cgroup/*/; do
    for c in kubepods k8s.io; do
      [ -d "$h$c" ] || continue
      [ -f "$node/host-before.env" ] && before "cgroup $h$c" && continue
      find "$h$c" -depth -type d -exec rmdir {} \; 2>/dev/null || true
    done
  done
}

ctr() { command ctr --address "$SOCK" "$@"; }

case "${1:-}" in
  up) up ;;
  down) down ;;
  running) running ;;
  check)
    why=$(missing)
    [ -z "$why" ] && exit 0
    echo "$why"
    exit 3
    ;;
  ctr)
    shift
    ctr "$@"
    ;;
  *) echo "usage: $0 up|down|running|check|ctr ARGS..." >&2; exit 2 ;;
esac
