#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# lensfs-hook reattach: lensfs stopped for good (its containers read
# ENOTCONN) and started again; the running containers (runc with their own
# views, runc with the caller-based files, podman) read their values again
# without a restart, by hand and by the daemon's own start; a container whose
# files were never lensfs's is not touched; a container that exits during
# the re-attach is skipped; where the kernel refuses MOVE_MOUNT_BENEATH
# (before Linux 6.5; injected with strace), the new mounts go on top.
. "$(dirname "$0")/lib.sh"
require_machine
require_runc
# MOVE_MOUNT_BENEATH came with Linux 6.5: before, the dead mounts stay
# under the new ones.
IFS=. read -r major minor _ <<<"$(uname -r)"
BENEATH=0
[ "$major" -gt 6 ] || { [ "$major" = 6 ] && [ "${minor%%[!0-9]*}" -ge 5 ]; } && BENEATH=1
mount_views_dir
mount_lensfs --views "$VDIR"
WORK=$(mktemp -d -t lensfs-reattach-XXXXXX)
defer "rm -rf $WORK"
ROOTFS=$WORK/rootfs
make_rootfs "$ROOTFS"
RUNC="runc --root $WORK/runc-state"
LIMITS='{"memory":{"limit":268435456},"cpu":{"cpus":"0","quota":50000,"period":100000}}'

# start_lensfs [OPTION...]: lensfs on the same mount point and views as the
# first, again; stop_lensfs: SIGTERM, a full stop (unmounted).
start_lensfs() {
	"$LENSFS" -f --views "$VDIR" "$@" "$MNT" 2>>"$MNT.log" &
	LENSFS_PID=$!
	defer "kill $LENSFS_PID"
	for _ in $(seq 100); do
		mountpoint -q "$MNT" && [ -e "$MNT/proc/meminfo" ] && return 0
		sleep 0.05
	done
	not_ok "lensfs $* did not mount again"
}
stop_lensfs() {
	kill "$LENSFS_PID"
	wait "$LENSFS_PID" 2>/dev/null
	for _ in $(seq 100); do mountpoint -q "$MNT" || return 0; sleep 0.05; done
}

# run_sleeper NAME HOOKS [JQ FILTER]: a runc container (256M, CPU 0) that
# sleeps; its pid in PID_<NAME>.
run_sleeper() {
	bundle "$1" "$2" '.process.args = ["/busybox", "sleep", "100000"]'"${3:+ | $3}"
	(cd "$WORK/$1" && $RUNC run -d "lensfs-$1-$$" </dev/null >"$WORK/$1.out" 2>&1)
	defer "$RUNC delete -f lensfs-$1-$$"
	printf -v "PID_$1" '%s' "$($RUNC state "lensfs-$1-$$" | jq -r .pid)"
}
# memtotal NAME: MemTotal (kB) in its /proc/meminfo, or the error.
memtotal() {
	if [ "$1" = podman ]; then
		$PODMAN exec "lensfs-podman-$$" /busybox awk '/^MemTotal:/ { print $2 }' /proc/meminfo 2>&1
	else
		$RUNC exec "lensfs-$1-$$" /busybox awk '/^MemTotal:/ { print $2 }' /proc/meminfo 2>&1
	fi
}
# dead PID: its lensfs mounts of a filesystem that is not the live one.
live_devs() { awk -v m="$MNT" -v v="$VDIR" '$5 == m || $5 == v { printf " %s ", $3 }' /proc/self/mountinfo; }
dead() {
	awk -v d="$(live_devs)" '/ - fuse\.lensfs(-views)? / && !index(d, " " $3 " ")' "/proc/$1/mountinfo" | wc -l
}
lensfs_mounts() { grep -cE ' - fuse\.lensfs(-views)? ' "/proc/$1/mountinfo"; }
views_mounts() { grep -c ' - fuse\.lensfs-views ' "/proc/$1/mountinfo"; }

# --- the containers ---------------------------------------------------------
run_sleeper own "$(hook_json createRuntime)"
run_sleeper caller "$(VDIR='' hook_json createRuntime)"
# Never lensfs's: a file of the host's bound over its /proc/meminfo.
printf 'MemTotal:       4242 kB\n' >"$WORK/foreign-meminfo"
run_sleeper foreign '{}' '.mounts += [{"destination":"/proc/meminfo","type":"bind","source":"'"$WORK"'/foreign-meminfo","options":["bind","ro"]}]'
FOREIGN_BEFORE=$(cat "/proc/$PID_foreign/mountinfo")

