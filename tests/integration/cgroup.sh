#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The sys/fs/cgroup view on a real mount: a container's own cgroup as the
# root, the limit its parent sets shown there, nothing of its siblings or
# the host, pids in its own numbering, pass-through files byte for byte,
# and every way out refused. Runs on the host (v1 hybrid) and in the v2 VM.
. "$(dirname "$0")/lib.sh"
require_machine
echo "# cgroup v$CGVER, kernel $(uname -r)"
mount_lensfs
V=$MNT/sys/fs/cgroup

# Where a container finds its memory limit and cpu quota in the view, and
# a few files that do not move, to compare byte for byte with the host's.
if [ "$CGVER" = 2 ]; then
	MEMDIR=$V
	MEMFILE=memory.max
	CPUFILE=$V/cpu.max
	WANT_CPU="50000 100000"
	STATIC="cgroup.controllers cgroup.type cgroup.max.depth memory.min memory.oom.group"
	HOSTMEM=$CGROOT
else
	MEMDIR=$V/memory
	MEMFILE=memory.limit_in_bytes
	CPUFILE=$V/cpu/cpu.cfs_quota_us
	WANT_CPU=50000
	STATIC="cgroup.clone_children memory.swappiness memory.use_hierarchy memory.move_charge_at_immigrate notify_on_release"
	HOSTMEM=$CGROOT/memory
fi

cg_create "$TAG/pod/ctr"
cg_create "$TAG/pod/sib"
cg_memory "$TAG/pod" $((200 << 20))
cg_quota "$TAG/pod" 50000 100000
C=$TAG/pod/ctr

# --- the root is the container's cgroup, with the limits that apply -------
check "the parent's memory limit at the root" "$(in_container "$C" cat "$MEMDIR/$MEMFILE")" $((200 << 20))
check "the parent's cpu quota at the root" "$(in_container "$C" cat "$CPUFILE")" "$WANT_CPU"
check "the host reads the container's own file as it is" \
	"$(cat "$V/$(cg_ctrl_dir memory)/$C/$MEMFILE")" "$(cat "$HOSTMEM/$C/$MEMFILE")"
cg_memory "$C" $((100 << 20))
check "a lower limit of its own wins" "$(in_container "$C" cat "$MEMDIR/$MEMFILE")" $((100 << 20))
mkdir "$HOSTMEM/$C/child"
check_true "its own child cgroup is there" in_container "$C" test -d "$MEMDIR/child"
rmdir "$HOSTMEM/$C/child"
# Below the root, limit files are the cgroup's own (150M under the root's 100M). (v2: a child has memory
# files once its parent hands the controller down, and the parent then takes
# no process: read from the host's view there.)
if [ "$CGVER" = 1 ]; then
	mkdir "$HOSTMEM/$C/child"
	echo $((150 << 20)) >"$HOSTMEM/$C/child/$MEMFILE"
	check "below the root, a limit is the cgroup's own" "$(in_container "$C" cat "$MEMDIR/child/$MEMFILE")" $((150 << 20))
else
	echo +memory >"$HOSTMEM/$C/cgroup.subtree_control"
	mkdir "$HOSTMEM/$C/child"
	echo $((150 << 20)) >"$HOSTMEM/$C/child/$MEMFILE"
	check "below the root, a limit is the cgroup's own" "$(cat "$V/$C/child/$MEMFILE")" $((150 << 20))
fi
rmdir "$HOSTMEM/$C/child"
[ "$CGVER" = 2 ] && echo -memory >"$HOSTMEM/$C/cgroup.subtree_control"
differ=0 compared=0
for f in $STATIC; do
	[ -e "$HOSTMEM/$C/$f" ] || continue
	compared=$((compared + 1))
	[ "$(in_container "$C" cat "$MEMDIR/$f" | md5sum)" = "$(md5sum <"$HOSTMEM/$C/$f")" ] || {
		differ=$((differ + 1))
		echo "# differs: $f"
	}
