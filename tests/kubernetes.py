#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""kubernetes.py MANIFEST HOOK_JSON MOUNTPOINT VIEWS: the DaemonSet of
deploy/kubernetes against the programs (tests/kubernetes.sh). Prints one
"ok" or "not ok" line per check. HOOK_JSON is the hooks.d file lensfs-node
installed (under a stand-in node root); MOUNTPOINT and VIEWS are the
defaults lensfs-hook has."""
import json
import sys

import yaml

manifest, hook_json, mountpoint, views = sys.argv[1:5]
docs = [d for d in yaml.safe_load_all(open(manifest)) if d]
results = []


def check(name, got, want):
    results.append((got == want, name if got == want else "%s: got %r, want %r" % (name, got, want)))


kinds = sorted(d["kind"] for d in docs)
check("the manifest holds a Namespace and a DaemonSet", kinds, ["DaemonSet", "Namespace"])
ds = next(d for d in docs if d["kind"] == "DaemonSet")
pod = ds["spec"]["template"]["spec"]
labels = ds["spec"]["template"]["metadata"]["labels"]
check("the selector matches the pod's labels",
      all(labels.get(k) == v for k, v in ds["spec"]["selector"]["matchLabels"].items()), True)
check("hostPID (lensfs answers the nodes' processes)", pod.get("hostPID"), True)
(c,) = pod["containers"]
check("privileged (FUSE, mount propagation, the node's namespaces)",
      c.get("securityContext", {}).get("privileged"), True)
volumes = {v["name"]: v for v in pod["volumes"]}
mounts = {m["mountPath"]: m for m in c["volumeMounts"]}


def host_path(mount_path):
    """The node's path a container path is mounted from, or None."""
    m = mounts.get(mount_path)
    if not m or "hostPath" not in volumes.get(m["name"], {}):
        return None
    return volumes[m["name"]]["hostPath"]["path"]


# lensfs's arguments: the mount point last, --views and --sysinfo-socket.
args = c["args"]
opts = dict(zip(args[:-1:2], args[1:-1:2]))
check("lensfs mounts on lensfs-hook's default mount point", args[-1], mountpoint)
check("lensfs serves views where lensfs-hook looks for them", opts.get("--views"), views)
for path in (mountpoint, "/run/lensfs"):
    check("%s: the node's own, Bidirectional" % path,
          (host_path(path), mounts.get(path, {}).get("mountPropagation")), (path, "Bidirectional"))
check("the views and the sysinfo socket are under /run/lensfs",
      [p.startswith("/run/lensfs/") for p in (opts.get("--views", ""), opts.get("--sysinfo-socket", ""))],
      [True, True])
check("the node's cgroups", host_path("/sys/fs/cgroup"), "/sys/fs/cgroup")
# Every hostPath the image writes to the node through /host is that path.
for path, m in sorted(mounts.items()):
    if path.startswith("/host/"):
        check("%s: mounted from the node's %s" % (path, path[5:]), host_path(path), path[5:])

# The hooks.d file lensfs-node wrote: CRI-O runs the hook at the node path
# the DaemonSet mounts, against the mount point lensfs serves.
hook = json.load(open(hook_json))
hook_path = hook["hook"]["path"]
check("the hooks.d file runs the hook where lensfs-node put it on the node",
      any(host_path(p) and hook_path.startswith(host_path(p) + "/") for p in mounts if p.startswith("/host/")),
      True)
hargs = hook["hook"]["args"]
check("the hook's --mountpoint is lensfs's", hargs[hargs.index("--mountpoint") + 1], mountpoint)
check("the hooks.d file is in a directory CRI-O reads, mounted from the node",
      host_path("/host/etc/containers/oci/hooks.d"), "/etc/containers/oci/hooks.d")

for good, line in results:
    print(("ok - " if good else "not ok - ") + line)
sys.exit(0 if all(g for g, _ in results) else 1)
