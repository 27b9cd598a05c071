#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Per-container views (lensfs --views): made by the host's root only, fixed
# to the container's first process whoever reads them, served from the
# kernel's page cache (no OPEN, no RELEASE, a READ only when the text
# changed), fresh within their period, and gone once the container is.
. "$(dirname "$0")/lib.sh"
require_machine
echo "# cgroup v$CGVER, kernel $(uname -r)"
# What does not depend on the kernel's cgroups (who may make a view, the
# requests the kernel sends, 200 containers) runs on the host only: the
# cgroup v2 VM sets LENSFS_TEST_KERNEL_ONLY=1 and runs the freshness and
# lifetime cases.
HOST_SIDE=1
[ "${LENSFS_TEST_KERNEL_ONLY:-0}" = 1 ] && HOST_SIDE=0
mount_views_dir
# On the host, every request in the log (-d): what the kernel asks is
# counted.
mount_lensfs $([ "$HOST_SIDE" = 1 ] && echo -d) --views "$VDIR"
V() { timeout 10 cat "$VDIR/$1"; }
# links_within_4s N: waits until the views root's links (2 + the views
# alive) are N; its attributes hold a second.
links_within_4s() {
	for _ in $(seq 80); do [ "$(stat -c %h "$VDIR")" = "$1" ] && break; sleep 0.05; done
}
# requests OPCODE: how many the daemon has been sent so far.
requests() { grep -c "opcode: $1 " "$MNT.log"; }

check "the views are a mount of their own" "$(findmnt -n -o FSTYPE "$VDIR")" "fuse.lensfs-views"
check "no view yet (the root's links: 2 + the views alive)" "$(stat -c %h "$VDIR")" 2

# --- a container: 256M, its first process a sleeper -----------------------
cg_create "$TAG/a"
cg_memory "$TAG/a" $((256 << 20))
# One CPU of two: the cpu directory shows it as cpu0.
TWO_CPUS=0
if [ "$(nproc)" -ge 2 ]; then TWO_CPUS=1; cg_cpuset "$TAG/a" 1; fi
in_container "$TAG/a" sleep 1001 &
for _ in $(seq 100); do A=$(pgrep -x -f "sleep 1001") && break; sleep 0.05; done
check_true "the container runs ($A)" test -n "$A"

# Who may make one: the host's root, by the container's first pid.
if [ "$HOST_SIDE" = 1 ]; then
check_true "a container's root cannot make a view" \
	in_container "$TAG/a" sh -c "! mkdir $VDIR/$A 2>/dev/null"
check_true "nor list them" in_container "$TAG/a" sh -c "! ls $VDIR 2>/dev/null"
check_true "the host's other users cannot" setpriv --reuid 65534 --regid 65534 --clear-groups sh -c "! mkdir $VDIR/$A 2>/dev/null"
check_true "a name that is not a pid is refused" sh -c "! mkdir $VDIR/ctr 2>/dev/null"
check_true "a pid that is not there is refused" sh -c "! mkdir $VDIR/$((1 << 22)) 2>/dev/null"
fi # HOST_SIDE
check_true "the host's root makes it" mkdir "$VDIR/$A"
check "the root lists it" "$(ls "$VDIR")" "$A"
check "lensfs-show --views: one alive, its name" "$("$LENSFS_SHOW" --views "$VDIR" | tr '\n' ' ')" "alive: 1 named: $A "
if [ "$HOST_SIDE" = 1 ]; then
	check_true "a container's process cannot read a view by its name, its own or another's" \
		in_container "$TAG/a" sh -c "! cat $VDIR/$A/proc/meminfo 2>/dev/null"
fi
check "lensfs-show --view shows it without FUSE" "$(kb "$("$LENSFS_SHOW" --view "$A" proc/meminfo)" MemTotal)" 262144
# sysinfo(2) as the container would get it, from the same texts; for a
# process of the host, what the kernel itself answers.
check "lensfs-show --view --sysinfo: the container's totalram, in bytes" \
	"$(value totalram "$("$LENSFS_SHOW" --view "$A" --sysinfo)") $(value mem_unit "$("$LENSFS_SHOW" --view "$A" --sysinfo)")" \
	"$((256 << 20)) 1"
