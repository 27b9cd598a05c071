#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# bench/hostile.sh BUILDDIR [--threads N] [--seconds S] [--rounds R] [--output FILE]
#
# What a container of many threads costs the others (docs/security.md,
# "Fairness"): container A runs a process of N threads (20,000) and reads
# proc/stat in a loop, as top in a busy JVM would; container B reads
# proc/meminfo every 10 ms, as a monitoring agent does. The same with A of
# one thread is the baseline. Native /proc (A's reader in its own pid
# namespace, reading the host's files), LXCFS (Debian's lxcfs, on its own
# mount) and lensfs, in the same run, R rounds each, interleaved; medians
# of the rounds. Reported: B's p50, p99 and longest read, A's p99 and
# longest, and B's p99 with N threads over B's p99 with one (the issue's
# goal: at most 2x for lensfs), A's longest (goal: under 100 ms).
set -euo pipefail
N=20000
SECONDS_PER=4
ROUNDS=3
OUTPUT=
. "$(dirname "$0")/lib.sh"
bench_args "bench/hostile.sh BUILDDIR [--threads N] [--seconds S] [--rounds R] [--output FILE]" \
	--threads:N --seconds:SECONDS_PER --rounds:ROUNDS --output:OUTPUT -- "$@"
READER=$BUILDDIR/bench/reader
THREADS=$BUILDDIR/bench/threads
[ -x "$READER" ] && [ -x "$THREADS" ] ||
	make -C "$BUILDDIR" --no-print-directory bench/reader bench/threads >/dev/null
command -v lxcfs >/dev/null || { echo "bench: needs lxcfs (apt-get install lxcfs)"; exit 1; }

. "$(dirname "$0")/../tests/integration/lib.sh"
require_machine
WORK=$(mktemp -d -t lensfs-bench-hostile-XXXXXX)
defer "rm -rf $WORK"

start_lxcfs
mount_lensfs
declare -A MOUNTS=([native]= [lxcfs]=$LX [lensfs]=$MNT)
NAMES="native lxcfs lensfs"

cg_create "$TAG/b"
cg_memory "$TAG/b" $((256 << 20))
# field NAME LINE: a number of bench/reader's output line.
field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<<"$2"; }

# one_round SOURCE THREADS: A with THREADS threads reads proc/stat, B reads
# meminfo every 10 ms; appends "B_p50 B_p99 B_max A_p99 A_max" to
# $WORK/SOURCE.THREADS.
one_round() {
	local src=$1 n=$2 base=${MOUNTS[$1]} a tp b out cg=$TAG/a-$1-$2
	cg_create "$cg"
	cg_memory "$cg" $((4 << 30)) # the kernel stacks of its threads
	in_container "$cg" "$THREADS" "$n" >"$WORK/threads.out" 2>&1 &
	for _ in $(seq 600); do grep -q ready "$WORK/threads.out" && break; sleep 0.05; done
	tp=$(pgrep -f -x "$THREADS $n" | head -1)
	[ -n "$tp" ] || { cat "$WORK/threads.out"; echo "bench: $n threads did not start"; exit 1; }
	in_cgroup "$cg" nsenter -t "$tp" -p -- "$READER" --seconds "$SECONDS_PER" \
		"${base:-}/proc/stat" >"$WORK/a.out" 2>&1 &
	a=$!
	sleep 0.5
	b=$(in_container "$TAG/b" "$READER" --interval-us 10000 --seconds $((SECONDS_PER - 1)) \
		"${base:-}/proc/meminfo")
	wait "$a"
	out=$(cat "$WORK/a.out")
	echo "$(field p50_us "$b") $(field p99_us "$b") $(field max_us "$b") $(field p99_us "$out") $(field max_us "$out")" \
		>>"$WORK/$src.$n"
	kill -9 "$tp" # a pid namespace's init: SIGKILL only
	cg_destroy "$cg"
}

for round in $(seq "$ROUNDS"); do
	for n in 1 "$N"; do
		for src in $NAMES; do
			one_round "$src" "$n"
		done
	done
done

# col SOURCE THREADS COLUMN: the median over the rounds.
col() { awk -v c="$3" '{ print $c }' "$WORK/$1.$2" | median; }
{
	echo "Container A reads proc/stat in a loop with 1 thread, then $N threads; container B reads proc/meminfo every 10 ms. $(uname -r), $(nproc) CPUs, $(date -u +%Y-%m-%d); medians of $ROUNDS rounds of $SECONDS_PER s."
	echo
	echo "| source | A's threads | B p50 us | B p99 us | B longest us | A p99 us | A longest us | B p99 vs 1 thread |"
	echo "|---|---|---|---|---|---|---|---|"
	for src in $NAMES; do
		for n in 1 "$N"; do
			printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$src" "$n" \
				"$(col "$src" "$n" 1)" "$(col "$src" "$n" 2)" "$(col "$src" "$n" 3)" \
				"$(col "$src" "$n" 4)" "$(col "$src" "$n" 5)" \
				"$(awk -v a="$(col "$src" "$n" 2)" -v b="$(col "$src" 1 2)" 'BEGIN { printf "%.2fx", (b > 0 ? a / b : 0) }')"
		done
	done
} | tee "${OUTPUT:-/dev/null}"
