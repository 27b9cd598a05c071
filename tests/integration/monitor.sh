#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# What monitoring tools read beyond meminfo and cpuinfo, inside a runc
# container (256M, cpuset 0) whose views lensfs-hook bound: vmstat -s and
# sar -B (proc/vmstat), slabtop -o (proc/slabinfo), numactl -H and lscpu's
# NUMA lines (sys/devices/system/node), each against the container's own
# cgroup files, read just before and after the tool inside the container.
. "$(dirname "$0")/lib.sh"
require_machine
require_runc
for t in vmstat sar slabtop numactl lscpu; do
	command -v $t >/dev/null || skip "needs $t (apt-get install procps sysstat numactl util-linux)"
done
echo "# cgroup v$CGVER, kernel $(uname -r)"
mount_lensfs
WORK=$(mktemp -d -t lensfs-monitor-XXXXXX)
defer "rm -rf $WORK"
make_rootfs "$WORK/rootfs"
cp "$SRCDIR/tests/integration/monitor-probe.sh" "$WORK/rootfs/probe.sh"
RUNC="runc --root $WORK/runc-state"
LIMITS='{"memory":{"limit":268435456},"cpu":{"cpus":"0","mems":"0","quota":50000,"period":100000}}'
bundle ctr "$(hook_json createRuntime)"

OUT=$(cd "$WORK/ctr" && $RUNC run "lensfs-monitor-$$" 2>"$WORK/ctr.err")
check "the container ran" "$?" 0
$RUNC delete -f "lensfs-monitor-$$" >/dev/null 2>&1
[ -s "$WORK/ctr.err" ] && sed 's/^/# /' "$WORK/ctr.err"
echo "$OUT" | sed 's/^/#   /'

# between A X B: A <= X <= B, all numbers
between() { [ -n "$2" ] && [ "$1" -le "$2" ] && [ "$2" -le "$3" ]; }

# proc/vmstat: the cgroup's counters (memory.stat pgfault, io reads).
check_true "vmstat pgfault is the cgroup's ($(value vmstat_pgfault "$OUT") within $(value pgfault_before "$OUT")..$(value pgfault_after "$OUT"))" \
	between "$(value pgfault_before "$OUT")" "$(value vmstat_pgfault "$OUT")" "$(value pgfault_after "$OUT")"
touched=$(($(value touch_after "$OUT") - $(value touch_before "$OUT")))
bound=$(($(value touch_ms_after "$OUT") - $(value touch_ms_before "$OUT")))
check_true "vmstat counts the container's faults as they come (20 MiB written: $touched, at most the cgroup's $bound)" \
	test "$touched" -ge 5120 -a "$touched" -le "$bound"
check "vmstat pgpgin is the cgroup's reads in kB" "$(value vmstat_pgpgin "$OUT")" "$(value io_read_kb "$OUT")"
check "vmstat -s: K total memory is the limit" "$(value vmstat_total "$OUT")" 262144
check "vmstat -s: K paged in is the cgroup's" "$(value vmstat_pagedin "$OUT")" "$(value io_read_kb "$OUT")"
# sar -B: faults per second over one second, at most the cgroup's faults
# then (the interval may be a little under a second: 20% and 1 more).
faults=$(($(value sar_after "$OUT") - $(value sar_before "$OUT")))
check_true "sar -B fault/s ($(value sar "$OUT")) within the cgroup's $faults faults in its second" \
	awk -v r="$(value sar "$OUT")" -v n="$faults" 'BEGIN { exit !(r != "" && r <= n * 1.2 + 1) }'
host_faults=$(awk '$1 == "pgfault" { print $2 }' /proc/vmstat)
check_true "the container's pgfault is not the host's ($(value vmstat_pgfault "$OUT") < $host_faults)" \
	test "$(value vmstat_pgfault "$OUT")" -lt "$host_faults"

# proc/slabinfo: the cgroup's slab (v2 memory.stat) or kernel memory (v1
# memory.kmem.usage_in_bytes: the kernel keeps no slab per cgroup there) in
# pages. Both come and go as slabtop runs: within half again of what the
# container read before and after (the host's are thousands of times more).
name=$([ "$CGVER" = 2 ] && echo slab_unreclaimable || echo kmem_usage)
objs=$(value slabtop "$OUT" | tr ' ' '\n' | sed -n "s/^$name=//p")
lo=$((($(value slab_before "$OUT") + 4095) / 4096))
hi=$((($(value slab_after "$OUT") + 4095) / 4096))
[ "$lo" -gt "$hi" ] && { t=$lo; lo=$hi; hi=$t; }
lo=$((lo / 2)) hi=$((hi * 3 / 2))
check_true "slabtop -o: $name is the cgroup's ($objs pages within $lo..$hi)" between "$lo" "$objs" "$hi"
check "slabtop -o: no host cache" "$(value slabtop "$OUT" | tr ' ' '\n' | grep -c '^dentry=')" 0

# sys/devices/system/node: the container's node, its CPU, its memory.
check "numactl -H: one node, CPU 0, 256 MB" "$(value numactl "$OUT")" \
	"available: 1 nodes (0);node 0 cpus: 0;node 0 size: 256 MB;"
check "lscpu: one NUMA node with CPU 0" "$(value lscpu "$OUT")" "NUMA node(s): 1;NUMA node0 CPU(s): 0;"
check "node directory: node0 and the lists" "$(value nodes "$OUT")" \
	"has_cpu has_memory has_normal_memory node0 online possible "
check "node0: no link named with host numbers" "$(value node0 "$OUT")" 0
finish
