#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# What one container does cannot stall the daemon every container shares,
# nor run it out of descriptors (docs/security.md, "Fairness"):
# - a container of 20,000 threads that reads proc/stat in a loop (each
#   thread's state was read through /proc/TID/stat, which sums over the
#   whole group: one render took 21.6 s, and every other reader waited);
# - 2,000 short-lived pid namespaces that read once each (each kept a pidfd
#   in the worker for good);
# - the same under a descriptor limit of 256 (at 128, every reader, the
#   host's too, got EIO).
# Nothing is timed here but stalls, with a wide margin: a read that waited
# for another container's work waited seconds. The latencies themselves,
# against a container without the threads: bench/hostile.sh.
. "$(dirname "$0")/lib.sh"
require_machine
THREADS=$BUILDDIR/bench/threads
READER=$BUILDDIR/bench/reader
[ -x "$THREADS" ] && [ -x "$READER" ] || skip "no bench/threads or bench/reader (make check builds them)"
N=${LENSFS_TEST_THREADS:-20000}
WORK=$(mktemp -d -t lensfs-hostile-XXXXXX)
defer "rm -rf $WORK"
mount_lensfs
field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<<"$2" | cut -d. -f1; }
# under_a_second NAME READER_OUTPUT: no read waited a second or more.
under_a_second() {
	local max
	max=$(field max_us "$2")
	echo "# $1: $2"
	check_true "$1: answered, none waited a second (the longest: $((${max:-0} / 1000)) ms)" \
		test -n "$max" -a "${max:-0}" -lt 1000000
}

# --- a container of 20,000 threads reads proc/stat in a loop ---------------
cg_create "$TAG/many"
cg_memory "$TAG/many" $((4 << 30)) # each thread's kernel stack is charged
cg_create "$TAG/other"
cg_memory "$TAG/other" $((256 << 20))
in_container "$TAG/many" "$THREADS" "$N" >"$WORK/threads.out" 2>&1 &
for _ in $(seq 600); do grep -q ready "$WORK/threads.out" && break; sleep 0.05; done
tp=$(pgrep -f -x "$THREADS $N" | head -1)
check "the container has its $N threads" "$(ls "/proc/$tp/task" 2>/dev/null | wc -l)" $((N + 1))
# in_many CMD...: CMD in that container (its cgroup, pid namespace and the
# mount namespace with its own /proc).
in_many() { in_cgroup "$TAG/many" nsenter -t "$tp" -p -m -- "$@"; }
in_many "$READER" --seconds 4 "$MNT/proc/stat" >"$WORK/many.out" 2>&1 &
many=$!
sleep 0.5
# Another container, as a monitoring agent reads: every 10 ms.
other=$(in_container "$TAG/other" "$READER" --interval-us 10000 --seconds 3 "$MNT/proc/meminfo" 2>&1)
wait "$many"
under_a_second "another container's meminfo, every 10 ms" "$other"
under_a_second "the container's own proc/stat, in a loop" "$(cat "$WORK/many.out")"
# What it reads: its threads counted (the census reads the small
# processes' threads whole, and 512 states at most: a sample of the pool,
# scaled), the reader running. One more may run: the census can be a second
# old (census_ttl), and the loop's reader, a process of its own, caught
# running by it; a running thread of the pool's sample would count 40.
stat=$(in_many cat "$MNT/proc/stat")
loadavg=$(in_many cat "$MNT/proc/loadavg")
procs=$(grep -E '^procs_(running|blocked)' <<<"$stat" | tr '\n' ' ')
check_true "its proc/stat: the reader runs, none blocked ($procs)" \
	grep -qxE 'procs_running [12] procs_blocked 0 ' <<<"$procs"
# The list of a pool's threads is kept for a thousand times what taking it
# cost (view.c, thread_list_ttl): the one taken while the pool still started may be
# served, a few dozen threads short (19,966 of 20,000 seen once).
check_true "its loadavg counts every thread, within 1% ($loadavg)" \
	awk -v f="$(cut -d' ' -f4 <<<"$loadavg")" -v n="$N" 'BEGIN { split(f, a, "/"); exit !(a[1] >= 1 && a[2] >= n - n / 100 && a[2] <= n + 10) }'
# Its threads in the cgroup view: translated into its numbering pid by pid,
# in its lane, while another container reads beside it.
TASKS=$MNT/sys/fs/cgroup/$([ "$CGVER" = 2 ] && echo cgroup.threads || echo memory/tasks)
in_many sh -c "for i in 1 2 3 4 5; do cat $TASKS >/dev/null; done" &
lister=$!
other=$(in_container "$TAG/other" "$READER" --interval-us 10000 --seconds 2 "$MNT/proc/meminfo" 2>&1)
wait "$lister"
under_a_second "another container's meminfo while it lists its threads" "$other"
# (Its init is 1 there; the reader, cat, is one more thread of the cgroup.)
check "its threads in its cgroup view, in its own numbering" \
	"$(in_many cat "$TASKS" | sort -n | sed -n '1p;$=' | tr '\n' ' ')" "1 $((N + 2)) "
kill -9 "$tp" # a pid namespace's init: SIGKILL only
# (20,000 threads take a while to go; until then the worker rightly keeps
# the container's entry, and its descriptor.)
while kill -0 "$tp" 2>/dev/null; do sleep 0.1; done

# --- 2,000 short-lived pid namespaces, each reading once -------------------
# reads_from_namespaces N: N pid namespaces of a limited cgroup, eight at a
# time, each reading meminfo once; prints how many read it whole.
cg_create "$TAG/brief"
cg_memory "$TAG/brief" $((256 << 20))
reads_from_namespaces() {
	seq "$1" | in_cgroup "$TAG/brief" xargs -P 8 -I{} unshare -p -f cat "$MNT/proc/meminfo" |
		grep -c '^MemTotal: *262144 kB$'
}
fds() { ls "/proc/$(worker)/fd" | wc -l; }
# settled: the worker's descriptors once they stopped changing (the same
# for half a second).
settled() {
	local last=-1 same=0 n
	for _ in $(seq 100); do
		n=$(fds)
		if [ "$n" = "$last" ]; then same=$((same + 1)); else same=0; fi
		[ "$same" -ge 5 ] && break
		last=$n
		sleep 0.1
	done
	echo "$n"
}
before=$(settled)
check "2,000 pid namespaces read once each" "$(reads_from_namespaces 2000)" 2000
after=$(settled)
check_true "and the worker holds no descriptor for them once they are gone ($before before, $after after)" \
	test "$after" -le "$before"

# --- the same under a descriptor limit of 256 -------------------------------
printf '#!/bin/sh\nulimit -n 256\nexec %s "$@"\n' "$BUILDDIR/lensfs" >"$WORK/lensfs-256"
chmod +x "$WORK/lensfs-256"
LENSFS=$WORK/lensfs-256 mount_lensfs
check "a worker limited to 256 descriptors" "$(awk '/^Max open files/ { print $4 }' "/proc/$(worker)/limits")" 256
check "2,000 pid namespaces read once each, with 256 descriptors" "$(reads_from_namespaces 2000)" 2000
check "the host still reads" "$(grep -c '^MemTotal:' "$MNT/proc/meminfo")" 1
check "the same worker (none died)" "$(serving)" 1
finish
