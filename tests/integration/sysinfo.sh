#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# sysinfo(2) in runc containers through the agent (lensfs --sysinfo-socket,
# docs/sysinfo.md): a container whose seccomp profile marks sysinfo for
# notification, with the agent's socket as its listenerPath, gets its own
# numbers in busybox free and uptime and in Python's sysconf; one without
# the profile, the host's. The profiles lensfs-hook seccomp-profile writes
# work alike: in a config.json for runc, and podman's default for podman. A container calling sysinfo in a loop through 10
# worker kills and 5 upgrades: no call fails, none gets the host's numbers.
. "$(dirname "$0")/lib.sh"
# The cgroup v2 VM (LENSFS_TEST_KERNEL_ONLY=1) runs what depends on the
# kernel: the answers, EFAULT, the kill and upgrade loop.
HOST_SIDE=1
[ "${LENSFS_TEST_KERNEL_ONLY:-0}" = 1 ] && HOST_SIDE=0
require_machine
require_runc
WORK=$(mktemp -d -t lensfs-sysinfo-XXXXXX)
defer "rm -rf $WORK"
# The binary upgrades replace.
mkdir -p "$WORK/bin"
cp "$LENSFS" "$WORK/bin/lensfs"
LENSFS=$WORK/bin/lensfs
SOCK=$WORK/sysinfo.sock
mount_lensfs --sysinfo-socket "$SOCK"
check "the agent's socket, root's only" "$(stat -c '%F %a %U' "$SOCK")" "socket 600 root"
ROOTFS=$WORK/rootfs
make_rootfs "$ROOTFS"
RUNC="runc --root $WORK/runc-state"
LIMITS='{"memory":{"limit":268435456},"cpu":{"cpus":"0","quota":50000,"period":100000}}'
SECCOMP=$(jq -c -n --arg sock "$SOCK" '{"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": $sock,
	"syscalls": [{"names": ["sysinfo"], "action": "SCMP_ACT_NOTIFY"}]}')
# What the tools say: busybox free's total (kB), Python's physical memory,
# busybox uptime, nproc.
PROBE='["/usr/bin/sh", "-c", "/busybox free | /busybox awk \"/^Mem:/ { print \\\"free: \\\" \\$2 }\"; /usr/bin/python3 -S -c \"import os; print(\\\"phys:\\\", os.sysconf(\\\"SC_PHYS_PAGES\\\") * os.sysconf(\\\"SC_PAGE_SIZE\\\"))\"; echo \"uptime: $(/busybox uptime)\"; echo \"nproc: $(/usr/bin/nproc)\""]'
run_probe() { # NAME JQ
	bundle "$1" "$(hook_json createRuntime)" ".process.args = $PROBE${2:+ | $2}"
	OUT=$(cd "$WORK/$1" && $RUNC run "lensfs-$1-$$" 2>"$WORK/$1.err")
	RC=$?
	$RUNC delete -f "lensfs-$1-$$" >/dev/null 2>&1
}

run_probe with ".linux.seccomp = $SECCOMP"
check "with the profile: the container ran" "$RC" 0
[ "$RC" = 0 ] || cat "$WORK/with.err"
check "busybox free: the container's total" "$(value free "$OUT")" 262144
check "Python: SC_PHYS_PAGES * SC_PAGE_SIZE, the container's memory" "$(value phys "$OUT")" 268435456
check_true "busybox uptime: the container's ($(value uptime "$OUT"))" grep -q " up 0 min" <<<"$(value uptime "$OUT")"
check "nproc still 1" "$(value nproc "$OUT")" 1
run_probe without
check "without the profile: the host's total (no agent asked)" "$(value free "$OUT")" "$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)"

if [ "$HOST_SIDE" = 1 ]; then
# --- the profile lensfs-hook seccomp-profile writes -----------------------------
# runc: the bundle's config.json through --config, which puts the profile in
# (runc spec writes none): every call allowed but sysinfo, sent to the agent.
bundle generated "$(hook_json createRuntime)" ".process.args = $PROBE"
cp "$WORK/generated/config.json" "$WORK/generated.orig"
"$HOOK" seccomp-profile --config "$WORK/generated/config.json" --socket "$SOCK" \
	>"$WORK/generated/config.new" 2>"$WORK/generated.gen"