PODMAN=
if command -v podman >/dev/null; then
	mkdir -p "$WORK/hooks.d"
	jq --arg path "$HOOK" --arg mnt "$MNT" --arg views "$VDIR" '.hook.path = $path |
		(.hook.args | index("--mountpoint")) as $i | .hook.args[$i + 1] = $mnt |
		.hook.args = .hook.args[:-1] + ["--views", $views] + .hook.args[-1:]' \
		"$BUILDDIR/config/lensfs-hook.json" >"$WORK/hooks.d/lensfs-hook.json"
	PODMAN="podman --runtime $(command -v runc) --cgroup-manager cgroupfs --storage-driver vfs
		--events-backend file --root $WORK/podman --runroot $WORK/podman-run
		--hooks-dir $WORK/hooks.d"
	if $PODMAN run -d --name "lensfs-podman-$$" --network none \
		--ulimit nofile=1024:1024 --ulimit nproc=1024:1024 --cgroup-parent "/$TAG" \
		--memory 256m -v /usr:/usr:ro --rootfs "$ROOTFS" /busybox sleep 100000 \
		>"$WORK/podman.out" 2>&1; then
		defer "$PODMAN rm -f -t 0 lensfs-podman-$$"
		PID_podman=$($PODMAN inspect -f '{{.State.Pid}}' "lensfs-podman-$$")
	else
		cat "$WORK/podman.out"
		PODMAN=
	fi
fi
CONTAINERS="own caller"
if [ -n "$PODMAN" ]; then
	CONTAINERS="$CONTAINERS podman"
else
	skip_section "podman" "needs podman (apt-get install podman)"
fi

for c in $CONTAINERS; do
	pid_var=PID_$c
	check "$c: MemTotal from lensfs at the start" "$(memtotal "$c")" 262144
	printf -v "MOUNTS_$c" '%s' "$(lensfs_mounts "${!pid_var}")"
done
OWN_VIEWS=$(views_mounts "$PID_own")
check_true "own: its files from its own view ($OWN_VIEWS mounts)" test "$OWN_VIEWS" -gt 5
check "caller: its files from the caller-based mount" "$(views_mounts "$PID_caller")" 0

# --- a full stop: every container's files are dead --------------------------
stop_lensfs
for c in $CONTAINERS; do
	check_true "$c: after a full stop, ENOTCONN" grep -q 'not connected' <<<"$(memtotal "$c")"
done

# --- started again without the re-attach: still dead; then by hand ---------
start_lensfs --no-reattach
check_true "lensfs --no-reattach: the container's files stay dead" \
	grep -q 'not connected' <<<"$(memtotal own)"
t0=$(date +%s%N)
OUT=$("$HOOK" reattach --mountpoint "$MNT" --views "$VDIR" 2>&1)
check "lensfs-hook reattach: exit status 0" "$?" 0
echo "# lensfs-hook reattach took $((($(date +%s%N) - t0) / 1000000)) ms"
echo "$OUT" | sed 's/^/# /'
for c in $CONTAINERS; do
	pid_var=PID_$c
	mounts_var=MOUNTS_$c
	check "$c: MemTotal again, without a restart" "$(memtotal "$c")" 262144
	if [ "$BENEATH" = 1 ]; then
		check "$c: no dead lensfs mount left, as many as before (replaced, not stacked)" \
			"$(dead "${!pid_var}"):$(lensfs_mounts "${!pid_var}")" "0:${!mounts_var}"
	else
		check "$c: Linux $major.$minor: the new mounts on the dead ones" \
			"$(dead "${!pid_var}"):$(lensfs_mounts "${!pid_var}")" \
			"${!mounts_var}:$((2 * ${!mounts_var}))"
	fi
	check_true "$c: the same process" kill -0 "${!pid_var}"
	check_true "$c: reported" grep -q "of pid ${!pid_var}: [0-9]* files bound again" <<<"$OUT"
done
check "own: its files from its own view again (the live views' mounts)" \
	"$(awk -v d="$(awk -v v="$VDIR" '$5 == v { print $3 }' /proc/self/mountinfo)" '$3 == d' \
		"/proc/$PID_own/mountinfo" | wc -l)" "$OWN_VIEWS"
check "a view of its own again for the runc container" "$(ls "$VDIR" | grep -cx "$PID_own")" 1
check "foreign: never touched (its mountinfo as before)" "$(cat "/proc/$PID_foreign/mountinfo")" \
	"$FOREIGN_BEFORE"
