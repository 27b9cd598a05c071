#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Cases that only a pure cgroup v2 kernel has; run inside the VM by
# tests/vm/guest.sh, after tests/integration/mount.sh.
. "$(dirname "$0")/../integration/lib.sh"
require_machine
[ "$CGVER" = 2 ] || skip "needs a pure cgroup v2 kernel (tests/vm/run.sh boots one)"
mount_lensfs
host_total=$(kb "$(cat /proc/meminfo)" MemTotal)
host_swap=$(kb "$(cat /proc/meminfo)" SwapTotal)
echo "# host: MemTotal $host_total kB, SwapTotal $host_swap kB"

# A container in its own cgroup namespace sees itself at the root; lensfs
# still finds its real cgroup.
cg_create "$TAG/ns"
cg_memory "$TAG/ns" $((200 << 20))
out=$(in_cgroup "$TAG/ns" unshare -C -p -f --mount-proc sh -c "cat /proc/self/cgroup; cat $MNT/proc/meminfo")
check "v2: a cgroup namespace shows 0::/ inside" "$(head -1 <<<"$out")" "0::/"
check "v2: MemTotal in a cgroup namespace" "$(grep '^MemTotal:' <<<"$out")" "MemTotal:         204800 kB"

# Limits set only on a grandparent.
cg_create "$TAG/g/p/c"
cg_memory "$TAG/g" $((150 << 20))
cg_quota "$TAG/g" 50000 100000
check "v2: memory.max of the grandparent" "$(in_container "$TAG/g/p/c" cat "$MNT/proc/meminfo" | grep '^MemTotal:')" "MemTotal:         153600 kB"
check "v2: cpu.max of the grandparent" "$(in_container "$TAG/g/p/c" cat "$MNT/sys/devices/system/cpu/online")" 0

# memory.max = max all the way up: the host's memory.
cg_create "$TAG/u/v"
check "v2: max all the way up shows the host's MemTotal" "$(kb "$(in_container "$TAG/u/v" cat "$MNT/proc/meminfo")" MemTotal)" "$host_total"

# memory.swap.max set in a child only (the root has none).
cg_create "$TAG/s/t"
cg_memory "$TAG/s/t" $((256 << 20))
cg_swap "$TAG/s/t" $((32 << 20))
want=$(( host_swap < 32768 ? host_swap : 32768 ))
check "v2: SwapTotal from the child's memory.swap.max" "$(kb "$(in_container "$TAG/s/t" cat "$MNT/proc/meminfo")" SwapTotal)" "$want"

# cpuset.cpus.effective: a cpuset on the parent only.
if [ "$(nproc)" -ge 2 ]; then
	cg_create "$TAG/cs/k"
	cg_cpuset "$TAG/cs" 1
	check "v2: cpuset.cpus.effective from the parent" "$(in_container "$TAG/cs/k" grep -c '^processor' "$MNT/proc/cpuinfo")" 1
fi

# diskstats from io.stat: reads of the zram swap device, done with
# O_DIRECT so that they reach it, counted for the container alone.
if [ -b /dev/zram0 ]; then
	cg_create "$TAG/io"
	echo "+io" >"$CGROOT/$TAG/cgroup.subtree_control"
	out=$(in_container "$TAG/io" sh -c "dd if=/dev/zram0 of=/dev/null bs=4096 count=8 iflag=direct 2>/dev/null; cat $MNT/proc/diskstats")
	check "v2: diskstats shows the reads of zram0 and nothing else" "$(awk '{ print $3, $4, $6 }' <<<"$out")" "zram0 8 64"
fi

# uptime's idle comes from cpu.stat usage_usec: a container that keeps its
# one CPU busy shows little idle time, one that sleeps shows mostly idle
# time (each counts only its own usage, so the two run side by side).
OUT=${TMPDIR:-/tmp}/$TAG
cg_create "$TAG/busy"
cg_cpuset "$TAG/busy" 0
cg_create "$TAG/idle"
cg_cpuset "$TAG/idle" 0
in_container "$TAG/busy" sh -c "timeout 1.5 sh -c 'while :; do :; done'; cat $MNT/proc/uptime" >"$OUT.busy" &
busy=$!
in_container "$TAG/idle" sh -c "sleep 1.5; cat $MNT/proc/uptime" >"$OUT.idle" &
wait "$busy" "$!"
defer rm -f "$OUT.busy" "$OUT.idle"
up=$(cat "$OUT.busy")
check_true "v2: a busy container's idle is well below its uptime ($up)" awk -v u="${up%% *}" -v i="${up##* }" 'BEGIN { exit !(u >= 1 && i < u / 2) }'
up=$(cat "$OUT.idle")
check_true "v2: an idle container's idle is close to its uptime ($up)" awk -v u="${up%% *}" -v i="${up##* }" 'BEGIN { exit !(u >= 1 && i > u * 0.6) }'

finish
