#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# bench/soak.sh BUILDDIR [--minutes M] [--containers C] [--readers R]
#                        [--kill-every S] [--upgrade-every S] [--output FILE]
#
# A day of a busy node, compressed: C runc containers (16) at all times,
# each started with lensfs-hook (its views, its /dev/log from lensfs-relay)
# and a seccomp profile that sends sysinfo(2) to lensfs, living 8 to 20 s
# and replaced when it ends (cgroups made and removed, pid namespaces
# coming and going); R readers in each (4: bench/soak-reader.py, every
# file, the cpu directory, sysinfo); each container logging to the relay;
# lensfs's worker killed every 30 s and lensfs upgraded in place every
# 90 s, for M minutes (10). Once a minute: lensfs's (supervisor and
# worker) and the relay's resident memory and descriptors. Checked at the
# end: no read or call failed, none showed the host's memory, every
# container ended by itself and every reader reported, the relay received
# every container's lines, resident memory stayed within 10% of its value
# after the first minute, and once every container has gone the
# descriptors are no more than after the first minute (while containers
# come and go, a count follows how many run at that moment).
set -euo pipefail
MINUTES=10
CONTAINERS=16
READERS=4
KILL_EVERY=30
UPGRADE_EVERY=90
OUTPUT=
. "$(dirname "$0")/lib.sh"
bench_args "bench/soak.sh BUILDDIR [--minutes M] [--containers C] [--readers R] [--kill-every S] [--upgrade-every S] [--output FILE]" \
	--minutes:MINUTES --containers:CONTAINERS --readers:READERS --kill-every:KILL_EVERY \
	--upgrade-every:UPGRADE_EVERY --output:OUTPUT -- "$@"
# The test library's watchdog: the soak's own length, and 5 minutes more.
export LENSFS_TEST_TIMEOUT=$((MINUTES * 60 + 300))
. "$(dirname "$0")/../tests/integration/lib.sh"
require_machine
require_runc
SRCDIR=$(cd "$(dirname "$0")/.." && pwd)
RELAY=$BUILDDIR/lensfs-relay
WORK=$(mktemp -d -t lensfs-soak-XXXXXX)
defer "rm -rf $WORK"
RUN=$(mktemp -d /run/lensfs-soak-XXXXXX)
defer "rm -rf $RUN"
# The binary upgrades replace.
mkdir -p "$WORK/bin" "$WORK/results"
cp "$LENSFS" "$WORK/bin/lensfs"
LENSFS=$WORK/bin/lensfs
VDIR=$WORK/views
mkdir -p "$VDIR"
SOCK=$WORK/sysinfo.sock
mount_lensfs --views "$VDIR" --sysinfo-socket "$SOCK"
defer "umount -l $VDIR"

# The relay, forwarding to a socket that writes what it gets, a line each.
SINK=$WORK/sink.sock
$PYTHON -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a", buffering=1) as out:
    while True:
        out.write(s.recv(65536).decode(errors="replace").replace("\n", " ") + "\n")
' "$SINK" "$WORK/sink.out" &
defer "kill $!"
for _ in $(seq 100); do [ -S "$SINK" ] && break; sleep 0.05; done
"$RELAY" --run-dir "$RUN" --path "$SINK" 2>"$WORK/relay.err" &
RELAY_PID=$!
defer "kill $RELAY_PID"
for _ in $(seq 100); do [ -S "$RUN/control" ] && break; sleep 0.05; done

ROOTFS=$WORK/rootfs
make_rootfs "$ROOTFS"
mkdir -p "$ROOTFS/results"
cp "$SRCDIR/bench/soak-reader.py" "$ROOTFS/soak-reader.py"
# A container: ID LIFE READERS. (As a pid namespace's init, sh ignores
# SIGTERM: a container held up is killed, timeout -k.)
cat >"$ROOTFS/soak-init.sh" <<'INIT'
/busybox logger -t soak "start $1"
for r in $(/busybox seq "$3"); do
	/usr/bin/python3 -S /soak-reader.py 262144 "$2" "/results/$1-$r" &
done
wait
/busybox logger -t soak "end $1"
INIT
RUNC="runc --root $WORK/runc-state"
LIMITS='{"memory":{"limit":268435456}}'
SECCOMP=$(jq -c -n --arg sock "$SOCK" '{"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": $sock,
	"syscalls": [{"names": ["sysinfo"], "action": "SCMP_ACT_NOTIFY"}]}')
