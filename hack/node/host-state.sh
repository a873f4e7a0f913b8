#!/usr/bin/env bash
# Prints what a real node changes on this host (sysctls, iptables, mounts, cgroups, links,
# network namespaces, fixed paths, node processes) in a stable form, so a snapshot taken before
# `node.sh up` and one after `node.sh down` can be compared line by line.
#   host-state.sh [NODE_STATE_DIR]   (processes are those whose arguments name that directory)
set -uo pipefail

echo "# sysctl"
# Counters and random values change on their own.
sysctl -a 2>/dev/null | grep -vE '^(fs\.(dentry-state|file-nr|inode-nr|inode-state|aio-nr|quota\.)|kernel\.(ns_last_pid|random\.|pty\.nr)|net\.netfilter\.nf_conntrack_count)'
for cmd in iptables ip6tables; do
  for t in filter nat mangle raw; do
    echo "# $cmd -t $t"
    $cmd -t "$t" -S 2>/dev/null
  done
done
echo "# mounts"
awk '{print $5, $9}' /proc/self/mountinfo | sort
echo "# cgroups"
find /sys/fs/cgroup -maxdepth 2 -type d 2>/dev/null | sort
echo "# links"
ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | sort
echo "# netns"
ls /run/netns 2>/dev/null
echo "# paths"
for p in /var/lib/kubelet /var/log/containers /var/log/pods /run/containerd /var/lib/cni /run/netns \
  /etc/cni /opt/cni /opt/containerd /etc/containers/networks /run/containers /var/lib/containers \
  /run/fleetscope-node.owner; do
  [ -e "$p" ] && echo "$p"
done
echo "# processes of the node (containers show up in the kubepods cgroups above)"
ps -eo args= | grep -F "${1:-/nonexistent}/" | grep -v grep | awk '{print $1}' | sort | uniq -c
exit 0