done
check_true "pass-through files to compare ($compared)" test "$compared" -ge 3
check "pass-through files are byte for byte the host's" "$differ" 0
WRITE_ONLY=$([ "$CGVER" = 2 ] && echo cgroup.kill || echo memory.force_empty)
check "a write-only file fails to read as the host's does" \
	"$(in_container "$C" cat "$MEMDIR/$WRITE_ONLY" 2>&1 | sed 's/.*: //')" "$(cat "$HOSTMEM/$C/$WRITE_ONLY" 2>&1 | sed 's/.*: //')"

# --- pids in the container's own numbering --------------------------------
in_cgroup "$C" sleep 30 &
hostpid=$!
defer "kill $hostpid 2>/dev/null"
sleep 0.2
check "cgroup.procs: its own pids, not the host process in the cgroup" \
	"$(in_container "$C" sh -c "cat $MEMDIR/cgroup.procs" | sort -n | tr '\n' ' ')" "1 2 "
check_true "there is a host process in it" grep -q . "$HOSTMEM/$C/cgroup.procs"
check "the host sees the host's pids" "$(cat "$V/$(cg_ctrl_dir memory)/$C/cgroup.procs")" "$(cat "$HOSTMEM/$C/cgroup.procs")"
kill "$hostpid"

# --- nothing of the siblings or the host ----------------------------------
listing=$(in_container "$C" ls "$MEMDIR")
check "the root lists its own files" "$(grep -c "^$MEMFILE\$" <<<"$listing")" 1
check "no sibling, no host cgroup in the root" "$(grep -Ec "^(sib|ctr|pod|$TAG)\$" <<<"$listing")" 0
check "a sibling by name: no such file" "$(in_container "$C" cat "$MEMDIR/sib/$MEMFILE" 2>&1 | grep -c 'No such file')" 1
check "a sibling by the host's path: no such file" "$(in_container "$C" cat "$MEMDIR/$TAG/pod/sib/$MEMFILE" 2>&1 | grep -c 'No such file')" 1
check ".. at the root is the view's parent, not the host's" "$(in_container "$C" ls "$MEMDIR/.." | head -1)" "$(ls "$MEMDIR/.." | head -1)"
check "%2e%2e is a name, and not there" "$(in_container "$C" cat "$MEMDIR/%2e%2e/$MEMFILE" 2>&1 | grep -c 'No such file')" 1
check "a very long name" "$(in_container "$C" cat "$MEMDIR/$(printf 'x%.0s' $(seq 300))" 2>&1 | grep -c 'name too long')" 1
check "a name that is not UTF-8" "$(in_container "$C" cat "$MEMDIR/$(printf '\377\376')" 2>&1 | grep -c 'No such file')" 1
check_true "writing the root's limit is refused" in_container "$C" sh -c "! echo 1 2>/dev/null >$MEMDIR/$MEMFILE"
check_true "creating a cgroup is refused (read-only view)" in_container "$C" sh -c "! mkdir $MEMDIR/new 2>/dev/null"
check "the limit is unchanged" "$(cat "$HOSTMEM/$C/$MEMFILE")" $((100 << 20))

# --- a cgroup removed while the container reads it ------------------------
(
	for _ in $(seq 100); do
		mkdir "$HOSTMEM/$C/race" 2>/dev/null
		rmdir "$HOSTMEM/$C/race" 2>/dev/null
	done
) &
racer=$!
race_worker=$(worker) race_served=$(serving)
in_container "$C" sh -c "for i in \$(seq 150); do cat $MEMDIR/race/cgroup.procs $MEMDIR/race/$MEMFILE; ls $MEMDIR/race; done" >/dev/null 2>&1
kill "$racer" 2>/dev/null
check "after a removal race the same worker serves (none died)" "$(worker) $(serving)" "$race_worker $race_served"
check "and the root's limit is still right" "$(in_container "$C" cat "$MEMDIR/$MEMFILE")" $((100 << 20))

# --- lensfs-show ------------------------------------------------------------
in_container "$C" sleep 30 &
defer "kill $! 2>/dev/null"
sleep 0.2
check "lensfs-show --cgroup prints the root's limit" \
	"$("$LENSFS_SHOW" --cgroup "/$C" "sys/fs/cgroup/$([ "$CGVER" = 2 ] || echo memory/)$MEMFILE")" $((100 << 20))
