#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# bench/run.sh BUILDDIR [--seconds S] [--rounds N] [--idle-seconds S] [--variants] [--output FILE]
#
# Native /proc, LXCFS (Debian's lxcfs, on its own temporary mount), the
# FUSE floor (bench/floor.c: the same requests, a fixed text), lensfs's
# caller-based mount and a lensfs per-container view (--views: the page
# cache), in one run, with bench/reader (open, read to EOF, close, in a loop)
# from processes in limited cgroups, each in its own pid namespace:
#   cold   meminfo, cpuinfo, uptime, stat; 1 reader and 8 readers
#   warm   pread of an open meminfo
#   cpu    the daemon's CPU time per 1,000 cold meminfo reads
#   fair   container B reads meminfo every 10 ms, alone, then while
#          container A hammers it with 2 threads: B's p50 and p99
#   scale  1 reader, and 8 readers each in its own container, with 10,
#          1,000 and 2,000 container cgroups on the host; lensfs's RSS
# Each cold and warm case runs N rounds, interleaved; medians of the rounds
# are reported with ratios. Machines are noisy: compare ratios, not times.
# --variants also measures lensfs's serving loops (docs/performance.md).
set -euo pipefail
SECONDS_PER=2
ROUNDS=3
IDLE_SECONDS=60
VARIANTS=0
OUTPUT=
. "$(dirname "$0")/lib.sh"
bench_args "bench/run.sh BUILDDIR [--seconds S] [--rounds N] [--idle-seconds S] [--variants] [--output FILE]" \
	--seconds:SECONDS_PER --rounds:ROUNDS --idle-seconds:IDLE_SECONDS --variants:VARIANTS=1 --output:OUTPUT -- "$@"
READER=$BUILDDIR/bench/reader
FLOOR=$BUILDDIR/bench/floor
[ -x "$READER" ] && [ -x "$FLOOR" ] || make -C "$BUILDDIR" --no-print-directory bench/reader bench/floor >/dev/null
command -v lxcfs >/dev/null || { echo "bench: needs lxcfs (apt-get install lxcfs)"; exit 1; }

# (More than the tests' 600 s.)
export LENSFS_TEST_TIMEOUT=${LENSFS_TEST_TIMEOUT:-3600}
. "$(dirname "$0")/../tests/integration/lib.sh"
require_machine

limited() { # PATH: a container cgroup like the benchmark's own
	cg_create "$1"
	cg_memory "$1" $((256 << 20))
}
limited "$TAG/bench"
limited "$TAG/a"
limited "$TAG/b"

start_lxcfs

# The FUSE floor: the same requests answered with a fixed text, nothing
# else (bench/floor.c); it serves proc/meminfo only.
FL=$(mktemp -d /tmp/lensfs-bench-floor-XXXXXX)
"$FLOOR" "$FL" &
FL_PID=$!
defer "kill $FL_PID; sleep 0.3; umount -l $FL; rmdir $FL"
for _ in $(seq 100); do [ -e "$FL/proc/meminfo" ] && break; sleep 0.05; done

declare -A MOUNTS DAEMON
MOUNTS[native]=
MOUNTS[lxcfs]=$LX
DAEMON[lxcfs]=$LX_PID
MOUNTS[floor]=$FL
DAEMON[floor]=$FL_PID
mount_views_dir
mount_lensfs --views "$VDIR"
MOUNTS[lensfs]=$MNT
DAEMON[lensfs]=$(worker)
# view_of CGROUP: the view of a container in CGROUP, made for its first
# process (a sleeper) and bound where its readers find it, as lensfs-hook
# binds it (a container looks no view up by name), in VIEW_DIR (a global:
# its clean-ups must be this shell's).
view_of() {
	local pid dir tag=$RANDOM$RANDOM
	in_container "$1" sleep "1000$tag" >/dev/null &
	for _ in $(seq 100); do pid=$(pgrep -x -f "sleep 1000$tag") && break; sleep 0.05; done
	defer "kill -9 $pid"
	mkdir "$VDIR/$pid"
	dir=$(mktemp -d /tmp/lensfs-bench-view-XXXXXX)
	mkdir "$dir/proc"
	defer "rm -rf $dir" # (clean-ups run last first: after the unmounts)
	for f in meminfo cpuinfo uptime stat; do
		touch "$dir/proc/$f"
		mount --bind "$VDIR/$pid/proc/$f" "$dir/proc/$f"
		defer "umount -l $dir/proc/$f"
	done
	VIEW_DIR=$dir
}
view_of "$TAG/bench"
MOUNTS[lensfs-view]=$VIEW_DIR
view_of "$TAG/a"
MOUNTS[lensfs-view-a]=$VIEW_DIR
view_of "$TAG/b"
MOUNTS[lensfs-view-b]=$VIEW_DIR
DAEMON[lensfs-view]=${DAEMON[lensfs]}
NAMES="native lxcfs floor lensfs lensfs-view"
if [ "$VARIANTS" = 1 ]; then
	mount_lensfs --threads 2
	MOUNTS[lensfs-2threads]=$MNT
	mount_lensfs --spin-us 200
	MOUNTS[lensfs-spin200]=$MNT
	mount_lensfs --refresh-ms 0
	MOUNTS[lensfs-nocache]=$MNT
	NAMES="$NAMES lensfs-2threads lensfs-spin200 lensfs-nocache"
