#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# bench/sysinfo.sh BUILDDIR [--seconds S] [--idle N]
#
# sysinfo(2) calls, in one run: natively on the host, and in runc
# containers whose seccomp profile sends sysinfo to lensfs's agent
# (docs/sysinfo.md): calls per second, median and 99th percentile latency
# (bench/sysinfo-calls, S seconds each, default 5), and fairness: a
# container's p99 while another calls in a tight loop, against alone; and
# a container's calls while the agent holds N other listeners (default
# 1000) of containers that do not call (bench/sysinfo-idle).
set -euo pipefail
SECONDS_EACH=5
IDLE=1000
. "$(dirname "$0")/lib.sh"
bench_args "bench/sysinfo.sh BUILDDIR [--seconds S] [--idle N]" --seconds:SECONDS_EACH --idle:IDLE -- "$@"
. "$(dirname "$0")/../tests/integration/lib.sh"
require_machine
require_runc
WORK=$(mktemp -d -t lensfs-bench-sysinfo-XXXXXX)
defer "rm -rf $WORK"
SOCK=$WORK/sysinfo.sock
mount_lensfs --sysinfo-socket "$SOCK"
ROOTFS=$WORK/rootfs
make_rootfs "$ROOTFS"
cp "$BUILDDIR/bench/sysinfo-calls" "$ROOTFS/sysinfo-calls"
RUNC="runc --root $WORK/runc-state"
LIMITS='{"memory":{"limit":268435456}}'
SECCOMP=$(jq -c -n --arg sock "$SOCK" '{"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": $sock,
	"syscalls": [{"names": ["sysinfo"], "action": "SCMP_ACT_NOTIFY"}]}')
for c in a b; do
	bundle "$c" '{}' ".linux.seccomp = $SECCOMP | .process.args = [\"/busybox\", \"sleep\", \"100000\"]"
	(cd "$WORK/$c" && $RUNC run -d "lensfs-bench-$c-$$" </dev/null >/dev/null 2>&1)
	defer "$RUNC delete -f lensfs-bench-$c-$$"
done
calls_in() { $RUNC exec "lensfs-bench-$1-$$" /sysinfo-calls "$2"; }
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" <<<"$2"; }
native=$("$BUILDDIR/bench/sysinfo-calls" "$SECONDS_EACH")
agent=$(calls_in a "$SECONDS_EACH")
# Fairness: b alone, then b while a calls in a tight loop.
alone=$(calls_in b "$SECONDS_EACH")
calls_in a $((SECONDS_EACH + 2)) >/dev/null &
hog=$!
sleep 1
shared=$(calls_in b "$SECONDS_EACH")
wait "$hog"
# Beside N listeners of containers that never call.
"$BUILDDIR/bench/sysinfo-idle" "$IDLE" "$SOCK" >"$WORK/idle.out" &
idle=$!
defer "kill $idle"
for _ in $(seq 600); do grep -q ready "$WORK/idle.out" && break; sleep 0.1; done
grep -q ready "$WORK/idle.out" || { echo "bench/sysinfo-idle: not ready"; exit 1; }
crowd=$(calls_in a "$SECONDS_EACH")
echo "Machine: $(nproc) CPUs, kernel $(uname -r), cgroup v$CGVER; $(date -u +%Y-%m-%d)."
printf '%-36s %12s %10s %10s %12s\n' "sysinfo(2)" "calls/s" "p50 us" "p99 us" "totalram"
row() { printf '%-36s %12s %10s %10s %12s\n' "$1" "$(field per_s "$2")" "$(field p50_us "$2")" "$(field p99_us "$2")" "$(field totalram "$2")"; }
row "native (the host's numbers)" "$native"
row "lensfs agent, one container" "$agent"
row "agent, container b alone" "$alone"
row "agent, b while a calls in a loop" "$shared"
row "agent, a beside $IDLE idle listeners" "$crowd"
awk -v n="$(field per_s "$native")" -v a="$(field per_s "$agent")" \
	-v p1="$(field p99_us "$alone")" -v p2="$(field p99_us "$shared")" \
	-v c="$(field per_s "$crowd")" -v idle="$IDLE" \
	'BEGIN { printf "ratios: agent/native calls %.4f; fairness: b p99 shared/alone %.2fx (goal <= 2x); a beside %d idle listeners / alone: calls %.2f\n", a / n, p2 / p1, idle, c / a }'
