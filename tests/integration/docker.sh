#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Docker and containerd (ctr), for real: a daemon of the test's own (vfs
# storage, no network), an image imported from a busybox root, the views
# bound with -v (Docker has no OCI hooks; docs/hook.md), and the tools
# people use inside (probe.sh): free, top, lscpu, busybox cat, shutil.
. "$(dirname "$0")/lib.sh"
require_machine
command -v dockerd >/dev/null || skip "needs dockerd (apt-get install docker.io)"
command -v ctr >/dev/null || skip "needs ctr (containerd, which docker.io brings)"
echo "# cgroup v$CGVER, kernel $(uname -r), $(dockerd --version)"

SRCDIR=$(cd "$(dirname "$0")/../.." && pwd)
mount_lensfs
WORK=$(mktemp -d -t lensfs-docker-XXXXXX)
defer "rm -rf $WORK"
# The daemon: every path its own, nothing of the host's docker touched.
dockerd --data-root "$WORK/data" --exec-root "$WORK/exec" --pidfile "$WORK/docker.pid" \
	--host "unix://$WORK/docker.sock" --storage-driver vfs --iptables=false \
	--ip6tables=false --bridge=none >"$WORK/dockerd.log" 2>&1 &
DOCKERD=$!
defer "kill $DOCKERD; wait $DOCKERD"
# (Another docker client may come first on PATH: Debian's is /usr/bin's.)
D() { /usr/bin/docker -H "unix://$WORK/docker.sock" "$@"; }
for _ in $(seq 200); do D info >/dev/null 2>&1 && break; sleep 0.1; done
D info >/dev/null 2>&1 || { tail "$WORK/dockerd.log"; echo "dockerd did not start"; exit 1; }

# The image: busybox, probe.sh and empty /usr, /proc, /sys (the host's
# /usr is bound read-only at run).
make_rootfs "$WORK/rootfs"
cp "$SRCDIR/tests/integration/probe.sh" "$WORK/rootfs/probe.sh"
tar -C "$WORK/rootfs" -c . | D import - lensfs-probe >/dev/null
# The views Docker (runc) lets a bind cover: runc refuses a mount inside
# /proc but for a list of files (libcontainer's: cpuinfo, diskstats,
# meminfo, stat, swaps, uptime, loadavg, slabinfo), so proc/pressure and
# proc/vmstat stay the kernel's.
binds=(-v /usr:/usr:ro)
for d in bin lib lib64 sbin; do
	[ -d "/$d" ] && [ ! -L "/$d" ] && binds+=(-v "/$d:/$d:ro")
done
n=0
for f in cpuinfo diskstats meminfo stat swaps uptime loadavg slabinfo; do
	[ -f "$MNT/proc/$f" ] || continue
	binds+=(-v "$MNT/proc/$f:/proc/$f:ro")
	n=$((n + 1))
done
binds+=(-v "$MNT/sys/devices/system/cpu:/sys/devices/system/cpu:ro")
binds+=(-v "$MNT/sys/devices/system/node:/sys/devices/system/node:ro")

# check_tools PREFIX [first]: what probe.sh printed (OUT), as in hook.sh;
# with "first", also free's, the container's first read.
check_tools() {
	if [ "${2:-}" = first ]; then
		check "$1: free -k total" "$(value free "$OUT")" 262144
	else
		echo "# $1: free -k total: $(value free "$OUT")"
	fi
	check "$1: processors in cpuinfo" "$(value processors "$OUT")" 1
	check "$1: lscpu CPU(s)" "$(value lscpu "$OUT")" 1
	check "$1: python os.cpu_count()" "$(value python "$OUT")" 1
	check_true "$1: top shows 256.0 total ($(value top "$OUT"))" grep -q 'MiB Mem : *256.0 total' <<<"$(value top "$OUT")"
	local up
	up=$(value uptime "$OUT")
	check_true "$1: uptime starts near 0 ($up)" awk -v u="${up%% *}" 'BEGIN { exit !(u < 5) }'
	check "$1: every view bound" "$(value mounts "$OUT")" $((n + 2))
	check "$1: shutil.copyfile, splice and a private map of /proc/meminfo" \
		"$(value ways "$OUT")" "shutil=262144 splice=262144 mmap=262144"
	check "$1: busybox cat (sendfile) reads what coreutils cat reads, every /proc view" \
		"$(value busybox "$OUT")" "262144 $n files, all the same"
}

# --- docker run -v --------------------------------------------------------
OUT=$(D run --rm --network none -m 256m --cpuset-cpus 0 --cpu-quota 50000 \
	"${binds[@]}" lensfs-probe /usr/bin/sh /probe.sh 2>"$WORK/run.err")
check "docker run: the container ran" "$?" 0
[ -s "$WORK/run.err" ] && sed 's/^/# /' "$WORK/run.err"
check_tools "docker run -v" first
# Two containers at once, each its own (the page cache of a view is shared:
# docs/design.md, "Every way of reading").
pids=()
for mem in 100m 200m; do
	D run --rm --network none -m "$mem" "${binds[@]}" lensfs-probe /usr/bin/sh -c \
		'for i in $(seq 100); do /busybox cat /proc/meminfo | /busybox awk "/^MemTotal:/ { print \$2 }"; done' \
		>"$WORK/$mem.out" 2>&1 &
	pids+=($!)
done
wait "${pids[@]}"
check "two docker containers at once, busybox cat 100 times: the 100m one, its own" "$(sort "$WORK/100m.out" | uniq -c | xargs)" "100 102400"
check "two docker containers at once, busybox cat 100 times: the 200m one, its own" "$(sort "$WORK/200m.out" | uniq -c | xargs)" "100 204800"
check "nothing of the containers left on the host" "$(D ps -aq | wc -l)" 0

# --- containerd alone: ctr run with the same binds -----------------------
# (The containerd dockerd started; the image saved from Docker.)
CTR=(ctr -a "$WORK/exec/containerd/containerd.sock" -n lensfs-test)
D save lensfs-probe | "${CTR[@]}" images import --snapshotter native --index-name lensfs-probe - >/dev/null
mounts=()
for b in "${binds[@]}"; do
	[ "$b" = -v ] && continue
	IFS=: read -r src dst _ <<<"$b"
	mounts+=(--mount "type=bind,src=$src,dst=$dst,options=rbind:ro")
done
OUT=$("${CTR[@]}" run --rm --snapshotter native --memory-limit $((256 << 20)) --cpus 0.5 \
	"${mounts[@]}" docker.io/library/lensfs-probe:latest "lensfs-ctr-$$" /usr/bin/sh /probe.sh 2>"$WORK/ctr.err")
check "ctr run: the container ran" "$?" 0
[ -s "$WORK/ctr.err" ] && sed 's/^/# /' "$WORK/ctr.err"
check_tools "ctr run --mount" first
finish