check "lensfs-show --cgroup lists the root" \
	"$("$LENSFS_SHOW" --cgroup "/$C" "sys/fs/cgroup/$([ "$CGVER" = 2 ] || echo memory)" | grep -c "^$MEMFILE\$")" 1

# --- delegation: lensfs --cgroup-delegate -------------------------------------
# The container makes a child cgroup, sets its limit, moves a process of its
# own there; its root's limit, a pid it cannot see and a directory above
# stay out of reach. (v2: its init first moves to init.scope, which the
# view's root leaves out, so that the root may hand controllers down.)
READONLY_MNT=$MNT
DDIR=$(mktemp -d -t lensfs-delegate-XXXXXX)
defer "rm -rf $DDIR"
mount_lensfs --cgroup-delegate --delegate-dir "$DDIR" --delegate-timeout-ms 6000
V=$MNT/sys/fs/cgroup
D=$V/$(cg_ctrl_dir memory)
C2=$TAG/deleg
cg_create "$C2"
cg_memory "$C2" $((300 << 20))
in_cgroup "$C" sleep 301 &
# (Started in time on a loaded machine too: an empty pid would be written.)
foreign=
for _ in $(seq 100); do
	foreign=$(pgrep -n -x -f "sleep 301") && break
	sleep 0.05
done
defer "kill $foreign 2>/dev/null"
# w FILE TEXT: one write(2), and its errno's name (dash's echo says EIO
# for any failed write).
writer='import errno, os, sys
try:
    os.write(os.open(sys.argv[1], os.O_WRONLY), sys.argv[2].encode())
    print("written")
except OSError as e:
    print(errno.errorcode[e.errno])'
W="w() { $PYTHON -c '$writer' \"\$1\" \"\$2\"; }"
# Delegation is per container: lensfs-hook records those granted it, by
# their cgroup (the SHA-256 of its path names the record).
check "not granted: the view is read-only for it" \
	"$(in_own_container "$C2" "$W; w $D/cgroup.procs 0; mkdir $D/child 2>&1 | sed 's/.*: //'")" \
	"EROFS