fi

path_of() { # NAME FILE
	local base=${MOUNTS[$1]}
	echo "${base:-}/$2"
}
# measure CGROUP NAME FILE THREADS [READER OPTIONS] -> "rate p50 p99 reads"
measure() {
	local cg=$1 name=$2 file=$3 threads=$4
	shift 4
	in_container "$cg" "$READER" --threads "$threads" --seconds "$SECONDS_PER" "$@" "$(path_of "$name" "$file")" |
		sed -E 's/reads=([0-9]+) .*rate=([0-9.]+) p50_us=([0-9.]+) p99_us=([0-9.]+).*/\2 \3 \4 \1/'
}
rss_mb() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "-"; else printf "%.2f", a / b }'; }

# --- cold and warm reads -----------------------------------------------------
declare -A RATE P50 P99 CPU
CASES="proc/meminfo:1 proc/cpuinfo:1 proc/uptime:1 proc/stat:1 proc/meminfo:8 proc/cpuinfo:8 proc/uptime:8 proc/stat:8 proc/meminfo:1:warm"
HZ=$(getconf CLK_TCK)
for round in $(seq "$ROUNDS"); do
	for c in $CASES; do
		IFS=: read -r file threads warm <<<"$c"
		for name in $NAMES; do
			[ "$name" = floor ] && [ "$file" != proc/meminfo ] && continue
			pid=${DAEMON[$name]:-}
			before=$([ -n "$pid" ] && ticks "$pid" || echo 0)
			read -r rate p50 p99 reads <<<"$(measure "$TAG/bench" "$name" "$file" "$threads" ${warm:+--warm})"
			after=$([ -n "$pid" ] && ticks "$pid" || echo 0)
			RATE[$name,$c]+="$rate "
			P50[$name,$c]+="$p50 "
			P99[$name,$c]+="$p99 "
			# ms of daemon CPU per 1,000 reads
			[ -n "$pid" ] && CPU[$name,$c]+="$(awk -v t=$((after - before)) -v r="$reads" -v hz="$HZ" 'BEGIN { printf "%.3f", t * 1000 / hz / r * 1000 }') "
		done
	done
	echo "# round $round of $ROUNDS done" >&2
done

# --- fairness: B every 10 ms, alone and next to A's two threads ----------------
declare -A FAIR
for name in lxcfs lensfs lensfs-view; do
	# Each container reads its own view.
	a=$name b=$name
	[ "$name" = lensfs-view ] && a=lensfs-view-a b=lensfs-view-b
	read -r _ p50 p99 _ <<<"$(measure "$TAG/b" "$b" proc/meminfo 1 --interval-us 10000)"
	FAIR[$name,alone]="$p50 $p99"
	in_container "$TAG/a" "$READER" --threads 2 --seconds $((SECONDS_PER + 2)) "$(path_of "$a" proc/meminfo)" >/dev/null &
	hammer=$!
	sleep 0.5
	read -r _ p50 p99 _ <<<"$(measure "$TAG/b" "$b" proc/meminfo 1 --interval-us 10000)"
	FAIR[$name,busy]="$p50 $p99"
	wait "$hammer" || true
done
echo "# fairness done" >&2

# --- scale: 10, 1,000 and 2,000 containers -----------------------------------
declare -A SCALE
SCALE_OUT=$(mktemp -d /tmp/lensfs-bench-scale-XXXXXX)
defer "rm -rf $SCALE_OUT"
made=0
for n in 10 1000 2000; do
	while [ "$made" -lt "$n" ]; do
		made=$((made + 1))
		limited "$TAG/s/c$made"
		# Each with a live view, of a sleeper in it (in the host's pid
		# namespace: thousands of namespaces take long to make, and the
		# view's cost is the same), started apart from this shell's jobs.
		(in_cgroup "$TAG/s/c$made" sleep "2000$made" >/dev/null 2>&1 &)
	done
	for _ in $(seq 200); do [ "$(pgrep -c -x -f 'sleep 2000[0-9]+')" -ge "$n" ] && break; sleep 0.1; done
	for p in $(pgrep -x -f 'sleep 2000[0-9]+'); do [ -d "$VDIR/$p" ] || mkdir "$VDIR/$p"; done
	SCALE[views,$n]="$(($(stat -c %h "$VDIR") - 2)) $(rss_mb "${DAEMON[lensfs]}")"
	for name in lxcfs lensfs; do
		read -r _ p50 p99 _ <<<"$(measure "$TAG/s/c$n" "$name" proc/meminfo 1)"
		total=0
		pids=()
		for i in $(seq 8); do
			measure "$TAG/s/c$((n * i / 8))" "$name" proc/meminfo 1 >"$SCALE_OUT/$i" &
			pids+=($!)
		done
		wait "${pids[@]}"
		for i in $(seq 8); do total=$(awk -v t="$total" -v r="$(cut -d' ' -f1 "$SCALE_OUT/$i")" 'BEGIN { print t + r }'); done
		SCALE[$name,$n]="$p50 $p99 $total $(rss_mb "${DAEMON[$name]}") $(ticks "${DAEMON[$name]}")"
	done
	echo "# scale $n done" >&2