RC=$?
check "seccomp-profile --config: done ($(cat "$WORK/generated.gen"))" "$RC" 0
mv "$WORK/generated/config.new" "$WORK/generated/config.json"
check "--config: the profile put in" "$(jq -c .linux.seccomp "$WORK/generated/config.json")" \
	"$(jq -c -n --arg sock "$SOCK" '{"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": $sock,
		"syscalls": [{"names": ["sysinfo"], "action": "SCMP_ACT_NOTIFY"}]}')"
check "--config: the rest of config.json as it was" \
	"$(jq -S 'del(.linux.seccomp)' "$WORK/generated/config.json")" "$(jq -S . "$WORK/generated.orig")"
OUT=$(cd "$WORK/generated" && $RUNC run "lensfs-generated-$$" 2>"$WORK/generated.err")
check "--config: the container ran" "$?" 0
$RUNC delete -f "lensfs-generated-$$" >/dev/null 2>&1
check "--config: busybox free, the container's total" "$(value free "$OUT")" 262144
# The containers' default profile (podman's, CRI-O's): still JSON, sysinfo
# in one rule only, the agent's; the other rules as they were.
containers=/usr/share/containers/seccomp.json
if [ -f "$containers" ]; then
	out=$("$HOOK" seccomp-profile --from "$containers" --socket "$SOCK" 2>"$WORK/from.err")
	check "seccomp-profile --from $containers: done" "$?" 0
	check "--from: sysinfo in one rule, NOTIFY" \
		"$(jq -c '[.syscalls[] | select(.names | index("sysinfo"))]' <<<"$out")" \
		'[{"names":["sysinfo"],"action":"SCMP_ACT_NOTIFY"}]'
	check "--from: listenerPath" "$(jq -r .listenerPath <<<"$out")" "$SOCK"
	check "--from: the other rules as they were" \
		"$(jq -c '.syscalls[:-1]' <<<"$out")" "$(jq -c '.syscalls | map(.names -= ["sysinfo"])' "$containers")"
	if [ ! -e /etc/containers/seccomp.json ]; then
		check "no --from: the same, from $containers" \
			"$("$HOOK" seccomp-profile --socket "$SOCK" 2>"$WORK/default.err")" "$out"
		check "no --from: says which" "$(cat "$WORK/default.err")" \
			"lensfs-hook: the containers' default profile: $containers"
	fi
else
	skip_section "seccomp-profile --from $containers" "no $containers (containers-common)"
fi
# podman with the default one (--security-opt seccomp=FILE): it passes
# listenerPath on to the runtime. (Not busybox free: with no hook here, the
# cache it takes from /proc/meminfo is the host's, and its "used" wraps.)
if command -v podman >/dev/null; then
	"$HOOK" seccomp-profile --socket "$SOCK" >"$WORK/podman-profile.json" 2>/dev/null
	OUT=$(podman --runtime "$(command -v runc)" --cgroup-manager cgroupfs --storage-driver vfs \
		--events-backend file --root "$WORK/podman" --runroot "$WORK/podman-run" \
		run --rm --network none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 \
		--cgroup-parent "/$TAG" --memory 256m -v /usr:/usr:ro \
		--security-opt seccomp="$WORK/podman-profile.json" --rootfs "$ROOTFS" \
		/usr/bin/python3 -S -c 'import os; print(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))' \
		2>"$WORK/podman.err")
	RC=$?
	check "podman with the generated profile: the container ran" "$RC" 0
	[ "$RC" = 0 ] || cat "$WORK/podman.err"
	check "podman: SC_PHYS_PAGES * SC_PAGE_SIZE, the container's memory" "$OUT" 268435456
else
	skip_section "podman with the generated profile" "needs podman (apt-get install podman)"
fi
fi # HOST_SIDE

