#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Restarts are invisible to containers: a runc container reads its views in
# a tight loop while the worker is SIGKILLed 10 times, then while lensfs is
# upgraded 5 times (a new binary on disk, SIGHUP); a request the dying
# worker had read is answered by the next one; a file open across a crash
# still reads the reader's values.
. "$(dirname "$0")/lib.sh"
require_machine
require_runc
KILL_SECONDS=${LENSFS_TEST_RESTART_SECONDS:-60}
WORK=$(mktemp -d -t lensfs-restart-XXXXXX)
defer "rm -rf $WORK"
# lensfs runs from a copy, so that the test can put a new binary in its place.
mkdir -p "$WORK/bin"
cp "$LENSFS" "$WORK/bin/lensfs"
LENSFS=$WORK/bin/lensfs
# LENSFS_TEST_VIEWS=1 (restart-views.sh): the container reads a view of its
# own (lensfs --views), through the kernel's page cache.
if [ "${LENSFS_TEST_VIEWS:-0}" = 1 ]; then
	mount_views_dir
	mount_lensfs --views "$VDIR"
else
	mount_lensfs
fi
ROOTFS=$WORK/rootfs
make_rootfs "$ROOTFS"
cp "$SRCDIR/tests/integration/reader.py" "$ROOTFS/reader.py"
RUNC="runc --root $WORK/runc-state"
LIMITS='{"memory":{"limit":268435456},"cpu":{"cpus":"0","quota":50000,"period":100000}}'
ID=lensfs-restart-$$

# This test's processes stuck in a FUSE request.
stuck() { ps -eo stat=,wchan:32=,cgroup:512= | awk -v tag="/$TAG/" '$1 ~ /^D/ && $2 ~ /fuse|request_wait/ && index($3, tag)' | wc -l; }
in_ctr() { $RUNC exec "$ID" "$@"; }
# read_views SECONDS: reader.py in the container, which started $CTR_START,
# for SECONDS at most; stop_reading: now (each restart loop's reader reads
# until its restarts are done, however long they took).
read_views() { in_ctr /usr/bin/python3 -S /reader.py "$1" $(($(date +%s) - CTR_START + 2)); }
stop_reading() { in_ctr /busybox touch /dev/shm/lensfs-stop; wait "$1"; local rc=$?; in_ctr /busybox rm -f /dev/shm/lensfs-stop; return $rc; }
# finishes PID SECONDS: whether PID ends within SECONDS. A request nobody
# answers leaves its reader unkillable: the test must not wait for it.
finishes() {
	for _ in $(seq $(($2 * 20))); do kill -0 "$1" 2>/dev/null || { wait "$1"; return 0; }; sleep 0.05; done
	return 1
}

bundle ctr "$(hook_json createRuntime)" '.process.args = ["/busybox", "sleep", "100000"]'
CTR_START=$(date +%s)
(cd "$WORK/ctr" && $RUNC run -d "$ID" </dev/null >"$WORK/ctr.out" 2>&1) ||
	{ cat "$WORK/ctr.out"; echo "runc run failed"; exit 1; }
defer "$RUNC delete -f $ID"
check_true "the container reads its own meminfo, cpuinfo, uptime and its cpu directory" read_views 0
if [ -n "${VDIR:-}" ]; then
	check "its /proc files are its own view's" \
		"$(in_ctr /busybox awk '$5 ~ "^/proc/" && / - fuse\.lensfs-views / { n++ } END { print n }' /proc/self/mountinfo)" \
		"$(find "$VDIR"/*/proc -type f | wc -l)"
fi

