#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# bench/restart.sh BUILDDIR [--seconds S] [--kills N]
#
# The daemon crashes while containers read: side by side in one run, LXCFS
# (Debian's lxcfs, on its own mount point) and lensfs each serve
# meminfo/cpuinfo/uptime to a runc container (256M, cpuset 0) that reads
# them in a tight loop for S seconds (default 20); the daemon is SIGKILLed N
# times (default 3) and started again the way systemd's Restart= would (LXCFS
# at once on the same mount point; lensfs's supervisor restarts its
# worker). Prints, per daemon, the reads, the failed reads and why, and what
# the container reads at the end.
set -euo pipefail
SECONDS_EACH=20
KILLS=3
. "$(dirname "$0")/lib.sh"
bench_args "bench/restart.sh BUILDDIR [--seconds S] [--kills N]" --seconds:SECONDS_EACH --kills:KILLS -- "$@"
. "$(dirname "$0")/../tests/integration/lib.sh"
require_machine
for cmd in runc jq lxcfs; do
	command -v $cmd >/dev/null || { echo "bench: needs $cmd"; exit 1; }
done
HOOK=$BUILDDIR/lensfs-hook
mount_lensfs
WORK=$(mktemp -d -t lensfs-bench-restart-XXXXXX)
defer "rm -rf $WORK"
make_rootfs "$WORK/rootfs"
cp "$(dirname "$0")/../tests/integration/reader.py" "$WORK/rootfs/reader.py"
RUNC="runc --root $WORK/state"
LIMITS='{"memory":{"limit":268435456},"cpu":{"cpus":"0"}}'
LXC_MNT=$WORK/lxcfs-mnt
mkdir -p "$LXC_MNT"

run_lxcfs() { # on $LXC_MNT, again after each kill
	lxcfs "$LXC_MNT" >>"$WORK/lxcfs.log" 2>&1 &
	LXCFS_PID=$!
	for _ in $(seq 100); do [ -e "$LXC_MNT/proc/meminfo" ] && return 0; sleep 0.05; done
	echo "lxcfs did not mount"; exit 1
}
run_lxcfs
defer "kill \$LXCFS_PID; sleep 0.3; umount -l $LXC_MNT"

# The container of each daemon: LXCFS's files bind-mounted as its
# documentation says, lensfs's by lensfs-hook.
lxc_binds=$(for f in meminfo cpuinfo uptime; do
	printf '{"destination":"/proc/%s","type":"bind","source":"%s/proc/%s","options":["bind","ro"]}\n' "$f" "$LXC_MNT" "$f"
done | jq -s .)
bundle lxcfs '{}' ".mounts += $lxc_binds | .process.args = [\"/busybox\", \"sleep\", \"100000\"]"
bundle lensfs "$(hook_json createRuntime)" '.process.args = ["/busybox", "sleep", "100000"]'
CTR_START=$(date +%s)
for d in lxcfs lensfs; do
	(cd "$WORK/$d" && $RUNC run -d "bench-$d-$$" </dev/null >"$WORK/$d.out" 2>&1)
	defer "$RUNC delete -f bench-$d-$$"
done

# kill_lxcfs / kill_lensfs: one crash, and the restart a service manager does.
kill_lxcfs() {
	kill -9 "$LXCFS_PID"
	wait "$LXCFS_PID" 2>/dev/null || true
	umount -l "$LXC_MNT" 2>/dev/null || true
	run_lxcfs
}
kill_lensfs() { kill -9 "$(worker)"; }

for d in lxcfs lensfs; do
	$RUNC exec "bench-$d-$$" /usr/bin/python3 -S /reader.py "$SECONDS_EACH" \
		$(($(date +%s) - CTR_START + 2)) >"$WORK/$d.reads" 2>&1 &
	reader=$!
	for _ in $(seq "$KILLS"); do
		sleep "$(awk -v s="$SECONDS_EACH" -v k="$KILLS" 'BEGIN { print s / (k + 1) }')"
		"kill_$d"
	done
	wait "$reader" || true
done

echo "# $KILLS kills of the daemon in $SECONDS_EACH s of reading; $(uname -r); $(date -u +%Y-%m-%d)"
printf '%-8s %-50s %s\n' daemon "reads in the container" "meminfo read afterwards"
for d in lxcfs lensfs; do
	after=$($RUNC exec "bench-$d-$$" /usr/bin/python3 -S -c '
try:
    print(open("/proc/meminfo").readline().strip())
except OSError as e:
    print(e.strerror)' 2>&1)
	printf '%-8s %-50s %s\n' "$d" "$(sed 's/ max_ms=[0-9]*//; s/ ;.*//' "$WORK/$d.reads")" "$after"
done