# --- a loop of calls through 10 worker kills and 5 upgrades --------------------
bundle loop "$(hook_json createRuntime)" ".linux.seccomp = $SECCOMP | .process.args = [\"/busybox\", \"sleep\", \"100000\"]"
(cd "$WORK/loop" && $RUNC run -d "lensfs-loop-$$" </dev/null >"$WORK/loop.out" 2>&1) ||
	{ cat "$WORK/loop.out"; echo "runc run failed"; exit 1; }
defer "$RUNC delete -f lensfs-loop-$$"
check "a pointer the caller cannot write: EFAULT, as from the kernel" \
	"$($RUNC exec "lensfs-loop-$$" /usr/bin/python3 -S -c 'import ctypes; l = ctypes.CDLL(None, use_errno=True); print(l.sysinfo(ctypes.c_void_p(8)), ctypes.get_errno())')" "-1 14"
cat >"$ROOTFS/calls.py" <<'PY'
import ctypes, os, sys
class S(ctypes.Structure):
    _fields_ = [("uptime", ctypes.c_long), ("loads", ctypes.c_ulong * 3)] + \
        [(n, ctypes.c_ulong) for n in ("totalram", "freeram", "sharedram", "bufferram", "totalswap", "freeswap")] + \
        [("procs", ctypes.c_ushort), ("pad", ctypes.c_ushort), ("totalhigh", ctypes.c_ulong),
         ("freehigh", ctypes.c_ulong), ("mem_unit", ctypes.c_uint), ("_f", ctypes.c_char * 8)]
libc = ctypes.CDLL(None, use_errno=True)
calls = failed = wrong = 0
s = S()
while calls % 100 or not os.path.exists("/dev/shm/lensfs-stop"):
    calls += 1
    if libc.sysinfo(ctypes.byref(s)) != 0:
        failed += 1
    elif s.totalram * s.mem_unit != 268435456:
        wrong += 1
print("calls=%d failed=%d wrong=%d" % (calls, failed, wrong))
PY
$RUNC exec "lensfs-loop-$$" /usr/bin/python3 -S /calls.py >"$WORK/calls.out" 2>&1 &
caller=$!
n=$(serving)
for i in $(seq 10); do
	sleep 0.3
	kill -9 "$(worker)"
	wait_serving $((n + i))
done
n=$(serving)
for i in $(seq 5); do
	sleep 0.3
	cp "$BUILDDIR/lensfs" "$WORK/bin/lensfs.new"
	mv -f "$WORK/bin/lensfs.new" "$WORK/bin/lensfs"
	kill -HUP "$LENSFS_PID"
	wait_serving $((n + i))
done
sleep 0.3
$RUNC exec "lensfs-loop-$$" /busybox touch /dev/shm/lensfs-stop
for _ in $(seq 100); do kill -0 "$caller" 2>/dev/null || break; sleep 0.1; done
check_true "the caller finished (no call left unanswered)" sh -c "! kill -0 $caller 2>/dev/null"
out=$(cat "$WORK/calls.out")
echo "# $out"
check "10 kills, 5 upgrades: no call failed, none with the host's numbers" \
	"$(sed 's/calls=[0-9]* //' <<<"$out")" "failed=0 wrong=0"
check_true "many calls ($out)" awk -v c="$(sed -n 's/^calls=\([0-9]*\).*/\1/p' <<<"$out")" 'BEGIN { exit !(c > 1000) }'
check "the supervisor logged each kill" "$(grep -c 'killed by signal 9' "$MNT.log")" 10
$RUNC delete -f "lensfs-loop-$$"

if [ "$HOST_SIDE" = 1 ]; then
# --- under systemd: the supervisor dies too ------------------------------------
# The listener, the socket and the calls received are in systemd's store
# (tests/integration/fake-systemd.py speaks its protocols): the next start
# answers the calls the dead supervisor had taken.
MNT2=$WORK/mnt2
SOCK2=$WORK/sysinfo2.sock
mkdir -p "$MNT2"
$PYTHON "$SRCDIR/tests/integration/fake-systemd.py" "$WORK/notify" "$LENSFS" -f \
	--sysinfo-socket "$SOCK2" "$MNT2" >"$WORK/systemd.log" 2>"$WORK/lensfs2.log" &
