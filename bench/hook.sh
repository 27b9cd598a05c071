#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# bench/hook.sh BUILDDIR [--starts N]
#
# What lensfs-hook adds to a container start: `runc run` of a container
# that runs /usr/bin/true (256M, cpuset 0, quota 0.5, the rootfs of the
# tests), N times each without a hook, with /usr/bin/true as the hook (what
# runc's running of any hook costs) and with lensfs-hook as a createRuntime
# hook, interleaved so that drift on a noisy machine hits all alike. Prints
# the medians, and the medians of the differences within each round.
set -euo pipefail
STARTS=150
. "$(dirname "$0")/lib.sh"
bench_args "bench/hook.sh BUILDDIR [--starts N]" --starts:STARTS -- "$@"
. "$(dirname "$0")/../tests/integration/lib.sh"
require_machine
command -v runc >/dev/null && command -v jq >/dev/null || { echo "bench: needs runc and jq"; exit 1; }
mount_lensfs
WORK=$(mktemp -d -t lensfs-bench-hook-XXXXXX)
defer "rm -rf $WORK"
make_rootfs "$WORK/rootfs"
RUNC="runc --root $WORK/state"
HOOK=$BUILDDIR/lensfs-hook
LIMITS='{"memory":{"limit":268435456},"cpu":{"cpus":"0","quota":50000,"period":100000}}'
only_true='.process.args = ["/usr/bin/true"]'
bundle plain '{}' "$only_true"
# What runc's running of any hook costs: one that does nothing.
bundle true '{"createRuntime": [{"path": "/usr/bin/true", "args": ["true"]}]}' "$only_true"
bundle hook "$(hook_json createRuntime)" "$only_true"
# start VARIANT: milliseconds one `runc run` took.
start() {
	local t0 t1
	t0=$EPOCHREALTIME
	(cd "$WORK/$1" && $RUNC run "bench-$1-$$" >/dev/null) || { echo "bench: runc run failed" >&2; return 1; }
	t1=$EPOCHREALTIME
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", (b - a) * 1000 }'
}
declare -A ms
for v in plain true hook; do
	start "$v" >/dev/null || exit 1
	: >"$WORK/$v.ms"
done
: >"$WORK/diff.ms"
: >"$WORK/difftrue.ms"
for i in $(seq "$STARTS"); do
	# Each round in another order.
	case $((i % 3)) in
	0) order="plain true hook" ;;
	1) order="hook plain true" ;;
	2) order="true hook plain" ;;
	esac
	for v in $order; do
		ms[$v]=$(start "$v") || exit 1
		echo "${ms[$v]}" >>"$WORK/$v.ms"
	done
	awk -v a="${ms[hook]}" -v b="${ms[plain]}" 'BEGIN { print a - b }' >>"$WORK/diff.ms"
	awk -v a="${ms[hook]}" -v b="${ms[true]}" 'BEGIN { print a - b }' >>"$WORK/difftrue.ms"
done
p=$(median <"$WORK/plain.ms")
t=$(median <"$WORK/true.ms")
h=$(median <"$WORK/hook.ms")
d=$(median <"$WORK/diff.ms")
dt=$(median <"$WORK/difftrue.ms")
echo "Machine: $(nproc) CPUs, kernel $(uname -r), cgroup v$CGVER, $(runc --version | head -1); $(date -u +%Y-%m-%d)."
echo "runc run of /usr/bin/true, $STARTS starts each, interleaved (bench/hook.sh)."
echo
echo "| | median start (ms) |"
echo "|---|---:|"
echo "| without a hook | $p |"
echo "| with /usr/bin/true as the hook | $t |"
echo "| with lensfs-hook (createRuntime) | $h |"
echo
echo "lensfs-hook adds $(printf '%.2f' "$d") ms to a start (median of the differences within each"
echo "round; $(awk -v a="$h" -v b="$p" 'BEGIN { printf "%.2f", a - b }') ms between the medians), of which running any hook costs"
echo "runc $(awk -v a="$t" -v b="$p" 'BEGIN { printf "%.2f", a - b }') ms: lensfs-hook itself, $(printf '%.2f' "$dt") ms."