HOOKS=$(jq -n --arg p "$HOOK" --arg m "$MNT" --arg v "$VDIR" --arg r "$RUN" '{
	createRuntime: [{path: $p, args: ["lensfs-hook", "--mountpoint", $m, "--views", $v, "--relay", $r, "createRuntime"]}],
	poststop: [{path: $p, args: ["lensfs-hook", "--views", $v, "--relay", $r, "poststop"]}]}')
RESULTS='{"destination":"/results","type":"bind","source":"'"$WORK/results"'","options":["rbind","rw"]}'

# slot N: containers one after the other until the soak ends.
slot() {
	local n=0 id life t0
	while [ ! -e "$WORK/stop" ]; do
		n=$((n + 1))
		id=soak-$$-$1-$n
		life=$((8 + RANDOM % 13))
		bundle "$id" "$HOOKS" ".linux.seccomp = $SECCOMP | .mounts += [$RESULTS] |
			.process.args = [\"/busybox\", \"sh\", \"/soak-init.sh\", \"$id\", \"$life\", \"$READERS\"]"
		echo "$id" >>"$WORK/started"
		t0=$SECONDS
		if ! (cd "$WORK/$id" && timeout -k 10 120 $RUNC run "$id" </dev/null >"$WORK/$id.out" 2>&1); then
			if [ -e "$WORK/results/$id-1" ]; then
				echo "$id: runc run: $(tail -n 3 "$WORK/$id.out" | tr '\n' ' ')" >>"$WORK/failures"
			else # it never ran
				echo "$id: $(tail -n 3 "$WORK/$id.out" | tr '\n' ' ')" >>"$WORK/not-started"
			fi
		fi
		[ $((SECONDS - t0)) -le $((life + 30)) ] ||
			echo "$id: ran $((SECONDS - t0)) s, its readers $life s" >>"$WORK/failures"
		$RUNC delete -f "$id" >/dev/null 2>&1 || true
		rm -rf "${WORK:?}/$id"
	done
}

# What lensfs (supervisor and its workers) and the relay hold: resident
# kB and descriptors, summed over their processes.
held() {
	local rss=0 fds=0 p v
	for p in "$@"; do
		[ -d "/proc/$p" ] || continue
		v=$(awk '/^VmRSS:/ { print $2 }' "/proc/$p/status" 2>/dev/null || true)
		rss=$((rss + ${v:-0}))
		fds=$((fds + $(ls "/proc/$p/fd" 2>/dev/null | wc -l)))
	done
	echo "$rss $fds"
}
sample() {
	# (A worker killed a moment ago: its successor's.)
	for _ in $(seq 40); do [ -n "$(worker)" ] && break; sleep 0.05; done
	# shellcheck disable=SC2046
	echo "$1 $(held "$LENSFS_PID" $(pgrep -P "$LENSFS_PID")) $(held "$RELAY_PID") $(wc -l <"$WORK/started") $(cat "$WORK/results"/* 2>/dev/null | wc -l)"
}

: >"$WORK/started"
echo "minute lensfs_rss_kb lensfs_fds relay_rss_kb relay_fds containers_started readers_done" >"$WORK/samples"
sample before >>"$WORK/samples"
for s in $(seq "$CONTAINERS"); do
	slot "$s" &
done
# However the soak ends: no slot starts another, and no container is left.
defer "touch $WORK/stop; for _ in \$(seq 30); do for id in \$($RUNC list -q); do $RUNC delete -f \$id; done; pgrep -f '$RUNC run' || break; sleep 1; done"
end=$((SECONDS + MINUTES * 60))
next_kill=$((SECONDS + KILL_EVERY)) next_upgrade=$((SECONDS + UPGRADE_EVERY))
next_sample=$((SECONDS + 60)) minute=0 kills=0 upgrades=0
while [ "$SECONDS" -lt "$end" ]; do
	sleep 1
	if [ "$SECONDS" -ge "$next_kill" ]; then
		kill -9 "$(worker)" 2>/dev/null && kills=$((kills + 1))
		next_kill=$((next_kill + KILL_EVERY))
	fi
	if [ "$SECONDS" -ge "$next_upgrade" ]; then
		cp "$BUILDDIR/lensfs" "$WORK/bin/lensfs.new"
		mv -f "$WORK/bin/lensfs.new" "$WORK/bin/lensfs"
		kill -HUP "$LENSFS_PID" && upgrades=$((upgrades + 1))
		next_upgrade=$((next_upgrade + UPGRADE_EVERY))
	fi
	if [ "$SECONDS" -ge "$next_sample" ]; then
		minute=$((minute + 1))
		sample "$minute" >>"$WORK/samples"
		next_sample=$((next_sample + 60))
	fi
done
touch "$WORK/stop"
wait_slots() { for _ in $(seq 600); do pgrep -f "runc --root $WORK/runc-state run" >/dev/null || return 0; sleep 0.1; done; }
wait_slots
# Let lensfs and the relay notice the last containers have gone.
sleep 3
sample end >>"$WORK/samples"

started=$(wc -l <"$WORK/started")
sum() { cat "$WORK/results"/* 2>/dev/null | sed -n "s/.* $1=\([0-9]*\).*/\1/p; s/^$1=\([0-9]*\).*/\1/p" | awk '{ s += $1 } END { print s + 0 }'; }
{
	echo "Machine: $(nproc) CPUs, kernel $(uname -r), cgroup v$CGVER; $(date -u +%Y-%m-%d)."
	echo "soak: $MINUTES min, $CONTAINERS containers at a time ($started started), $READERS readers each, worker killed $kills times, upgraded $upgrades times"
	column -t "$WORK/samples"
	echo "reads $(sum reads), sysinfo calls $(sum calls), failed $(sum failed), wrong $(sum wrong)"
} | tee "${OUTPUT:-/dev/null}"
cat "$WORK/failures" "$WORK/not-started" 2>/dev/null | sed 's/^/# /' | head -n 10 || true
{ grep -h "errors=[^-]" "$WORK/results"/* 2>/dev/null || true; } | head -5 | sed 's/^/# /'

# A start that fails (runc or a hook) is the runtime's to retry, as an
# orchestrator does; they are counted (docs/performance.md says what was
# seen). A container that started ends by itself, its readers all report.
not_started=$({ cat "$WORK/not-started" 2>/dev/null || true; } | wc -l)
check_true "container starts that failed: $not_started of $started (under 2%)" \
	test $((not_started * 50)) -lt "$started"
check "every container that started ran and ended by itself" \
	"$({ cat "$WORK/failures" 2>/dev/null || true; } | wc -l)" 0
check "every reader of those reported" "$(ls "$WORK/results" | wc -l)" $(((started - not_started) * READERS))
# (Those whose start failed have no reader: not listed.)
while read -r id; do
	grep -q "^$id:" "$WORK/not-started" 2>/dev/null && continue
	n=$(ls "$WORK/results" | grep -c "^$id-" || true)
	[ "$n" = "$READERS" ] || echo "# $id: $n readers reported; $(tail -n 2 "$WORK/$id.out" | tr '\n' ' ')"
done <"$WORK/started" | head -n 10 || true
check "no read or sysinfo call failed" "$(sum failed)" 0
check "no read or call showed the host's memory" "$(sum wrong)" 0
check_true "reads were made ($(sum reads))" test "$(sum reads)" -gt 0
# Each container logged its start: the relay passed every one on.
check "the relay passed on every container's start" \
	"$(grep -o "start soak-$$-[0-9]*-[0-9]*" "$WORK/sink.out" | sort -u | wc -l)" \
	$((started - not_started))
# within NAME FIELD FROM TO SLACK: FIELD of sample TO at most SLACK
# (1.1: 10% more) times FROM's.
within() {
	local a b
	a=$(awk -v f="$2" -v s="$3" '$1 == s { print $f }' "$WORK/samples")
	b=$(awk -v f="$2" -v s="$4" '$1 == s { print $f }' "$WORK/samples")
	check_true "$1: $b (minute $4), $a (minute $3)" \
		awk -v a="$a" -v b="$b" -v k="$5" 'BEGIN { exit !(b != "" && b <= a * k + 1) }'
}
within "lensfs's resident memory (kB), within 10%" 2 1 "$minute" 1.1
within "the relay's resident memory (kB), within 10%" 4 1 "$minute" 1.1
# Descriptors follow how many containers run at that instant: once every
# container has gone, no more than after the first minute, with 16 running.
within "lensfs's descriptors, every container gone" 3 1 end 1
within "the relay's descriptors, every container gone" 5 1 end 1
finish
