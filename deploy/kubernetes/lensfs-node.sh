#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The entrypoint of lensfs's DaemonSet image (deploy/kubernetes/lensfs.yaml):
#  1. puts lensfs-hook (statically linked: it runs on any node) in the
#     node's /opt/lensfs/bin, and a hooks.d file that runs it there in the
#     node's /etc/containers/oci/hooks.d (CRI-O reads it; so does
#     containerd's NRI hook injector), each replaced in one rename;
#  2. runs lensfs --foreground with the arguments given, in the node's
#     cgroup namespace (the pod's own would show the nodes' cgroups as
#     paths above its root).
# LENSFS_HOST: where the node's paths are mounted (/host); --install-only
# stops after step 1 (tests/kubernetes.sh).
set -eu
host=${LENSFS_HOST:-/host}
bin=/opt/lensfs/bin
hooks=/etc/containers/oci/hooks.d
hook=${LENSFS_NODE_HOOK:-/usr/bin/lensfs-hook}
json=${LENSFS_NODE_HOOK_JSON:-/usr/share/containers/oci/hooks.d/lensfs-hook.json}

mkdir -p "$host$bin" "$host$hooks"
cp "$hook" "$host$bin/.lensfs-hook.new"
chmod 0755 "$host$bin/.lensfs-hook.new"
mv -f "$host$bin/.lensfs-hook.new" "$host$bin/lensfs-hook"
sed "s|\"path\": \"[^\"]*\"|\"path\": \"$bin/lensfs-hook\"|" "$json" >"$host$hooks/.lensfs-hook.json.new"
mv -f "$host$hooks/.lensfs-hook.json.new" "$host$hooks/lensfs-hook.json"
echo "lensfs-node: $bin/lensfs-hook and $hooks/lensfs-hook.json installed on the node"
[ "${1:-}" = --install-only ] && exit 0
exec nsenter --cgroup=/proc/1/ns/cgroup -- lensfs --foreground "$@"
