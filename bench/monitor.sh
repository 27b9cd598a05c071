#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# bench/monitor.sh BUILDDIR [--seconds S] [--rounds N]
#
# The files monitoring tools poll beyond meminfo: proc/vmstat,
# proc/slabinfo and sys/devices/system/node/node0/meminfo, read in one run
# from the kernel's own file, LXCFS (which serves slabinfo only) and lensfs,
# by bench/reader (one thread, each read an open, a read to the end and a
# close) in a 256M cgroup of its own pid namespace. Reads per second and
# median latency, medians of N rounds (default 3) of S seconds (default
# 2), and lensfs's ratio to each.
set -euo pipefail
SECONDS_PER=2
ROUNDS=3
. "$(dirname "$0")/lib.sh"
bench_args "bench/monitor.sh BUILDDIR [--seconds S] [--rounds N]" \
	--seconds:SECONDS_PER --rounds:ROUNDS -- "$@"
READER=$BUILDDIR/bench/reader
[ -x "$READER" ] || make -C "$BUILDDIR" --no-print-directory bench/reader >/dev/null
command -v lxcfs >/dev/null || { echo "bench: needs lxcfs (apt-get install lxcfs)"; exit 1; }
. "$(dirname "$0")/../tests/integration/lib.sh"
require_machine
cg_create "$TAG/bench"
cg_memory "$TAG/bench" $((256 << 20))
start_lxcfs
mount_lensfs

FILES="proc/vmstat proc/slabinfo sys/devices/system/node/node0/meminfo"
declare -A RATE P50
for round in $(seq "$ROUNDS"); do
	for f in $FILES; do
		for name in native lxcfs lensfs; do
			case $name in
			native) path=/$f ;;
			lxcfs) path=$LX/$f ;;
			lensfs) path=$MNT/$f ;;
			esac
			[ -r "$path" ] && head -c1 "$path" >/dev/null 2>&1 || continue
			read -r rate p50 <<<"$(in_container "$TAG/bench" "$READER" --threads 1 --seconds "$SECONDS_PER" "$path" |
				sed -E 's/.*rate=([0-9.]+) p50_us=([0-9.]+).*/\1 \2/')"
			RATE[$name,$f]+="$rate "
			P50[$name,$f]+="$p50 "
		done
	done
	echo "# round $round of $ROUNDS done" >&2
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == "" || b == 0) print "-"; else printf "%.2f", a / b }'; }
echo "Machine: $(nproc) CPUs, kernel $(uname -r), cgroup v$CGVER; $(date -u +%Y-%m-%d). Medians of $ROUNDS rounds of ${SECONDS_PER} s, one reader thread."
echo
echo "| file | native reads/s (p50 us) | LXCFS reads/s (p50 us) | lensfs reads/s (p50 us) | lensfs / native | lensfs / LXCFS |"
echo "|---|---|---|---|---|---|"
for f in $FILES; do
	row="| $f"
	for name in native lxcfs lensfs; do
		if [ -n "${RATE[$name,$f]:-}" ]; then
			row+=" | $(median ${RATE[$name,$f]}) ($(median ${P50[$name,$f]}))"
		else
			row+=" | not served"
		fi
	done
	l=$(median ${RATE[lensfs,$f]})
	row+=" | $(ratio "$l" "$(median ${RATE[native,$f]:-})") | $(ratio "$l" "$([ -n "${RATE[lxcfs,$f]:-}" ] && median ${RATE[lxcfs,$f]})") |"
	echo "$row"
done