manager=$!
defer "kill $manager; sleep 0.3; umount -l $MNT2"
for _ in $(seq 100); do grep -q '^ready' "$WORK/systemd.log" && break; sleep 0.05; done
check "systemd: the socket and the calls' record stored" \
	"$(grep -cE '^fdstore lensfs-sysinfo-(socket|calls)$' "$WORK/systemd.log")" 2
bundle stored "$(hook_json createRuntime)" \
	".linux.seccomp = ($SECCOMP | .listenerPath = \"$SOCK2\") | .process.args = [\"/busybox\", \"sleep\", \"100000\"]"
(cd "$WORK/stored" && $RUNC run -d "lensfs-stored-$$" </dev/null >"$WORK/stored.out" 2>&1) ||
	{ cat "$WORK/stored.out"; echo "runc run failed"; exit 1; }
defer "$RUNC delete -f lensfs-stored-$$"
init=$($RUNC state "lensfs-stored-$$" | jq .pid)
check "systemd: the container's listener stored, by its pid" \
	"$(grep -c "^fdstore lensfs-sysinfo\.$init\.[0-9]*$" "$WORK/systemd.log")" 1
$RUNC exec "lensfs-stored-$$" /usr/bin/python3 -S /calls.py >"$WORK/calls2.out" 2>&1 &
caller=$!
# runc exec sends the caller's own listener (its filter is its own).
for _ in $(seq 100); do [ "$(grep -c '^fdstore lensfs-sysinfo\.' "$WORK/systemd.log")" -ge 2 ] && break; sleep 0.05; done
for i in $(seq 5); do
	sleep 0.4
	sup=$(pgrep -f -- "^$LENSFS -f --sysinfo-socket $SOCK2 $MNT2\$")
	kill -9 "$sup" $(pgrep -P "$sup")
	for _ in $(seq 100); do
		[ "$(grep -c 'sysinfo: 2 listeners and' "$WORK/lensfs2.log")" -ge "$i" ] &&
			[ "$(grep -c ' serving ' "$WORK/lensfs2.log")" -gt "$i" ] && break
		sleep 0.05
	done
done
sleep 0.4
$RUNC exec "lensfs-stored-$$" /busybox touch /dev/shm/lensfs-stop
for _ in $(seq 100); do kill -0 "$caller" 2>/dev/null || break; sleep 0.1; done
check_true "systemd: the caller finished (no call left unanswered)" sh -c "! kill -0 $caller 2>/dev/null"
out=$(cat "$WORK/calls2.out")
echo "# $out; $(grep 'sysinfo: 2 listeners and' "$WORK/lensfs2.log" | sed 's/.*and \([0-9]*\) calls.*/\1/' | tr '\n' ' ')calls taken over"
check "systemd: 5 supervisor kills, the listener kept: no call failed, none with the host's numbers" \
	"$(sed 's/calls=[0-9]* //' <<<"$out")" "failed=0 wrong=0"
check "systemd: each new supervisor took the listener back" \
	"$(grep -c 'sysinfo: 2 listeners and' "$WORK/lensfs2.log")" 5
check_true "systemd: calls a dead supervisor had taken were answered by the next" \
	awk -v n="$(grep -o 'and [0-9]* calls' "$WORK/lensfs2.log" | awk '{ s += $2 } END { print s + 0 }')" 'BEGIN { exit !(n > 0) }'
$RUNC delete -f "lensfs-stored-$$"
for _ in $(seq 100); do grep -q "^fdstoreremove lensfs-sysinfo\.$init\." "$WORK/systemd.log" && break; sleep 0.05; done
check "systemd: a container gone, its listener out of the store" \
	"$(grep -c "^fdstoreremove lensfs-sysinfo\.$init\.[0-9]*$" "$WORK/systemd.log")" 1
kill -TERM "$manager"
wait "$manager"
check "systemd: a stop takes the socket and the record out of the store" \
	"$(sed -n '/^stopping$/,$ s/^fdstoreremove lensfs-sysinfo/&/p' "$WORK/systemd.log" | tr '\n' ' ')" \
	"fdstoreremove lensfs-sysinfo-socket fdstoreremove lensfs-sysinfo-calls "
fi # HOST_SIDE
finish