# --- 10 SIGKILLs of the worker while the container reads -------------------
read_views $((KILL_SECONDS * 3)) >"$WORK/kill.out" 2>&1 &
reader=$!
start=$(date +%s)
n=$(serving)
kills=0 right=0
# 10 kills at random moments within the reading: 50-130 % of a tenth of it apart.
tenth_cs=$((KILL_SECONDS * 9))
for i in $(seq 10); do
	cs=$((tenth_cs * (50 + RANDOM % 80) / 100))
	sleep "$((cs / 100)).$(printf %02d $((cs % 100)))"
	kill -0 "$reader" 2>/dev/null && kill -9 "$(worker)" && kills=$((kills + 1))
	wait_serving $((n + i)) && read_views 0 >/dev/null && right=$((right + 1))
done
stop_reading "$reader"
rc=$?
echo "# after $(($(date +%s) - start)) s: $(cat "$WORK/kill.out")"
check "10 workers killed while the container read" "$kills" 10
check "meminfo, cpuinfo, uptime and its cpu directory right after each of the 10 restarts" "$right" 10
check "reads under 10 kills: none failed, empty or with the host's values" "$rc" 0
check_true "the reader read for ${KILL_SECONDS} s (many reads)" \
	awk -v r="$(sed -n 's/^reads=\([0-9]*\).*/\1/p' "$WORK/kill.out")" 'BEGIN { exit !(r > 1000) }'
check "no process left in a FUSE request (D state)" "$(stuck)" 0
check "the supervisor logged each death" "$(grep -c 'killed by signal 9' "$MNT.log")" 10

# --- 5 upgrades: a new binary on disk, SIGHUP --------------------------------
read_views 120 >"$WORK/upgrade.out" 2>&1 &
reader=$!
n=$(serving)
upgraded=0
for i in $(seq 5); do
	sleep 2
	cp "$BUILDDIR/lensfs" "$WORK/bin/lensfs.new"
	mv -f "$WORK/bin/lensfs.new" "$WORK/bin/lensfs" # a new inode, as package managers do
	kill -HUP "$LENSFS_PID"
	wait_serving $((n + i)) || continue
	# The replaced worker finishes what it had read, and exits.
	for _ in $(seq 40); do [ "$(pgrep -c -P "$LENSFS_PID")" = 1 ] && break; sleep 0.05; done
	ino=$(stat -c %i "$WORK/bin/lensfs")
	[ "$(stat -L -c %i "/proc/$LENSFS_PID/exe")" = "$ino" ] &&
		[ "$(stat -L -c %i "/proc/$(worker)/exe")" = "$ino" ] &&
		[ "$(pgrep -c -P "$LENSFS_PID")" = 1 ] && upgraded=$((upgraded + 1))
done
stop_reading "$reader"
rc=$?
echo "# $(cat "$WORK/upgrade.out")"
check "5 upgrades: the supervisor and its one worker run the new binary" "$upgraded" 5
check "reads under 5 upgrades: none failed, empty or with the host's values" "$rc" 0
check_true "meminfo, cpuinfo, uptime and its cpu directory right after the upgrades" read_views 0
check "no process left in a FUSE request (D state)" "$(stuck)" 0
check "replaced workers stop cleanly" "$(grep -c 'exited with status 3' "$MNT.log")" 5

# --- a file open across a crash ------------------------------------------------
cg_create "$TAG/held"
cg_memory "$TAG/held" $((192 * 1024 * 1024))
mkfifo "$WORK/go"
in_cgroup "$TAG/held" $PYTHON -c '
import sys
f = open(sys.argv[1])
print("open", flush=True)
open(sys.argv[2]).read()
print(f.read().split()[1])' "$MNT/proc/meminfo" "$WORK/go" >"$WORK/held.out" &
held=$!
for _ in $(seq 100); do grep -q open "$WORK/held.out" && break; sleep 0.05; done
restart_worker
echo go >"$WORK/go"
wait "$held"
check "a file opened before a crash reads the reader's values after it" \
	"$(sed -n 2p "$WORK/held.out")" 196608

