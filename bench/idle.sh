#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# bench/idle.sh BUILDDIR [--containers N] [--seconds S]
#
# What lensfs costs while nobody reads it: N container cgroups (default
# 1000), each with a sleeping process in its own pid namespace, one read of
# every file from one of them (so that the daemon has resolved and cached a
# container), then S seconds (default 60) without a read. Prints the CPU
# time the daemon's processes used over those seconds (utime + stime of
# /proc/PID/stat, in clock ticks) and their resident memory.
set -euo pipefail
N=1000
IDLE=60
. "$(dirname "$0")/lib.sh"
bench_args "bench/idle.sh BUILDDIR [--containers N] [--seconds S]" --containers:N --seconds:IDLE -- "$@"
. "$(dirname "$0")/../tests/integration/lib.sh"
require_machine
mount_lensfs
for i in $(seq "$N"); do
	cg_create "$TAG/c$i"
	cg_memory "$TAG/c$i" $((64 << 20))
	in_container "$TAG/c$i" sleep 100000 &
done
# Every file the hook mounts (the cpu directory's own, not each CPU's).
in_container "$TAG/c1" sh -c "find $MNT/proc $MNT/sys/devices/system/cpu -maxdepth 1 -type f -exec cat {} + >/dev/null"
before=$(ticks $LENSFS_PID $(pgrep -P "$LENSFS_PID"))
sleep "$IDLE"
after=$(ticks $LENSFS_PID $(pgrep -P "$LENSFS_PID"))
rss=0
for p in $LENSFS_PID $(pgrep -P "$LENSFS_PID"); do
	rss=$((rss + $(awk '/^VmRSS/ { print $2 }' "/proc/$p/status")))
done
echo "Machine: $(nproc) CPUs, kernel $(uname -r), cgroup v$CGVER; $(date -u +%Y-%m-%d)."
echo "$N idle containers (a cgroup and a sleeping process each), nobody reading:"
echo "lensfs used $((after - before)) clock ticks ($(getconf CLK_TCK)/s) of CPU in $IDLE s; RSS $rss kB."
