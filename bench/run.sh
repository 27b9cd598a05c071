#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# bench/run.sh BUILDDIR [--seconds S] [--rounds N] [--variants] [--output FILE]
#
# Reads the same files, in one run, through native /proc, LXCFS (Debian's
# lxcfs, on its own temporary mount) and lensfs, from a process in a cgroup
# limited to 256M inside its own pid namespace, with bench/reader (open,
# read to EOF, close, in a loop). Each case runs N rounds, interleaved, and
# the medians of the rounds are reported with the ratios. Machines are
# noisy: compare ratios, not absolute times.
# --variants also measures lensfs's serving loops (docs/performance.md).
set -euo pipefail
BUILDDIR=$(cd "${1:?usage: bench/run.sh BUILDDIR [options]}" && pwd)
shift
SECONDS_PER=2
ROUNDS=3
VARIANTS=0
OUTPUT=
while [ $# -gt 0 ]; do
	case $1 in
	--seconds) SECONDS_PER=$2; shift ;;
	--rounds) ROUNDS=$2; shift ;;
	--variants) VARIANTS=1 ;;
	--output) OUTPUT=$2; shift ;;
	*) echo "unknown option $1"; exit 2 ;;
	esac
	shift
done
READER=$BUILDDIR/bench/reader
[ -x "$READER" ] || make -C "$BUILDDIR" --no-print-directory bench/reader >/dev/null
command -v lxcfs >/dev/null || { echo "bench: needs lxcfs (apt-get install lxcfs)"; exit 1; }

export LENSFS_BUILDDIR=$BUILDDIR
. "$(dirname "$0")/../tests/integration/lib.sh"
require_machine

cg_create "$TAG/bench"
cg_memory "$TAG/bench" $((256 << 20))

LX=$(mktemp -d /tmp/lensfs-bench-lxcfs-XXXXXX)
lxcfs "$LX" >/dev/null 2>&1 &
LX_PID=$!
defer "kill $LX_PID; sleep 0.3; fusermount3 -u $LX; rmdir $LX"
for _ in $(seq 100); do [ -e "$LX/proc/meminfo" ] && break; sleep 0.05; done

declare -A MOUNTS
MOUNTS[native]=
MOUNTS[lxcfs]=$LX
mount_lensfs
MOUNTS[lensfs]=$MNT
NAMES="native lxcfs lensfs"
if [ "$VARIANTS" = 1 ]; then
	mount_lensfs --threads 2
	MOUNTS[lensfs-2threads]=$MNT
	mount_lensfs --spin-us 200
	MOUNTS[lensfs-spin200]=$MNT
	mount_lensfs --refresh-ms 0
	MOUNTS[lensfs-nocache]=$MNT
	NAMES="$NAMES lensfs-2threads lensfs-spin200 lensfs-nocache"
fi

# measure NAME FILE THREADS -> "rate p50 p99"
measure() {
	local base=${MOUNTS[$1]} path=/$2
	[ -n "$base" ] && path=$base/$2
	in_container "$TAG/bench" "$READER" --threads "$3" --seconds "$SECONDS_PER" "$path" |
		sed -E 's/.*rate=([0-9.]+) p50_us=([0-9.]+) p99_us=([0-9.]+)/\1 \2 \3/'
}
median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

declare -A RATE P50 P99
CASES="proc/meminfo:1 proc/cpuinfo:1 proc/uptime:1 proc/meminfo:8"
for round in $(seq "$ROUNDS"); do
	for c in $CASES; do
		for name in $NAMES; do
			read -r rate p50 p99 <<<"$(measure "$name" "${c%:*}" "${c#*:}")"
			RATE[$name,$c]+="$rate "
			P50[$name,$c]+="$p50 "
			P99[$name,$c]+="$p99 "
		done
	done
	echo "# round $round of $ROUNDS done" >&2
done

report() {
	local name c r
	echo "Machine: $(nproc) CPUs, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), kernel $(uname -r), cgroup v$CGVER; $(date -u +%Y-%m-%d)."
	echo "Reader: bench/reader in a 256M cgroup and its own pid namespace; medians of $ROUNDS rounds of ${SECONDS_PER} s."
	echo
	echo "| file | readers | source | reads/s | p50 us | p99 us | vs LXCFS (reads/s) | p50 vs native |"
	echo "|---|---|---|---|---|---|---|---|"
	for c in $CASES; do
		local lx native_p50
		lx=$(tr ' ' '\n' <<<"${RATE[lxcfs,$c]}" | sed '/^$/d' | median)
		native_p50=$(tr ' ' '\n' <<<"${P50[native,$c]}" | sed '/^$/d' | median)
		for name in $NAMES; do
			local rate p50 p99
			rate=$(tr ' ' '\n' <<<"${RATE[$name,$c]}" | sed '/^$/d' | median)
			p50=$(tr ' ' '\n' <<<"${P50[$name,$c]}" | sed '/^$/d' | median)
			p99=$(tr ' ' '\n' <<<"${P99[$name,$c]}" | sed '/^$/d' | median)
			printf '| %s | %s | %s | %.0f | %.1f | %.1f | %.2fx | %.1fx |\n' "${c%:*}" "${c#*:}" \
				"$name" "$rate" "$p50" "$p99" "$(awk -v a="$rate" -v b="$lx" 'BEGIN { print a / b }')" \
				"$(awk -v a="$p50" -v b="$native_p50" 'BEGIN { print a / b }')"
		done
	done
}
if [ -n "$OUTPUT" ]; then report | tee "$OUTPUT"; else report; fi