# Below the cpu directory, the nodes a dead worker gave out stay known (the
# node log in the handover record): a file open there, and a working
# directory there, across a crash and an upgrade.
mkfifo "$WORK/go2"
in_cgroup "$TAG/held" $PYTHON -c '
import os, sys
os.chdir(sys.argv[1] + "/sys/devices/system/cpu/cpu0")
f = open("topology/core_id")
print("open", flush=True)
for _ in range(2):
    open(sys.argv[2]).read()
    print(f.read().strip(), open("topology/core_id").read().strip(), sorted(os.listdir("."))[0], flush=True)
    f.seek(0)' "$MNT" "$WORK/go2" >"$WORK/held2.out" 2>&1 &
held=$!
for _ in $(seq 100); do grep -q open "$WORK/held2.out" && break; sleep 0.05; done
restart_worker
# (a reader that died of an error must not leave the test waiting on the fifo)
timeout 5 sh -c "echo go >'$WORK/go2'"
for _ in $(seq 100); do [ "$(wc -l <"$WORK/held2.out")" -ge 2 ] && break; sleep 0.05; done
restart_worker HUP
sleep 0.5
timeout 5 sh -c "echo go >'$WORK/go2'"
wait "$held"
core=$(cat /sys/devices/system/cpu/cpu0/topology/core_id)
first=$(ls /sys/devices/system/cpu/cpu0 | sort | head -1)
check "cpu0: an open file and a working directory after a crash" "$(sed -n 2p "$WORK/held2.out")" "$core $core $first"
check "and after an upgrade" "$(sed -n 3p "$WORK/held2.out")" "$core $core $first"

# --- a request the dying worker had read ----------------------------------------
kernel=$(uname -r)
resend_ok=0
if ! command -v strace >/dev/null; then
	skip_section "a read request resent to the next worker" "needs strace"
elif [ "$(printf '%s\n' 6.9 "${kernel%%-*}" | sort -V | head -n1)" != 6.9 ]; then
	skip_case "a read request resent to the next worker" "Linux $kernel < 6.9 has no FUSE_NOTIFY_RESEND"
else
	resend_ok=1
	# strace kills the worker when it answers: after it read the request.
	n=$(serving)
	w=$(worker)
	timeout 10 strace -p "$w" -o /dev/null -e trace=writev -e inject=writev:signal=SIGKILL:when=1 2>/dev/null &
	tracer=$!
	for _ in $(seq 100); do grep -q '^TracerPid:[[:space:]]*[1-9]' "/proc/$w/status" && break; sleep 0.05; done
	t0=$(date +%s%N)
	in_cgroup "$TAG/held" head -n1 "$MNT/proc/meminfo" >"$WORK/resent.out" &
	finishes $! 5
	ms=$((($(date +%s%N) - t0) / 1000000))
	wait "$tracer"
	check "the request the worker died answering is answered by the next one" "$(cat "$WORK/resent.out")" "MemTotal:         196608 kB"
	check_true "... within 1 s ($ms ms)" test "$ms" -lt 1000
	check_true "... the killed worker had read it" bash -c "! kill -0 $w 2>/dev/null && [ \$(grep -c ' serving ' $MNT.log) -gt $n ]"
	check "no process left in a FUSE request (D state)" "$(stuck)" 0
fi

# --- under systemd: the supervisor dies too ---------------------------------------
# systemd is not PID 1 here: fake-systemd.py speaks its protocols (notify,
# file descriptor store, Restart=on-failure) as lensfs.service asks.
MNT2=$WORK/mnt2
mkdir -p "$MNT2" "$WORK/bound"
$PYTHON "$SRCDIR/tests/integration/fake-systemd.py" "$WORK/notify" "$LENSFS" -f "$MNT2" \
	>"$WORK/systemd.log" 2>"$WORK/lensfs2.log" &