ours=$("$LENSFS_SHOW" --sysinfo)
kernels=$($PYTHON - <<'PY'
import ctypes
class S(ctypes.Structure):
    _fields_ = [("uptime", ctypes.c_long), ("loads", ctypes.c_ulong * 3)] + \
        [(n, ctypes.c_ulong) for n in ("totalram", "freeram", "sharedram", "bufferram", "totalswap", "freeswap")] + \
        [("procs", ctypes.c_ushort), ("pad", ctypes.c_ushort), ("totalhigh", ctypes.c_ulong),
         ("freehigh", ctypes.c_ulong), ("mem_unit", ctypes.c_uint), ("_f", ctypes.c_char * 8)]
s = S()
assert ctypes.CDLL(None).sysinfo(ctypes.byref(s)) == 0
print(s.uptime, s.totalram * s.mem_unit, s.totalswap * s.mem_unit)
PY
)
read -r k_up k_ram k_swap <<<"$kernels"
check "lensfs-show --sysinfo of a host process: the kernel's totalram and totalswap" \
	"$(value totalram "$ours") $(value totalswap "$ours")" "$k_ram $k_swap"
check_true "and its uptime ($(value uptime "$ours"), the kernel's $k_up)" \
	test $((k_up - $(value uptime "$ours"))) -ge 0 -a $((k_up - $(value uptime "$ours"))) -le 2
check "its files are the table's" "$(ls "$VDIR/$A/proc" | tr '\n' ' ')" "cpuinfo diskstats loadavg meminfo pressure slabinfo stat swaps uptime vmstat "
check "the host reads the container's MemTotal there" "$(kb "$(V "$A/proc/meminfo")" MemTotal)" 262144
cg_create "$TAG/other"
cg_memory "$TAG/other" $((128 << 20))
check "a process of another cgroup too: the view is the container's" \
	"$(in_cgroup "$TAG/other" cat "$VDIR/$A/proc/meminfo" | awk '/^MemTotal:/ { print $2 }')" 262144
check "stat gives the text's size" "$(stat -c %s "$VDIR/$A/proc/meminfo")" "$(V "$A/proc/meminfo" | wc -c)"
check_true "each view file an inode of its own" test "$(stat -c %i "$VDIR/$A/proc/meminfo")" != "$(stat -c %i "$MNT/proc/meminfo")"
check_true "writing is refused" sh -c "! echo x 2>/dev/null >'$VDIR/$A/proc/meminfo'"

# --- the cpu directory and the cgroup view: passed through for the view ------
# What the container reads through the caller-based mount is what its view
# shows anyone.
CPU=sys/devices/system/cpu
# in_a CMD: CMD inside container a (a pid namespace of its own in cgroup a).
in_a() { in_container "$TAG/a" sh -c "$1"; }
cpus_of() { ls "$1" | grep -E '^cpu[0-9]+$' | tr '\n' ' '; }
check "the cpu directory: the container's CPUs, as it reads them itself" \
	"$(cpus_of "$VDIR/$A/$CPU")" "$(in_a "ls $MNT/$CPU" | grep -E '^cpu[0-9]+$' | tr '\n' ' ')"
if [ "$TWO_CPUS" = 1 ]; then
	check "the cpu directory: its one CPU is cpu0" "$(cpus_of "$VDIR/$A/$CPU")" "cpu0 "
	check "online" "$(cat "$VDIR/$A/$CPU/online")" 0