Read-only file system"
printf '%s\n/%s\n' lensfs-test "$C2" >"$DDIR/$(printf /%s "$C2" | sha256sum | cut -d' ' -f1)"
out=$(in_own_container "$C2" "
	$W
	if [ $CGVER = 2 ]; then
		mkdir $D/init.scope && echo 0 >$D/init.scope/cgroup.procs && echo +memory >$D/cgroup.subtree_control || echo 'init.scope: failed'
	fi
	mkdir $D/child && echo mkdir: ok
	echo $((50 << 20)) >$D/child/$MEMFILE && echo limit: ok
	sleep 30 & pid=\$!
	echo sleeper: \$pid
	echo \$pid >$D/child/cgroup.procs && echo move: ok
	echo mine: \$(cat $D/child/cgroup.procs)
	echo root limit: \$(w $D/$MEMFILE 1)
	echo unknown pid: \$(w $D/child/cgroup.procs 999)
	echo foreign pid: \$(w $D/child/cgroup.procs $foreign)
	rmdir $D/.. 2>/dev/null || echo rmdir above: refused
	mkdir $D/child/grandchild && rmdir $D/child/grandchild && echo rmdir: ok
	kill \$pid
" 2>&1)
echo "$out" | sed 's/^/# /'
check "delegated: mkdir" "$(value mkdir "$out")" ok
check "delegated: a child's limit written" "$(value limit "$out")" ok
check "delegated: the host sees that limit" "$(cat "$HOSTMEM/$C2/child/$MEMFILE")" $((50 << 20))
check "delegated: its own process moved" "$(value move "$out")" ok
check "delegated: the child lists it in the container's numbering" "$(value mine "$out")" "$(value sleeper "$out")"
check "delegated: the root's limit is refused" "$(value 'root limit' "$out")" EPERM
check "delegated: the root's limit is unchanged" "$(cat "$HOSTMEM/$C2/$MEMFILE")" $((300 << 20))
check "delegated: a pid it does not have is refused" "$(value 'unknown pid' "$out")" ESRCH
check "delegated: another namespace's pid is refused" "$(value 'foreign pid' "$out")" ESRCH
check "delegated: the foreign process stayed" "$(grep -c "^$foreign\$" "$HOSTMEM/$C/cgroup.procs")" 1
check "delegated: nothing above the root to remove" "$(value 'rmdir above' "$out")" refused
check "delegated: rmdir below" "$(value rmdir "$out")" ok
check_true "read-only without --cgroup-delegate" sh -c "! mkdir $READONLY_MNT/sys/fs/cgroup/x 2>/dev/null"
# The host's pid namespace writes nothing through the view (root has the
# real files; anyone else must not borrow the daemon's uid 0).
check "the host cannot write through the view" \
	"$(mkdir "$D/$C2/hostmade" 2>&1 | sed 's/.*: //')" "Read-only file system"
check_true "nothing was made" test ! -e "$HOSTMEM/$C2/hostmade"

# A second container granted delegation, its init at its root and a child
# cgroup with no controller handed down (v2 then allows processes in both).
C3=$TAG/deleg3
cg_create "$C3"
mkdir "$HOSTMEM/$C3/child"
printf '%s\n/%s\n' lensfs-test-3 "$C3" >"$DDIR/$(printf /%s "$C3" | sha256sum | cut -d' ' -f1)"
# Only the files of the delegation model, below the root too: never one
# that acts beyond the subtree (v1's cgroup.event_control would make the
# daemon interpret fd numbers of its own table, devices.allow passes its
# CAP_SYS_ADMIN), nor the synchronous ones v1 has (force_empty), nor PSI
# triggers.
REFUSED=
for f in cgroup.event_control memory.force_empty notify_on_release memory.pressure cgroup.pressure; do
	[ -e "$HOSTMEM/$C3/child/$f" ] && REFUSED="$REFUSED $f"
done
out=$(in_own_container "$C3" "$W; for f in $REFUSED; do echo \$f: \$(w $D/child/\$f 1); done")
for f in $REFUSED; do
	check "delegated: $f below the root is refused" "$(value "$f" "$out")" EPERM
done
check_true "files to refuse ($REFUSED)" test "$(wc -w <<<"$REFUSED")" -ge 2

# A container stops the helper that writes its pid (it is in the
# container's pid namespace, so the container can): nobody else waits. The
# helper has no capability, one descriptor (the cgroup's pid list), an empty
# root of its own and the container's network, and is not dumpable; after
# its time (6 s here: the VM is slow) it is killed and the write fails.
# (The helper lives a few hundred microseconds: catching one can take many
# writes. The stopper dies with the container once the mover, its init,
# has seen a write fail.)
stopper='import os, time
end = time.time() + 30
while time.time() < end:
    os.kill(-1, 19)
os.kill(-1, 18)'
# The container's init (which kill(-1) spares) moves a process of its own
# (its own move would change the view's root) until a write fails: the
# helper of one of them was stopped.
mover='import errno, os, sys, time
start = time.time()
writes = 0
while time.time() < start + 25:
    try:
        fd = os.open(sys.argv[1], os.O_WRONLY)
        os.write(fd, sys.argv[2].encode())
        os.close(fd)
        writes += 1
    except OSError as e:
        print("stopped write:", errno.errorcode[e.errno])
        print("# after %d writes, %.1f s" % (writes, time.time() - start))
        break
else:
    print("stopped write: never stopped")'
# (Children from /proc/PID/task/*/children, not pgrep, which reads all of
# /proc: in the VM each look must be quick, the helper's time is short.)
children() { cat /proc/"$1"/task/*/children 2>/dev/null | awk '{ print $1 }'; }
# (The worker may have other children: a helper of an earlier write not yet
# reaped. Each is looked at.)
stopped_writer() {
	local h c
	for h in $(children "$(worker)"); do
		for c in $(children "$h"); do
			grep -q '^State:.*T' "/proc/$c/status" 2>/dev/null && echo "$c" && return 0
		done
	done
	return 1
}
# start_stopped: the container above, in the background (stopped_job).
start_stopped() {
	UNSHARE_MORE="-n -i" in_own_container "$C3" "
		readlink /proc/1/ns/net /proc/1/ns/ipc >$DDIR/stopped.ns
		sleep 300 & s=\$!
		$PYTHON -c '$stopper' &
		exec $PYTHON -c '$mover' $D/child/cgroup.procs \$s" >"$DDIR/stopped.out" 2>&1 &
	stopped_job=$!
}
# Whether the stopper catches a helper's writer alive is the scheduler's
# say: on a busy machine it can miss every one of the mover's 25 s of
# writes. Up to 3 containers, each with its 25 s; the checks below are on
# the first stopped one.
writer=
for attempt in 1 2 3; do
	start_stopped
	for _ in $(seq 500); do
		writer=$(stopped_writer) && break
		sleep 0.05
	done
	[ -n "$writer" ] && break
	wait "$stopped_job"
	echo "# attempt $attempt: no helper stopped ($(head -n1 "$DDIR/stopped.out")); again"
done
# What the helper is, taken at once while it is stopped (it is killed once
# its time is up, and the VM's emulated CPUs are slow), then checked.
w_status=$(awk '/^State:/ { print $2 } /^NSpid:/ { print NF - 1 }' "/proc/$writer/status" 2>&1 | tr '\n' ' ')
w_caps=$(grep -E '^Cap(Inh|Prm|Eff):' "/proc/$writer/status" | awk '{ print $2 }' | sort -u)
w_fds="$(ls "/proc/$writer/fd" | wc -l) $(readlink "/proc/$writer/fd/"* | sed 's|.*/||')"
w_root=$(ls -A "/proc/$writer/root/" 2>&1 | wc -l)
w_ns=$(readlink "/proc/$writer/ns/net" "/proc/$writer/ns/ipc" | grep -vxF -e "$(readlink /proc/self/ns/net)" -e "$(readlink /proc/self/ns/ipc)")
w_enter=$(setpriv --bounding-set -sys_ptrace --inh-caps -sys_ptrace -- ls "/proc/$writer/root/" 2>&1 | sed 's/.*: //')
t0=$(date +%s%N)
host_read=$(timeout 2 cat "$MNT/proc/meminfo" | grep -c '^MemTotal:')
ms=$((($(date +%s%N) - t0) / 1000000))
still=$(awk '/^State:/ { print $2 }' "/proc/$writer/status" 2>/dev/null)
echo "# a host read of proc/meminfo while the helper is stopped: $ms ms"
check "stopped helper: a host read is answered at once, the helper still stopped" \
	"$host_read $([ "$ms" -lt 1000 ] && echo fast) $still" "1 fast T"
check "stopped helper: it is stopped in the container's pid namespace" "$w_status" "T 2 "
check "stopped helper: no capability" "$w_caps" 0000000000000000
check "stopped helper: one descriptor, the pid list" "$w_fds" "1 cgroup.procs"
check "stopped helper: an empty root, not the host's" "$w_root" 0
check "stopped helper: the container's network and IPC namespaces, not the host's" \
	"$w_ns" "$(cat "$DDIR/stopped.ns")"
check "stopped helper: not dumpable (uid 0 without CAP_SYS_PTRACE cannot enter its root)" \
	"$w_enter" "Permission denied"
wait "$stopped_job"
grep '^#' "$DDIR/stopped.out"
check "stopped helper: the write fails once its time is up" "$(value 'stopped write' "$(cat "$DDIR/stopped.out")")" ETIMEDOUT
check "stopped helper: killed, with its writer" "$(pgrep -P "$(worker)" | wc -l)" 0
check "the daemon serves on" "$(grep -c '^MemTotal:' "$MNT/proc/meminfo")" 1

# A pid namespace whose init sits in the root cgroups has no cgroup of its
# own: nothing of the host's tree is its view.
check "a container in the root cgroups sees no hierarchy" \
	"$(in_container "" ls "$V" | grep -c .)" 0
finish
