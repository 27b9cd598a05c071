#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# lensfs on a real FUSE mount, read from processes in real cgroups and pid
# namespaces: the values each of them sees, the host's view, lensfs-show
# against the mount, bad input, capabilities, and stopping.
. "$(dirname "$0")/lib.sh"
require_machine
echo "# cgroup v$CGVER, kernel $(uname -r)"

# Load averages sampled every 0.3 s instead of the kernel's 5 s, so that
# they move within a test.
mount_lensfs --loadavg-period-ms 300
# What does not depend on the kernel's cgroups (the tree, lensfs-show,
# privileges, stopping) runs on the host only: the cgroup v2 VM sets
# LENSFS_TEST_KERNEL_ONLY=1, as its emulated CPUs make every second count.
HOST_SIDE=1
[ "${LENSFS_TEST_KERNEL_ONLY:-0}" = 1 ] && HOST_SIDE=0
R() { timeout 10 cat "$MNT/$1"; }

# --- the tree: ls, stat and cat agree -----------------------------------
if [ "$HOST_SIDE" = 1 ]; then
check "ls of the root" "$(ls "$MNT" | tr '\n' ' ')" "proc sys "
check "ls of proc" "$(ls "$MNT/proc" | tr '\n' ' ')" "cpuinfo diskstats loadavg meminfo pressure slabinfo stat swaps uptime vmstat "
check "ls of cpu: the fixed files first, then the host's CPUs and other entries" \
	"$(ls -f "$MNT/sys/devices/system/cpu" | tr '\n' ' ')" \
	". .. online possible present $(ls /sys/devices/system/cpu | grep '^cpu[0-9]' | sort -V | tr '\n' ' ')$(ls /sys/devices/system/cpu | grep -Ev '^(cpu[0-9]+|online|possible|present)$' | LC_ALL=C sort | tr '\n' ' ')"
# (Its size is the length of the text the caller would read; its times, now.)
check "stat of a proc file" "$(stat -c '%F %a %s %h' "$MNT/proc/meminfo")" "regular file 444 $(wc -c <"$MNT/proc/meminfo") 1"
check_true "stat of a proc file: changed a second ago at most" test $(($(date +%s) - $(stat -c %Y "$MNT/proc/meminfo"))) -le 1
check "stat of cpu/online" "$(stat -c '%F %a %s' "$MNT/sys/devices/system/cpu/online")" "regular file 444 4096"
check "stat of a directory" "$(stat -c '%F %a %h' "$MNT/proc")" "directory 555 3"
check "inode numbers are fixed" "$(stat -c %i "$MNT/proc/meminfo") $(stat -c %i "$MNT")" "3 1"
check_true "a missing name is ENOENT" bash -c "cat '$MNT/proc/nope' 2>&1 | grep -q 'No such file'"
check_true "writing is refused" bash -c "! echo x 2>/dev/null > '$MNT/proc/meminfo'"
check_true "creating is refused" bash -c "! touch '$MNT/proc/new' 2>/dev/null"
fi # HOST_SIDE