fi
check "cpu0's topology files, as the container reads them" \
	"$(cat "$VDIR/$A/$CPU"/cpu0/topology/*_list | tr '\n' ' ')" \
	"$(in_a "cat $MNT/$CPU/cpu0/topology/*_list" | tr '\n' ' ')"
check "below cpu0, the names the container sees" \
	"$(cd "$VDIR/$A/$CPU/cpu0" && find . | sort | md5sum)" \
	"$(in_a "cd $MNT/$CPU/cpu0 && find . | sort | md5sum")"
if [ -L /sys/devices/system/cpu/cpu0/subsystem ]; then
	check "a symbolic link there reads as the host's" "$(readlink "$VDIR/$A/$CPU/cpu0/subsystem")" \
		"$(readlink /sys/devices/system/cpu/cpu0/subsystem)"
fi
if [ "$CGVER" = 1 ]; then CGLIMIT=memory/memory.limit_in_bytes CGUSAGE=memory/memory.usage_in_bytes; else CGLIMIT=memory.max CGUSAGE=memory.current; fi
check "the cgroup view: the container's own cgroup at its root" "$(cat "$VDIR/$A/sys/fs/cgroup/$CGLIMIT")" $((256 << 20))
check "the cgroup view: the names the container sees" \
	"$(cd "$VDIR/$A/sys/fs/cgroup" && find . | sort | md5sum)" \
	"$(in_a "cd $MNT/sys/fs/cgroup && find . | sort | md5sum")"
check "the cgroup view is read-only in a view" \
	"$(bash -c "echo 1 >$VDIR/$A/sys/fs/cgroup/$CGLIMIT" 2>&1 | sed 's/.*: //')" "Read-only file system"
check_true "and its files are not writable" test "$(stat -c %A "$VDIR/$A/sys/fs/cgroup/$CGLIMIT")" = "-r--r--r--"

if [ "$HOST_SIDE" = 1 ]; then
# --- the page cache: no OPEN, no RELEASE; a READ only for a new text ---------
# proc/swaps does not change while nothing swaps: read 50 times, the kernel
# asks for it once (a GETATTR a period, the page cache the rest).
V "$A/proc/swaps" >/dev/null
opens=$(requests OPEN) releases=$(requests RELEASE) reads=$(requests READ)
for _ in $(seq 50); do cat "$VDIR/$A/proc/swaps" >/dev/null; done
check "50 reads: no OPEN" "$(($(requests OPEN) - opens))" 0
check "50 reads: no RELEASE" "$(($(requests RELEASE) - releases))" 0
check "50 reads of an unchanged text: no READ" "$(($(requests READ) - reads))" 0
# A file the cpu directory passes through, the same.
SIB=$VDIR/$A/$CPU/cpu0/topology/thread_siblings_list
cat "$SIB" >/dev/null
opens=$(requests OPEN) reads=$(requests READ)
for _ in $(seq 50); do cat "$SIB" >/dev/null; done
check "50 reads of a cpu directory file: no OPEN, no READ" "$(($(requests OPEN) - opens)) $(($(requests READ) - reads))" "0 0"
# busybox cat (sendfile) and Python's ways read the same text.
if command -v busybox >/dev/null; then
	check "busybox cat (sendfile) reads the view" "$(busybox cat "$VDIR/$A/proc/meminfo" | awk '/^MemTotal:/ { print $2 }')" 262144
fi
check "splice and a private map read the view" "$($PYTHON - "$VDIR/$A/proc/meminfo" <<'PY'
import mmap, os, re, sys
p = sys.argv[1]
r, w = os.pipe()
fd = os.open(p, os.O_RDONLY)
n = os.splice(fd, w, 1 << 16)
spliced = os.read(r, n)
with open(p, "rb") as f, mmap.mmap(f.fileno(), os.fstat(f.fileno()).st_size, mmap.MAP_PRIVATE, mmap.PROT_READ) as m:
    mapped = m[:]
t = lambda b: re.search(rb"^MemTotal: *(\d+) kB$", b, re.M).group(1).decode()
print(t(spliced), t(mapped), mapped.endswith(b"\n") and b"\0" not in mapped)
PY
)" "262144 262144 True"
fi # HOST_SIDE

# --- freshness: within two periods (--refresh-ms, 100 ms) ------------------
free_before=$(kb "$(V "$A/proc/meminfo")" MemFree)
usage_before=$(V "$A/sys/fs/cgroup/$CGUSAGE")
in_cgroup "$TAG/a" $PYTHON -c '
import time
b = bytearray(100 << 20)
for i in range(0, len(b), 4096):
    b[i] = 1
print("held", flush=True)
time.sleep(2)
' >"$MNT.hog" 2>&1 &
hog=$!
for _ in $(seq 100); do grep -q held "$MNT.hog" && break; sleep 0.05; done
sleep 0.2
free_during=$(kb "$(V "$A/proc/meminfo")" MemFree)
usage_during=$(V "$A/sys/fs/cgroup/$CGUSAGE")
check_true "a container that takes 100 MiB: MemFree falls within 2 periods ($free_before -> $free_during kB)" \
	test $((free_before - free_during)) -ge $((90 << 10))
check_true "and its cgroup view's usage grows ($usage_before -> $usage_during)" \
	test $((usage_during - usage_before)) -ge $((90 << 20))
wait "$hog"
# uptime advances as the host's does between two reads (each read paired
# with the host's right after it; the VM's emulated CPUs make a second of
# sleep last longer).
up1=$(cut -d' ' -f1 <<<"$(V "$A/proc/uptime")") host1=$(cut -d' ' -f1 /proc/uptime)
sleep 1.1
up2=$(cut -d' ' -f1 <<<"$(V "$A/proc/uptime")") host2=$(cut -d' ' -f1 /proc/uptime)
check_true "uptime advances as the host's ($up1 -> $up2; host $host1 -> $host2)" \
	awk -v a="$up1" -v b="$up2" -v h="$host1" -v k="$host2" \
	'BEGIN { d = (b - a) - (k - h); exit !(b - a >= 1.0 && d > -0.3 && d < 0.3) }'
# top's CPU%: a container burning its quota is busy, an idle one idle.
cg_create "$TAG/busy"
cg_quota "$TAG/busy" 50000 100000
in_container "$TAG/busy" sh -c 'nice -n 19 sh -c "while :; do :; done" & exec sleep 1003' &
for _ in $(seq 100); do BUSY=$(pgrep -x -f "sleep 1003") && break; sleep 0.05; done
mkdir "$VDIR/$BUSY"
check_true "two views: the cpu directory's cpu0 an inode of each's own" \
	test "$(stat -c %i "$VDIR/$BUSY/$CPU/cpu0")" != "$(stat -c %i "$VDIR/$A/$CPU/cpu0")"
# share PID: the busy percentage of the view's cpu line over 2 s.
share() {
	local a b
	a=$(V "$1/proc/stat" | awk '$1 == "cpu"')
	sleep 2
	b=$(V "$1/proc/stat" | awk '$1 == "cpu"')
	awk -v a="$a" -v b="$b" 'BEGIN { n = split(a, x); split(b, y); for (i = 2; i <= n; i++) { d = y[i] - x[i]; t += d; if (i != 5 && i != 6) u += d }; printf "%d", t ? 100 * u / t : -1 }'
}
busy=$(share "$BUSY") idle=$(share "$A")
check_true "proc/stat: a container burning its quota of 0.5 is busy (${busy}% > 90%)" test "$busy" -gt 90
check_true "proc/stat: an idle container is idle (${idle}% < 10%)" test "$idle" -ge 0 -a "$idle" -lt 10
kill -9 "$BUSY"
# proc/stat's counters never go back, read after read.
prev=0 back=0
for _ in $(seq 30); do
	sum=$(V "$A/proc/stat" | awk '$1 == "cpu" { s = 0; for (i = 2; i <= NF; i++) s += $i; print s }')
	[ "$sum" -ge "$prev" ] || back=$((back + 1))
	prev=$sum
	sleep 0.02
done
check "proc/stat read 30 times: its counters never went back" "$back" 0

# --- lifetime: from the kernel's references ------------------------------------
# (The busy container's view goes once the kernel forgets it.)
links_within_4s 3
check "one view alive" "$(stat -c %h "$VDIR")" 3
check_true "making it again says it is there" sh -c "! mkdir $VDIR/$A 2>/dev/null"
# Bound in a mount namespace of its own, as lensfs-hook binds it; then the
# container ends.
# The cpu directory bound too, and read all through: the kernel holds
# names passed through.
touch "$MNT.target"
mkdir -p "$MNT.cpudir"
unshare -m --propagation private sh -c "mount --bind $VDIR/$A/proc/meminfo $MNT.target && mount --bind $VDIR/$A/$CPU $MNT.cpudir && ls -R $MNT.cpudir >/dev/null && cat $MNT.cpudir/cpu0/topology/*_list >/dev/null && exec sleep 600" &
binder=$!
sleep 0.3
kill -9 "$A"
for _ in $(seq 40); do [ -z "$(ls "$VDIR")" ] && break; sleep 0.05; done
check "its process gone: its name goes" "$(ls "$VDIR")" ""
sleep 1.1 # (past the root's attributes' second: the count is today's)
check "held by a bind mount: alive" "$(stat -c %h "$VDIR")" 3
kill "$binder"
wait "$binder" 2>/dev/null
links_within_4s 2
check "the mount gone: the kernel forgot it, the view is freed" "$(stat -c %h "$VDIR")" 2

# 200 containers start, get a view bound and read, and stop (10 in the VM,
# whose CPUs are emulated).
STARTS=$([ "$HOST_SIDE" = 1 ] && echo 200 || echo 10)
cg_create "$TAG/b"
cg_memory "$TAG/b" $((128 << 20))
right=0
for i in $(seq "$STARTS"); do
	in_container "$TAG/b" sleep 1002 &
	ctr=$!
	for _ in $(seq 100); do p=$(pgrep -x -f "sleep 1002") && break; sleep 0.01; done
	mkdir "$VDIR/$p" 2>/dev/null &&
		total=$(unshare -m --propagation private sh -c "mount --bind $VDIR/$p/proc/meminfo $MNT.target && mount --bind $VDIR/$p/$CPU $MNT.cpudir && cat $MNT.cpudir/cpu0/topology/core_id >/dev/null && awk '/^MemTotal:/ { print \$2 }' $MNT.target") &&
		[ "$total" = 131072 ] && right=$((right + 1))
	kill -9 "$p" # a pid namespace's init
	wait "$ctr" 2>/dev/null
done
check "$STARTS containers read their own view" "$right" "$STARTS"
links_within_4s 2
check "and once they stopped, no view is left" "$(stat -c %h "$VDIR")" 2
check "none named" "$(ls "$VDIR" | wc -l)" 0
check "lensfs-show --views says so" "$("$LENSFS_SHOW" --views "$VDIR")" "alive: 0"
rm -f "$MNT.target" "$MNT.hog"
rmdir "$MNT.cpudir"
finish