check "foreign: its own file" "$(memtotal foreign)" 4242
check_true "foreign: not reported" eval "! grep -q 'of pid $PID_foreign:' <<<\"\$OUT\""
OUT=$("$HOOK" reattach --mountpoint "$MNT" --views "$VDIR" 2>&1)
check "a second reattach finds nothing to do" "$?:$OUT" "0:"

# --- stopped and started again: the daemon re-attaches on its own ----------
stop_lensfs
t0=$(date +%s%N)
start_lensfs
for _ in $(seq 100); do [ "$(memtotal own)" = 262144 ] && break; sleep 0.05; done
echo "# from lensfs's start to a container's MemTotal read again: $((($(date +%s%N) - t0) / 1000000)) ms"
for c in $CONTAINERS; do
	check "$c: lensfs's own start re-attaches: MemTotal" "$(memtotal "$c")" 262144
done
check_true "the daemon's re-attach said what it did" grep -q "of pid $PID_own: [0-9]* files bound again" "$MNT.log"
check "foreign: still never touched" "$(cat "/proc/$PID_foreign/mountinfo")" "$FOREIGN_BEFORE"

# --- a kernel without MOVE_MOUNT_BENEATH: on top ------------------------------
# (Under strace, a sanitized build's leak check cannot run: it is off there.)
# Each file's first move_mount (beneath) fails as before Linux 6.5, the
# second (on top) is the kernel's.
if [ "$BENEATH" = 1 ] && command -v strace >/dev/null; then
	stop_lensfs
	start_lensfs --no-reattach
	OUT=$(ASAN_OPTIONS=detect_leaks=0 strace -f -o /dev/null -e trace=move_mount -e inject=move_mount:error=EINVAL:when=1+2 \
		"$HOOK" reattach --mountpoint "$MNT" --views "$VDIR" 2>&1)
	check "no MOVE_MOUNT_BENEATH: exit status 0" "$?" 0
	for c in $CONTAINERS; do
		pid_var=PID_$c
		mounts_var=MOUNTS_$c
		check "no MOVE_MOUNT_BENEATH: $c: MemTotal again" "$(memtotal "$c")" 262144
		check "no MOVE_MOUNT_BENEATH: $c: the new mounts on the dead ones" \
			"$(dead "${!pid_var}"):$(lensfs_mounts "${!pid_var}")" \
			"${!mounts_var}:$((2 * ${!mounts_var}))"
	done
	# Dead again, now on top of the dead: beneath the top one again.
	stop_lensfs
	start_lensfs
	for _ in $(seq 100); do [ "$(memtotal own)" = 262144 ] && break; sleep 0.05; done
	check "then with MOVE_MOUNT_BENEATH: own: MemTotal, the top dead mount replaced" \
		"$(memtotal own):$(lensfs_mounts "$PID_own")" "262144:$((2 * MOUNTS_own))"
elif [ "$BENEATH" = 1 ]; then
	skip_section "a kernel without MOVE_MOUNT_BENEATH" "needs strace"
fi

# --- a container that exits during the re-attach ----------------------------
# Only one container has dead files this time; the hook's entry into its
# mount namespace waits 2 s (strace), and the container is gone by then.
for c in own caller; do $RUNC delete -f "lensfs-$c-$$"; done
[ -n "$PODMAN" ] && $PODMAN rm -f -t 0 "lensfs-podman-$$" >/dev/null 2>&1
run_sleeper leaving "$(hook_json createRuntime)"
check "leaving: MemTotal from lensfs" "$(memtotal leaving)" 262144
stop_lensfs
start_lensfs --no-reattach
if command -v strace >/dev/null; then
	ASAN_OPTIONS=detect_leaks=0 strace -f -o /dev/null -e trace=setns \
		-e inject=setns:delay_enter=2000000 \
		"$HOOK" reattach --mountpoint "$MNT" --views "$VDIR" >"$WORK/leaving.out" 2>&1 &
	hook=$!
	sleep 0.5
	$RUNC delete -f "lensfs-leaving-$$"
	wait "$hook"
	check "a container gone during the re-attach: exit status 0" "$?" 0
	check_true "... and said skipped ($(cat "$WORK/leaving.out"))" \
		grep -q "of pid $PID_leaving: gone meanwhile: skipped" "$WORK/leaving.out"
else
	skip_section "a container gone during the re-attach" "needs strace"
fi
check "lensfs serves on" "$(awk '/^MemTotal:/ { print $1 }' "$MNT/proc/meminfo")" "MemTotal:"
finish
