#!/usr/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs inside monitor.sh's container: what vmstat, sar, slabtop, numactl and
# lscpu print, with the container's own cgroup files read around them (the
# runtime mounts its cgroups at /sys/fs/cgroup), one "name: value" line
# each. Absolute paths: busybox's applets would shadow procps.
PATH=/usr/bin:/usr/sbin
# awk is a link through /etc/alternatives, which the container has not.
awk() { /usr/bin/mawk "$@"; }
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
	MEM=/sys/fs/cgroup
	IO="/usr/bin/mawk '{ for (i = 2; i <= NF; i++) if (\$i ~ /^rbytes=/) { sub(/rbytes=/, \"\", \$i); s += \$i } } END { print s + 0 }' /sys/fs/cgroup/io.stat"
	PGFAULT=pgfault
	SLAB="/usr/bin/mawk '\$1 == \"slab_unreclaimable\" { print \$2 }' $MEM/memory.stat"
else
	MEM=/sys/fs/cgroup/memory
	IO="/usr/bin/mawk '\$2 == \"Read\" { s += \$3 } END { print s + 0 }' /sys/fs/cgroup/blkio/blkio.throttle.io_service_bytes_recursive"
	PGFAULT=total_pgfault
	SLAB="cat $MEM/memory.kmem.usage_in_bytes"
fi
stat_of() { awk -v k="$1" '$1 == k { print $2 }' "$MEM/memory.stat"; }
echo "pgfault_before: $(stat_of $PGFAULT)"
echo "vmstat_pgfault: $(awk '$1 == "pgfault" { print $2 }' /proc/vmstat)"
echo "pgfault_after: $(stat_of $PGFAULT)"
# 20 MiB written by a process of the container, a page at a time, in small
# pages (no transparent huge page: one fault would take 2 MiB): its 5,120
# page faults at least counted in its vmstat, between two reads 0.3 s
# apart from it.
vm_fault() { awk '$1 == "pgfault" { print $2 }' /proc/vmstat; }
echo "touch_ms_before: $(stat_of $PGFAULT)"
sleep 0.3
echo "touch_before: $(vm_fault)"
python3 -S -c '
import mmap
m = mmap.mmap(-1, 20 << 20)
m.madvise(mmap.MADV_NOHUGEPAGE)
for i in range(0, 20 << 20, 4096):
    m[i] = 1'
sleep 0.3
echo "touch_after: $(vm_fault)"
echo "touch_ms_after: $(stat_of $PGFAULT)"
echo "vmstat_pgpgin: $(awk '$1 == "pgpgin" { print $2 }' /proc/vmstat)"
echo "io_read_kb: $(($(eval "$IO") / 1024))"
echo "vmstat_total: $(vmstat -s | awk '/K total memory/ { print $1 }')"
echo "vmstat_pagedin: $(vmstat -s | awk '/K paged in/ { print $1 }')"
# lensfs reuses a container's vmstat for 100 ms (--refresh-ms): sar's first
# sample must not be vmstat -s's text, from before sar_before.
sleep 0.3
echo "sar_before: $(stat_of $PGFAULT)"
echo "sar: $(LC_ALL=C /usr/bin/sar.sysstat -B 1 1 | awk '$1 == "Average:" { print $4 }')"
echo "sar_after: $(stat_of $PGFAULT)"
echo "slab_before: $(eval "$SLAB")"
echo "slabtop: $(slabtop -o | awk 'NF >= 8 && $1 ~ /^[0-9]+$/ { print $8 "=" $1 }' | tr '\n' ' ')"
echo "slab_after: $(eval "$SLAB")"
echo "numactl: $(numactl -H | grep -E '^(available|node 0 cpus|node 0 size)' | tr '\n' ';')"
echo "lscpu: $(lscpu | grep -E '^NUMA node' | sed 's/  */ /g' | tr '\n' ';')"
echo "nodes: $(ls /sys/devices/system/node | tr '\n' ' ')"
echo "node0: $(ls /sys/devices/system/node/node0 | grep -cE '^(cpu|memory)[0-9]')"