manager=$!
defer "kill $manager; sleep 0.3; umount -l $MNT2; umount -l $WORK/bound/meminfo"
for _ in $(seq 100); do grep -q '^ready' "$WORK/systemd.log" && break; sleep 0.05; done
check "systemd: ready once a worker serves, the connection and the record stored" \
	"$(grep -E '^(ready|fdstore)' "$WORK/systemd.log" | tr '\n' ' ')" "fdstore lensfs-fuse fdstore lensfs-record ready "
# What a container holds: a bind mount of a view.
touch "$WORK/bound/meminfo"
mount --bind "$MNT2/proc/meminfo" "$WORK/bound/meminfo"
in_cgroup "$TAG/held" $PYTHON -c '
import sys, time
end, bad, n = time.monotonic() + 3, 0, 0
while time.monotonic() < end:
    n += 1
    try:
        bad += open(sys.argv[1]).readline().split()[1] != "196608"
    except OSError:
        bad += 1
print(n, bad)' "$WORK/bound/meminfo" >"$WORK/bound.out" &
bound_reader=$!
sleep 1
sup=$(pgrep -f -- "^$LENSFS -f $MNT2\$")
# The supervisor crashes; KillMode=mixed then kills what is left of the service.
kill -9 "$sup" $(pgrep -P "$sup")
wait "$bound_reader"
echo "# bind-mount reads, failed: $(cat "$WORK/bound.out")"
check "systemd: restarted with the stored connection" "$(grep -c '^start fds=lensfs-fuse,lensfs-record$' "$WORK/systemd.log")" 1
check "systemd: the new supervisor resumed it" "$(grep -c 'resuming the connection systemd kept' "$WORK/lensfs2.log")" 1
check "systemd: reads through a bind mount while supervisor and worker die: none failed" \
	"$(cut -d' ' -f2 "$WORK/bound.out")" 0
check "systemd: the bind mount reads the reader's values after" \
	"$(in_cgroup "$TAG/held" head -n1 "$WORK/bound/meminfo")" "MemTotal:         196608 kB"
# The supervisor dies while its worker had read a request and died too: the
# next supervisor has no worker of its own to reap, and must ask for it again.
if [ "$resend_ok" = 1 ]; then
	sup=$(pgrep -f -- "^$LENSFS -f $MNT2\$")
	w=$(pgrep -P "$sup")
	kill -STOP "$sup" # it must not see its worker die
	timeout 10 strace -p "$w" -o /dev/null -e trace=writev -e inject=writev:signal=SIGKILL:when=1 2>/dev/null &
	tracer=$!
	for _ in $(seq 100); do grep -q '^TracerPid:[[:space:]]*[1-9]' "/proc/$w/status" && break; sleep 0.05; done
	t0=$(date +%s%N)
	in_cgroup "$TAG/held" head -n1 "$WORK/bound/meminfo" >"$WORK/inflight.out" &
	inflight=$!
	wait "$tracer"
	kill -9 "$sup"
	finishes "$inflight" 5
	ms=$((($(date +%s%N) - t0) / 1000000))
	check "systemd: a request in flight when supervisor and worker die is answered" \
		"$(cat "$WORK/inflight.out")" "MemTotal:         196608 kB"
	check_true "... within 1 s of the kill ($ms ms)" test "$ms" -lt 1000
fi
kill -TERM "$manager"
wait "$manager"
check "systemd: a stop takes the connection out of the store" \
	"$(grep -E '^fdstoreremove' "$WORK/systemd.log" | tr '\n' ' ')" "fdstoreremove lensfs-fuse fdstoreremove lensfs-record "
check_true "systemd: after a stop, the connection has ended" bash -c "! head -c1 $WORK/bound/meminfo 2>/dev/null"

# --- stop -----------------------------------------------------------------------
kill -TERM "$LENSFS_PID"
wait "$LENSFS_PID"
check "SIGTERM: clean exit" "$?" 0
check_true "SIGTERM: unmounted" bash -c "! mountpoint -q '$MNT'"
check "SIGTERM: no worker left" "$(pgrep -c -f -- "--worker=.*$MNT")" 0
finish