done
# The daemon's CPU while 2,000 containers with live views do nothing.
before=$(ticks "${DAEMON[lensfs]}")
sleep "$IDLE_SECONDS"
IDLE_TICKS=$(($(ticks "${DAEMON[lensfs]}") - before))
pkill -9 -x -f 'sleep 2000[0-9]+' || true

report() {
	local name c
	echo "Machine: $(nproc) CPUs, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), kernel $(uname -r), cgroup v$CGVER; $(date -u +%Y-%m-%d)."
	echo "Readers: bench/reader in 256M cgroups, each in its own pid namespace; medians of $ROUNDS rounds of ${SECONDS_PER} s."
	echo
	echo "| file | readers | source | reads/s | p50 us | p99 us | vs LXCFS (reads/s) | p50 vs native | daemon CPU ms / 1,000 reads |"
	echo "|---|---|---|---|---|---|---|---|---|"
	for c in $CASES; do
		local lx native_p50 label=${c#*:}
		lx=$(median <<<"$(tr ' ' '\n' <<<"${RATE[lxcfs,$c]}")")
		native_p50=$(median <<<"$(tr ' ' '\n' <<<"${P50[native,$c]}")")
		[ "${label#*:}" = warm ] && label="${label%%:*} (warm pread)"
		for name in $NAMES; do
			local rate p50 p99 cpu
			[ -n "${RATE[$name,$c]:-}" ] || continue
			rate=$(median <<<"$(tr ' ' '\n' <<<"${RATE[$name,$c]}")")
			p50=$(median <<<"$(tr ' ' '\n' <<<"${P50[$name,$c]}")")
			p99=$(median <<<"$(tr ' ' '\n' <<<"${P99[$name,$c]}")")
			cpu=$(median <<<"$(tr ' ' '\n' <<<"${CPU[$name,$c]:-}")")
			printf '| %s | %s | %s | %.0f | %.1f | %.1f | %sx | %sx | %s |\n' "${c%%:*}" "$label" \
				"$name" "$rate" "$p50" "$p99" "$(ratio "$rate" "$lx")" "$(ratio "$p50" "$native_p50")" "${cpu:--}"
		done
	done
	echo
	echo "Fairness: container B reads proc/meminfo every 10 ms, alone, then while container A reads it in a loop with 2 threads."
	echo
	echo "| source | B alone p50 / p99 us | B next to A p50 / p99 us | p99 ratio |"
	echo "|---|---|---|---|"
	for name in lxcfs lensfs lensfs-view; do
		read -r a50 a99 <<<"${FAIR[$name,alone]}"
		read -r b50 b99 <<<"${FAIR[$name,busy]}"
		echo "| $name | $a50 / $a99 | $b50 / $b99 | $(ratio "$b99" "$a99")x |"
	done
	echo
	echo "Scale: container cgroups on the host; one reader (p50 / p99), and 8 readers each in its own container (total reads/s); the daemon's RSS and CPU time since it started."
	echo
	echo "| containers | source | 1 reader p50 / p99 us | 8 containers reads/s | RSS MB | CPU s |"
	echo "|---|---|---|---|---|---|"
	for n in 10 1000 2000; do
		for name in lxcfs lensfs; do
			read -r p50 p99 total rss cpu <<<"${SCALE[$name,$n]}"
			echo "| $n | $name | $p50 / $p99 | $(printf '%.0f' "$total") | $rss | $(awk -v t="$cpu" -v hz="$HZ" 'BEGIN { printf "%.1f", t / hz }') |"
		done
	done
	echo
	echo "Views: each container with a live view (lensfs --views; the worker serves both connections). Its RSS once they are made; then its CPU ticks over ${IDLE_SECONDS} s while 2,000 views are alive and nobody reads."
	echo
	echo "| containers | views alive | worker RSS MB |"
	echo "|---|---|---|"
	for n in 10 1000 2000; do
		read -r alive rss <<<"${SCALE[views,$n]}"
		echo "| $n | $alive | $rss |"
	done
	echo
	echo "Idle, 2,000 live views, ${IDLE_SECONDS} s: $IDLE_TICKS CPU ticks of the worker."
}
if [ -n "$OUTPUT" ]; then report | tee "$OUTPUT"; else report; fi
