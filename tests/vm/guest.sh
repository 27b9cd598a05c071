#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs inside the VM of tests/vm/run.sh, as its init: pure cgroup v2, the
# host's filesystem as the read-only root. Prints the tests' output between
# markers on the console and powers off.
BUILDDIR=$1
CAPTURE=$2 # where to copy real v2 files instead of testing, or ""
shift 2 # then the modules to load, in order
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
# The root is the host's, read-only; scratch files go to a tmpfs.
export TMPDIR=/run/lensfs-tmp
mkdir -p "$TMPDIR"
finish() {
	echo "# guest uptime at the end: $(cut -d' ' -f1 /proc/uptime) s"
	echo "LENSFS-VM-EXIT=$1"
	echo o >/proc/sysrq-trigger
	sleep 10
}
exec 2>&1
echo "LENSFS-VM-BEGIN"
for m in "$@"; do busybox insmod "$m" || finish 97; done
mount -t cgroup2 -o nsdelegate none /sys/fs/cgroup || finish 96
echo "+memory +cpu +cpuset +io +pids" >/sys/fs/cgroup/cgroup.subtree_control || finish 95
# A swap device, so that swap limits have something to limit.
echo 64M >/sys/block/zram0/disksize && mkswap /dev/zram0 >/dev/null && swapon /dev/zram0 ||
	echo "# no zram swap"
echo "# guest uptime at the start: $(cut -d' ' -f1 /proc/uptime) s"
echo "# kernel $(uname -r), $(nproc) CPUs, cgroup2 controllers: $(cat /sys/fs/cgroup/cgroup.controllers)"
here=$(cd "$(dirname "$0")" && pwd)
if [ -n "$CAPTURE" ]; then
	mkdir -p "$CAPTURE"
	mount -t 9p -o trans=virtio,version=9p2000.L capture "$CAPTURE" || finish 94
	bash "$here/../fixtures/capture-v2.sh" "$CAPTURE/v2-real"
	finish $?
fi
# Should the tests still run near the host's limit (tests/vm/run.sh kills
# the VM after 780 s), what each process and every lensfs thread waits on,
# and the daemons' logs: a hang told apart from slowness.
watchdog() {
	sleep "$1"
	echo "# guest watchdog at $(cut -d' ' -f1 /proc/uptime) s: the tests still run"
	ps -eo pid,ppid,stat,wchan:28,etimes,args | grep -v ' \[' | tail -n 40 | sed 's/^/#   /'
	for p in $(pgrep -x lensfs); do
		for t in /proc/"$p"/task/*; do
			echo "# lensfs $p, thread ${t##*/} $(cat "$t/comm") in $(cat "$t/wchan" 2>/dev/null)"
			sed 's/^/#     /' "$t/stack" 2>/dev/null | head -n 12
		done
	done
	for f in "$TMPDIR"/lensfs-mnt-*.log; do
		[ -f "$f" ] && echo "# $f:" && tail -n 20 "$f" | sed 's/^/#   /'
	done
}
watchdog 700 &
export LENSFS_BUILDDIR=$BUILDDIR LENSFS_TEST_STRICT=1 LENSFS_TEST_LOAD_SECONDS=${LENSFS_TEST_LOAD_SECONDS:-0}
# mount.sh and views.sh: the kernel-dependent cases only (the host run has
# the rest); cgroup.sh: the cgroup view, whole; readpaths.sh: every way of
# reading, whole (splice takes another path on 6.1); sysinfo.sh: runc
# containers' answers from v2 limits, through worker kills and upgrades;
# psi.sh: a container's PSI trigger fires for its own pressure only;
# monitor.sh: vmstat, sar, slabtop, numactl and lscpu in a runc container.
export LENSFS_TEST_KERNEL_ONLY=1
rc=0
for t in "$here"/../integration/mount.sh "$here"/../integration/cgroup.sh \
	"$here"/../integration/readpaths.sh "$here"/../integration/views.sh \
	"$here"/../integration/sysinfo.sh "$here"/../integration/psi.sh \
	"$here"/../integration/monitor.sh "$here"/v2.sh; do
	echo "# $(basename "$t") on cgroup v2"
	start=$SECONDS
	bash "$t" || rc=1
	echo "# $(basename "$t"): $((SECONDS - start)) s"
done
finish "$rc"