# --- a limited container: 256M, cpuset 0, quota 0.5 ----------------------
cg_create "$TAG/a"
cg_memory "$TAG/a" $((256 << 20))
cg_cpuset "$TAG/a" 0
cg_quota "$TAG/a" 50000 100000
out=$(in_container "$TAG/a" sh -c "cat $MNT/proc/meminfo; echo ==; cat $MNT/proc/cpuinfo; echo ==; cat $MNT/sys/devices/system/cpu/online; echo ==; cat $MNT/proc/uptime")
meminfo=$(awk '/^==$/{n++; next} n==0' <<<"$out")
cpuinfo=$(awk '/^==$/{n++; next} n==1' <<<"$out")
online=$(awk '/^==$/{n++; next} n==2' <<<"$out")
uptime=$(awk '/^==$/{n++; next} n==3' <<<"$out")
check "MemTotal in a 256M cgroup" "$(grep '^MemTotal:' <<<"$meminfo")" "MemTotal:         262144 kB"
free_kb=$(kb "$meminfo" MemFree)
check_true "MemFree within MemTotal ($free_kb kB)" test "$free_kb" -gt 0 -a "$free_kb" -le 262144
host_swap=$(kb "$(cat /proc/meminfo)" SwapTotal)
check "SwapTotal without a swap limit is the host's" "$(kb "$meminfo" SwapTotal)" "$host_swap"
check "one processor block" "$(grep -c '^processor' <<<"$cpuinfo")" 1
check "processor numbered 0" "$(grep '^processor' <<<"$cpuinfo")" "$(printf 'processor\t: 0')"
check "cpu/online" "$online" 0
check "lscpu with the views mounted counts one CPU" "$(in_container "$TAG/a" sh -c "mount --bind $MNT/sys/devices/system/cpu /sys/devices/system/cpu; mount --bind $MNT/proc/cpuinfo /proc/cpuinfo; lscpu" | awk '/^CPU\(s\):/ { print $2 }')" 1
check "one cpuN directory, cpu0" "$(in_container "$TAG/a" ls "$MNT/sys/devices/system/cpu" | grep '^cpu[0-9]')" cpu0
check "cpu/possible and cpu/present" "$(in_container "$TAG/a" cat "$MNT/sys/devices/system/cpu/possible" "$MNT/sys/devices/system/cpu/present" | tr '\n' ' ')" "0 0 "
check_true "uptime of a new container below 2 s ($uptime)" awk -v u="${uptime%% *}" 'BEGIN { exit !(u < 2) }'
idle=${uptime##* }
check_true "idle within uptime on one CPU ($uptime)" awk -v u="${uptime%% *}" -v i="$idle" 'BEGIN { exit !(i <= u) }'

# --- limits written after a stat: a runtime sets a container up ----------
# runc stats every bind mount's source (a stat renders the caller's text
# for its size) once the container's cgroup is made and before it writes
# the limits; the container's first read, a moment later, must see them.
# A daemon of its own that reuses texts and facts for 10 s, not 0.1 s, so
# that anything the stat left behind would surely be served.
main_mnt=$MNT main_pid=$LENSFS_PID
mount_lensfs --refresh-ms 10000
cg_create "$TAG/late"
fifos=$(mktemp -d)
defer "rm -rf $fifos"
mkfifo "$fifos/statted" "$fifos/go"
in_container "$TAG/late" sh -c "stat $MNT/proc/meminfo $MNT/proc/cpuinfo $MNT/sys/devices/system/cpu/online >/dev/null
	echo >$fifos/statted; read go <$fifos/go
	grep -c ^processor $MNT/proc/cpuinfo; awk '/^MemTotal:/ { print \$2 }' $MNT/proc/meminfo; cat $MNT/sys/devices/system/cpu/online" >"$fifos/out" &
read -r _ <"$fifos/statted"
cg_memory "$TAG/late" $((256 << 20))
cg_cpuset "$TAG/late" 0
cg_quota "$TAG/late" 50000 100000
echo >"$fifos/go"
wait $!
check "limits written after a stat of the views: the first reads see them" "$(xargs <"$fifos/out")" "1 262144 0"
MNT=$main_mnt LENSFS_PID=$main_pid

# --- sys/devices/system/cpu: host CPU 1 is the container's cpu0 ----------
CPUS=$MNT/sys/devices/system/cpu
if [ "$(nproc --all)" -ge 2 ]; then
	cg_create "$TAG/c1"
	cg_cpuset "$TAG/c1" 1
	check "cpuset 1: one cpuN directory, cpu0" "$(in_container "$TAG/c1" ls "$CPUS" | grep '^cpu[0-9]')" cpu0
	check_true "cpuset 1: no cpu1" in_container "$TAG/c1" sh -c "! test -e $CPUS/cpu1"
	check "cpuset 1: cpu0 passes host CPU 1's files through" \
		"$(in_container "$TAG/c1" cat "$CPUS/cpu0/topology/core_id" "$CPUS/cpu0/topology/physical_package_id")" \
		"$(cat /sys/devices/system/cpu/cpu1/topology/core_id /sys/devices/system/cpu/cpu1/topology/physical_package_id)"
	check "cpuset 1: CPU lists renumbered" \
		"$(in_container "$TAG/c1" cat "$CPUS/cpu0/topology/thread_siblings_list" "$CPUS/cpu0/topology/package_cpus_list" | tr '\n' ' ')" "0 0 "
	check "cpuset 1: symlinks as the host's" "$(in_container "$TAG/c1" readlink "$CPUS/cpu0/subsystem")" \
		"$(readlink /sys/devices/system/cpu/cpu1/subsystem)"
	# One name, two host directories: each reader gets its own, however
	# the two alternate (the kernel must not reuse the other's entry).
	mine=$(in_container "$TAG/c1" stat -c %i "$CPUS/cpu0")
	theirs=$(stat -c %i "$CPUS/cpu0")
	check_true "cpu0 is another inode for the host ($theirs) and the container ($mine)" test "$mine" != "$theirs"
	my_topo=$(in_container "$TAG/c1" stat -c %i "$CPUS/cpu0/topology")
	their_topo=$(stat -c %i "$CPUS/cpu0/topology")
	check_true "cpu0/topology too ($their_topo, $my_topo)" test "$my_topo" != "$their_topo"
	flips=0
	for _ in $(seq 10); do
		[ "$(in_container "$TAG/c1" stat -c %i "$CPUS/cpu0/topology")" = "$my_topo" ] || flips=$((flips + 1))
		[ "$(stat -c %i "$CPUS/cpu0/topology")" = "$their_topo" ] || flips=$((flips + 1))
		[ "$(in_container "$TAG/c1" stat -c %i "$CPUS/cpu0")" = "$mine" ] || flips=$((flips + 1))
		[ "$(stat -c %i "$CPUS/cpu0")" = "$theirs" ] || flips=$((flips + 1))
	done
	check "alternating readers each see their own cpu0 and cpu0/topology, 40 times" "$flips" 0
	if [ ! -e /sys/devices/system/cpu/cpu0/online ] && [ -e /sys/devices/system/cpu/cpu1/online ]; then
		check "cpu0/online: the container's (host CPU 1) has one" "$(in_container "$TAG/c1" cat "$CPUS/cpu0/online")" 1
		check_true "cpu0/online: the host's (CPU 0) has none" test ! -e "$CPUS/cpu0/online"
	else
		skip_case "cpu0/online as host CPU 1's" "host CPU 0 has an online file, or CPU 1 none"
	fi
	if [ "$HOST_SIDE" = 1 ]; then
		check "lensfs-show --cgroup lists the container's cpu directory" \
			"$("$LENSFS_SHOW" --cgroup "/$TAG/c1" sys/devices/system/cpu | grep '^cpu[0-9]')" cpu0
		check "lensfs-show --cgroup prints a file below it" \
			"$("$LENSFS_SHOW" --cgroup "/$TAG/c1" sys/devices/system/cpu/cpu0/topology/core_id)" \
			"$(cat /sys/devices/system/cpu/cpu1/topology/core_id)"
	fi
else
	skip_case "a container on host CPU 1" "one CPU online"
fi
if [ "$HOST_SIDE" = 1 ]; then
	# Every file of the host's cpu directories, byte for byte (the host sees
	# the host's names; topology and cache files do not change).
	differ=0 compared=0
	while read -r f; do
		compared=$((compared + 1))
		cmp -s "$f" "$MNT$f" || { differ=$((differ + 1)); echo "# differs: $f"; }
	done < <(find /sys/devices/system/cpu/cpu[0-9]*/topology /sys/devices/system/cpu/cpu[0-9]*/cache -type f -perm -0444)
	check_true "topology and cache files to compare ($compared)" test "$compared" -gt 10
	check "the host reads each topology and cache file as the host's" "$differ" 0
fi

# --- nested: the parent's 200M wins over the child's 300M ----------------
cg_create "$TAG/p/c"
cg_memory "$TAG/p" $((200 << 20))
cg_memory "$TAG/p/c" $((300 << 20))
check "MemTotal under a lower parent limit" \
	"$(in_container "$TAG/p/c" cat "$MNT/proc/meminfo" | grep '^MemTotal:')" "MemTotal:         204800 kB"

# --- swap limit: min(limit, host swap) -----------------------------------
cg_create "$TAG/s"
cg_memory "$TAG/s" $((256 << 20))
if cg_swap "$TAG/s" $((128 << 20)) 2>/dev/null; then
	want=$(( host_swap < 131072 ? host_swap : 131072 ))
	check "SwapTotal with a 128M swap limit" "$(kb "$(in_container "$TAG/s" cat "$MNT/proc/meminfo")" SwapTotal)" "$want"
	if [ "$want" -gt 0 ]; then
		check "swaps with a 128M swap limit" "$(in_container "$TAG/s" cat "$MNT/proc/swaps" | awk 'NR == 2 { print $1, $2, $3 }')" "none virtual $want"
	else
		check "swaps without swap on the host: the header alone" "$(in_container "$TAG/s" cat "$MNT/proc/swaps")" "$(head -1 /proc/swaps)"
	fi
else
	echo "# no swap accounting: swap limit not tested here"
fi

# --- the quota alone limits the CPUs -------------------------------------
ncpu=$(grep -c '^processor' /proc/cpuinfo)
cg_create "$TAG/q"
cg_quota "$TAG/q" 50000 100000
check "quota 0.5 shows one CPU" "$(in_container "$TAG/q" cat "$MNT/proc/cpuinfo" | grep -c '^processor')" 1
check "quota 0.5: cpu/online" "$(in_container "$TAG/q" cat "$MNT/sys/devices/system/cpu/online")" 0
if [ "$ncpu" -ge 2 ]; then
	cg_quota "$TAG/q" 150000 100000
	settle
	check "quota 1.5 shows two CPUs" "$(in_container "$TAG/q" cat "$MNT/proc/cpuinfo" | grep -c '^processor')" 2
	check "nproc sees two CPUs" "$(in_container "$TAG/q" sh -c "mount --bind $MNT/sys/devices/system/cpu/online /sys/devices/system/cpu/online && getconf _NPROCESSORS_ONLN")" 2
fi

# --- proc/stat: busy and idle containers, counters that only grow --------
# stat_probe share busy|idle: the busy share (%) of the "cpu" line over 2 s
# of burning or sleeping; stat_probe monotonic: how many of 100 reads had a
# counter lower than the read before, or a "cpu" line that is not the sum.
stat_probe() {
	$PYTHON -c '
import sys, time
path = sys.argv[1] + "/proc/stat"
def sample():
    with open(path) as f:
        return {l.split()[0]: [int(x) for x in l.split()[1:]] for l in f if l.startswith("cpu")}
if sys.argv[2] == "share":
    a = sample()["cpu"]
    end = time.time() + 2
    if sys.argv[3] == "busy":
        while time.time() < end:
            pass
    else:
        time.sleep(2)
    b = sample()["cpu"]
    d = [y - x for x, y in zip(a, b)]
    print("%.0f" % (100.0 * (sum(d) - d[3] - d[4]) / sum(d)) if sum(d) else "no-time")
else:
    prev, bad, first = None, 0, ""
    for _ in range(100):
        s = sample()
        if any(sum(v[k] for n, v in s.items() if n != "cpu") != s["cpu"][k] for k in range(10)):
            bad += 1
            first = first or "cpu is not the sum: %s" % s
        fell = [(n, k, x, y) for n in s if prev for k, (x, y) in enumerate(zip(prev[n], s[n])) if y < x]
        if fell:
            bad += 1
            first = first or "%s field %d fell from %d to %d" % fell[0]
        prev = s
    print(bad, first) if bad else print(0)
' "$MNT" "$@"
}
STAT_PROBE="$(declare -f stat_probe); MNT=$MNT; PYTHON='$PYTHON'"
# The three at once, each in its own container (each counts only its own
# time): a busy one, an idle one, and one idle for half a second and then two
# threads bursting on the host's CPUs under a quota of half a CPU, which use
# time faster than the capacity grows at the start of each quota period, so
# that the computed idle time dips (the shown one must not).
cg_create "$TAG/busy"
cg_quota "$TAG/busy" 50000 100000
cg_create "$TAG/idle"
cg_create "$TAG/burst"
cg_quota "$TAG/burst" 50000 100000
in_container "$TAG/busy" bash -c "$STAT_PROBE; stat_probe share busy" >"$MNT.busy" &
p1=$!
in_container "$TAG/idle" bash -c "$STAT_PROBE; stat_probe share idle" >"$MNT.idle" &
p2=$!
# (The spinners run at nice 19, so that the reader, which shares their
# quota, is not slowed to a crawl by them.)
in_container "$TAG/burst" bash -c "$STAT_PROBE; sleep 0.5; nice -n 19 bash -c 'while :; do :; done' & nice -n 19 bash -c 'while :; do :; done' & stat_probe monotonic; kill %1 %2" >"$MNT.burst" &
p3=$!
# And load averages in the same run: two threads (throttled to a fifth of a
# CPU, so that they take little from the others, but running all the same)
# against the sleeping idle container, over six samples.
cg_create "$TAG/load"
cg_quota "$TAG/load" 20000 100000
in_container "$TAG/load" bash -c "cat $MNT/proc/loadavg >/dev/null; (while :; do :; done) & (while :; do :; done) & sleep 2; cat $MNT/proc/loadavg; kill %1 %2" >"$MNT.load" &
p4=$!
# (A cgroup of its own: the load is the cgroup's, and the idle stat probe's
# start, slow on a loaded machine, would count in it.)
cg_create "$TAG/quiet"
in_container "$TAG/quiet" bash -c "sleep 2 & cat $MNT/proc/loadavg >/dev/null; wait \$!; cat $MNT/proc/loadavg" >"$MNT.quiet" &
wait "$p1" "$p2" "$p3" "$p4" "$!"
defer rm -f "$MNT.busy" "$MNT.idle" "$MNT.burst" "$MNT.load" "$MNT.quiet"
share=$(cat "$MNT.busy")
check_true "proc/stat: a container burning its quota of 0.5 is busy (${share}% > 90%)" test "${share%%.*}" -gt 90
share=$(cat "$MNT.idle")
check_true "proc/stat: an idle container is idle (${share}% < 10%)" test "${share%%.*}" -lt 10
check "proc/stat: 100 reads, every counter grows and cpu is the sum of the cpuN" "$(cat "$MNT.burst")" 0
load=$(cat "$MNT.load")
# Towards 2, or 3 while the container's shell starts its commands.
check_true "loadavg: two busy threads raise the 1-minute average ($load)" awk -v l="${load%% *}" 'BEGIN { exit !(l >= 0.4 && l <= 3) }'
check_true "loadavg: their running/total ($load)" awk -v f="$(cut -d' ' -f4 <<<"$load")" 'BEGIN { split(f, a, "/"); exit !(a[1] >= 3 && a[2] >= 4) }'
quiet=$(cat "$MNT.quiet")
# Its sleep starts before the first read (from which its load is followed),
# so only its last cat can be caught running: a sample or two (0.08 each);
# on the VM's emulated CPUs, where a fork and exec last a sample or more,
# up to five (0.33 seen, next to 2.55 for the busy one).
check_true "loadavg: an idle container's stays near 0 ($quiet)" awk -v l="${quiet%% *}" -v b="${load%% *}" 'BEGIN { exit !(l < 0.5 && l * 4 < b) }'
check "proc/stat: btime is the host's" "$(in_container "$TAG/busy" grep '^btime' "$MNT/proc/stat")" "$(grep '^btime' /proc/stat)"

# --- proc/diskstats: only the devices a container did I/O on --------------
cg_create "$TAG/noio"
check "diskstats of a container without I/O lists no device" "$(in_container "$TAG/noio" cat "$MNT/proc/diskstats")" ""

# --- proc/pressure: the cgroup's own, where the unified hierarchy has it ----
if [ "$CGVER" = 2 ]; then
	cg_create "$TAG/psi"
	check "pressure/memory of a new container is its cgroup's" \
		"$(in_container "$TAG/psi" cat "$MNT/proc/pressure/memory")" "$(cat "$CGROOT/$TAG/psi/memory.pressure")"
	check "pressure/io of a new container is its cgroup's" \
		"$(in_container "$TAG/psi" cat "$MNT/proc/pressure/io" | cut -d' ' -f1,5)" "$(cut -d' ' -f1,5 <"$CGROOT/$TAG/psi/io.pressure")"
fi

# --- the host's view ------------------------------------------------------
# A process in the root cgroups and the host's pid namespace reads the
# host's files: byte for byte where nothing changes between two reads.
host_reader() {
	local f
	for f in $(cg_procs_files ""); do echo $BASHPID >"$f"; done
	"$@"
}
check "host cpuinfo, byte for byte" "$(host_reader cat "$MNT/proc/cpuinfo" | md5sum)" "$(md5sum </proc/cpuinfo)"
check "host cpu/online" "$(host_reader cat "$MNT/sys/devices/system/cpu/online")" "$(cat /sys/devices/system/cpu/online)"
check "host swaps" "$(host_reader cat "$MNT/proc/swaps")" "$(cat /proc/swaps)"
if [ -r /proc/pressure/cpu ]; then
	check "host pressure/cpu has the host's lines" "$(host_reader cat "$MNT/proc/pressure/cpu" | cut -d' ' -f1)" "$(cut -d' ' -f1 </proc/pressure/cpu)"
fi
check "host diskstats has the host's devices" "$(host_reader cat "$MNT/proc/diskstats" | awk '{ print $3 }')" "$(awk '{ print $3 }' /proc/diskstats)"
check "host stat has the host's lines" "$(host_reader cat "$MNT/proc/stat" | cut -d' ' -f1 | md5sum)" "$(cut -d' ' -f1 </proc/stat | md5sum)"
# One process reads both, so that no fork between the two reads changes them.
check "host meminfo, byte for byte (within 50 tries)" "$(host_reader $PYTHON -c '
import sys
for _ in range(50):
    a = open(sys.argv[1] + "/proc/meminfo").read()
    b = open("/proc/meminfo").read()
    if a == b:
        print("yes")
        break
else:
    print("no")
' "$MNT")" yes
check "host meminfo has the host's lines" "$(host_reader cat "$MNT/proc/meminfo" | cut -d: -f1 | md5sum)" "$(cut -d: -f1 </proc/meminfo | md5sum)"
check_true "host uptime" host_reader bash -c "read a _ < $MNT/proc/uptime; read b _ < /proc/uptime; awk -v a=\$a -v b=\$b 'BEGIN { exit !(b - a < 0.2 && b >= a) }'"

# --- lensfs-show agrees with the mount -----------------------------------
if [ "$HOST_SIDE" = 1 ]; then
# A python reader in the limited container reads a file through the mount
# each time it is asked and answers on a pipe (a file it wrote would be
# charged to its cgroup and change the numbers); lensfs-show renders the
# same file for its pid.
coproc PY {
	in_cgroup "$TAG/a" unshare -p -f $PYTHON -u -c '
import base64, os, sys
print(os.readlink("/proc/self"), flush=True)
for line in sys.stdin:
    data = open(sys.argv[1] + "/" + line.strip(), "rb").read()
    print(base64.b64encode(data).decode(), flush=True)
' "$MNT"
}
defer "kill $PY_PID"
read -r -t 10 pypid <&"${PY[0]}"
ask() { # FILE -> sets GOT to what the reader read
	local line
	echo "$1" >&"${PY[1]}"
	read -r -t 10 line <&"${PY[0]}"
	GOT=$(base64 -d <<<"$line")
}
for f in proc/cpuinfo sys/devices/system/cpu/online; do
	ask "$f"
	check "lensfs-show --pid agrees on $f" "$("$LENSFS_SHOW" --pid "$pypid" "$f")" "$GOT"
done
# Two lines count the whole machine and move with every process started on
# it, lensfs-show itself included: they are the host's at each moment.
machine_wide='^(Committed_AS|VmallocUsed):'
same=no
for _ in $(seq 10); do
	settle
	ask proc/meminfo
	if [ "$("$LENSFS_SHOW" --pid "$pypid" proc/meminfo | grep -Ev "$machine_wide")" = "$(grep -Ev "$machine_wide" <<<"$GOT")" ]; then
		same=yes
		break
	fi
done
check "lensfs-show --pid agrees on proc/meminfo" "$same" yes
check "lensfs-show sees the limit" "$("$LENSFS_SHOW" --pid "$pypid" proc/meminfo | grep '^MemTotal:')" "MemTotal:         262144 kB"
ask proc/uptime
show_up=$("$LENSFS_SHOW" --pid "$pypid" proc/uptime)
check_true "lensfs-show --pid agrees on proc/uptime ($GOT / $show_up)" awk -v a="${GOT%% *}" -v b="${show_up%% *}" 'BEGIN { exit !(b - a < 0.5 && b >= a) }'
check "lensfs-show --cgroup" "$("$LENSFS_SHOW" --cgroup "/$TAG/p/c" proc/meminfo | grep '^MemTotal:')" "MemTotal:         204800 kB"
check_true "lensfs-show refuses a path that climbs" bash -c "! '$LENSFS_SHOW' --cgroup '/$TAG/../..' proc/meminfo 2>/dev/null"
fi # HOST_SIDE

# --- bad input and failures -----------------------------------------------
# A container whose init moves to another cgroup and whose old cgroup is
# removed: once the text rendered for the old cgroup is no longer reused
# (--refresh-ms), the next read follows the move at once, although the
# container's resolution is trusted for --cache-ms (no error either).
cg_create "$TAG/m1"
cg_create "$TAG/m2"
cg_memory "$TAG/m1" $((300 << 20))
cg_memory "$TAG/m2" $((100 << 20))
in_container "$TAG/m1" sh -c 'sleep 61 & wait' &
disown
defer "pkill -x -f 'sleep 61'"
for _ in $(seq 50); do child=$(pgrep -n -x -f "sleep 61") && break; sleep 0.1; done
init=$(ps -o ppid= "$child" | tr -d ' ')
outside=$(ps -o ppid= "$init" | tr -d ' ') # unshare, in the same cgroup
check "before the move" "$(nsenter -t "$child" -p -m cat "$MNT/proc/meminfo" | grep '^MemTotal:')" "MemTotal:         307200 kB"
for p in "$outside" "$init" "$child"; do
	for f in $(cg_procs_files "$TAG/m2"); do echo "$p" >"$f"; done
done
cg_destroy "$TAG/m1"
check_true "the old cgroup is gone" test ! -d "$CGROOT/$(cg_ctrl_dir memory)/$TAG/m1"
settle
check "after the move and rmdir" "$(nsenter -t "$child" -p -m cat "$MNT/proc/meminfo" | grep '^MemTotal:')" "MemTotal:         102400 kB"

# Readers killed in the middle of their reads, hundreds at a time.
if [ "$LOAD_SECONDS" -gt 0 ]; then
	end=$((SECONDS + LOAD_SECONDS))
	readers=()
	while [ $SECONDS -lt $end ]; do
		for _ in $(seq 20); do
			in_container "$TAG/a" cat "$MNT/proc/cpuinfo" >/dev/null 2>&1 &
			readers+=($!)
		done
		sleep 0.02
		pkill -9 -f "cat $MNT/proc/cpuinfo" 2>/dev/null
	done
	wait "${readers[@]}" 2>/dev/null
fi
check "the daemon survives killed readers" "$(in_container "$TAG/a" cat "$MNT/proc/meminfo" | grep '^MemTotal:')" "MemTotal:         262144 kB"

# --- isolation under load ---------------------------------------------------
# Two containers read the same files at the same time, as fast as they can:
# every read of each shows its own limit, never the other's (the kernel can
# serve a read from a backing file of one view per inode at a time).
cg_create "$TAG/i1"
cg_create "$TAG/i2"
cg_memory "$TAG/i1" $((128 << 20))
cg_memory "$TAG/i2" $((384 << 20))
hammer() { # SECONDS: reads meminfo, prints each MemTotal seen and errors (at least one read)
	$PYTHON -c '
import sys, time
end = time.time() + float(sys.argv[2])
seen, errors, n = {}, 0, 0
while n == 0 or time.time() < end:
    try:
        for line in open(sys.argv[1] + "/proc/meminfo"):
            if line.startswith("MemTotal:"):
                seen[line.split()[1]] = seen.get(line.split()[1], 0) + 1
        n += 1
    except OSError:
        errors += 1
print(" ".join(sorted(seen)), "errors=%d" % errors, "reads=%d" % n)
' "$MNT" "$1"
}
in_container "$TAG/i1" bash -c "$(declare -f hammer); MNT=$MNT; PYTHON='$PYTHON'; hammer $LOAD_SECONDS" >"$MNT.i1" &
h1=$!
in_container "$TAG/i2" bash -c "$(declare -f hammer); MNT=$MNT; PYTHON='$PYTHON'; hammer $LOAD_SECONDS" >"$MNT.i2" &
h2=$!
wait "$h1" "$h2"
defer rm -f "$MNT.i1" "$MNT.i2"
check "container 1 under load sees only its own MemTotal" "$(cut -d' ' -f1-2 "$MNT.i1")" "131072 errors=0"
check "container 2 under load sees only its own MemTotal" "$(cut -d' ' -f1-2 "$MNT.i2")" "393216 errors=0"
echo "# $(cat "$MNT.i1") / $(cat "$MNT.i2")"

# --- privileges -----------------------------------------------------------
if [ "$HOST_SIDE" = 1 ]; then
worker=$(worker)
check "the worker keeps CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH only" \
	"$(awk '/^CapEff|^CapBnd/ { print $2 }' "/proc/$worker/status" | tr '\n' ' ')" "0000000000080004 0000000000080004 "
check "the worker has no_new_privs" "$(awk '/^NoNewPrivs/ { print $2 }' "/proc/$worker/status")" 1
check "the supervisor keeps CAP_SYS_ADMIN, CAP_SETPCAP and the worker's two only" \
	"$(awk '/^CapEff|^CapBnd/ { print $2 }' "/proc/$LENSFS_PID/status" | tr '\n' ' ')" "0000000000280104 0000000000280104 "

# --- one container's open files hold at most --container-open-mb ----------
opener='import errno, os, sys
fds = []
try:
    while len(fds) < 200000:
        fds.append(os.open(sys.argv[1], os.O_RDONLY))
    print(len(fds), "none", flush=True)
except OSError as e:
    print(len(fds), errno.errorcode[e.errno], flush=True)
open(sys.argv[2]).read()
os.close(fds.pop())
os.close(os.open(sys.argv[1], os.O_RDONLY))
print("again")'
mount_lensfs --container-open-mb 1
len=$(in_container "$TAG/a" cat "$MNT/proc/meminfo" | wc -c)
mkfifo "$MNT.go"
defer rm -f "$MNT.go" "$MNT.held"
in_container "$TAG/a" sh -c "ulimit -n 100000; $PYTHON -c '$opener' $MNT/proc/meminfo $MNT.go" >"$MNT.held" &
holder=$!
for _ in $(seq 200); do grep -q ' ' "$MNT.held" && break; sleep 0.05; done
n=$(head -1 "$MNT.held" | cut -d' ' -f1)
echo "# $(head -1 "$MNT.held") (meminfo: $len bytes)"
check "a container holding 1 MB of open text gets ENFILE" "$(head -1 "$MNT.held" | cut -d' ' -f2)" ENFILE
check_true "after about 1 MB / $len bytes ($n opens)" test "$n" -ge $((1048576 / len - 10)) -a "$n" -le $((1048576 / len))
check "meanwhile another container opens as usual" "$(in_container "$TAG/p/c" head -c 9 "$MNT/proc/meminfo")" "MemTotal:"
timeout 5 sh -c "echo go >'$MNT.go'"
wait "$holder"
check "a file closed, one more opens" "$(sed -n 2p "$MNT.held")" again
worker=$(worker)

# --- stopping ---------------------------------------------------------------
# (restart.sh tests restarts under load; here, that a killed worker is
# replaced and the mount stays.)
restart_worker
check "a killed worker is replaced, the mount stays" "$(head -c 9 "$MNT/proc/meminfo")" "MemTotal:"
check_true "... by a new worker" test "$(worker)" != "$worker"
mount_lensfs
kill -TERM "$LENSFS_PID"
wait "$LENSFS_PID"
check "SIGTERM: clean exit" "$?" 0
check_true "SIGTERM: unmounted" bash -c "! mountpoint -q '$MNT'"
fi # HOST_SIDE

finish
