# SPDX-License-Identifier: LGPL-2.1-or-later
# Helpers for the integration tests: real cgroups (v1, hybrid or v2), a real
# FUSE mount, and clean-up that runs however a test ends.
#
# A test skips (exit 77) when the machine lacks root, /dev/fuse or
# writable cgroups; with LENSFS_TEST_STRICT=1 (CI) a skip is a failure.
# Once checks ran, only a section skips (skip_section), under the same
# rule, and the script goes on: what ran is reported, failures included.

set -u
BUILDDIR=${LENSFS_BUILDDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
LENSFS=${LENSFS:-$BUILDDIR/lensfs}
LENSFS_SHOW=${LENSFS_SHOW:-$BUILDDIR/lensfs-show}
CGROOT=${LENSFS_TEST_CGROOT:-/sys/fs/cgroup}
TAG=lensfs-test-$$
# Python without site-packages: it starts several times faster, which counts
# in the VM (its CPUs are emulated).
PYTHON="python3 -S"
# How long the load phases last (the VM, which emulates its CPUs, sets 1).
LOAD_SECONDS=${LENSFS_TEST_LOAD_SECONDS:-3}
passed=0
failed=0
skipped=0
cleanups=()

# skip REASON: the whole script cannot run here (before its first check).
skip() {
	# After checks, a skip of the rest would report them as skipped,
	# failures included: a test that does this is wrong (skip_section).
	if [ $((passed + failed + skipped)) -gt 0 ]; then
		not_ok "skip after the checks above: $* (use skip_section)"
		finish
		exit 1
	fi
	echo "SKIP: $*"
	if [ "${LENSFS_TEST_STRICT:-0}" = 1 ]; then
		echo "LENSFS_TEST_STRICT=1: a skip is a failure"
		exit 1
	fi
	exit 77
}

on_exit() {
	local i
	for ((i = ${#cleanups[@]} - 1; i >= 0; i--)); do
		eval "${cleanups[$i]}" >/dev/null 2>&1 || true
	done
}
trap on_exit EXIT
trap 'exit 130' INT TERM
defer() { cleanups+=("$*"); }

ok() {
	passed=$((passed + 1))
	echo "ok $((passed + failed + skipped)) - $*"
}
not_ok() {
	failed=$((failed + 1))
	echo "not ok $((passed + failed + skipped)) - $*"
}
# check NAME GOT WANT
check() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1: got '$2', want '$3'"; fi
}
# check_true NAME COMMAND...
check_true() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else not_ok "$name"; fi
}
# skip_case NAME REASON: a case this machine cannot run whatever is
# installed (one CPU online, an older kernel): TAP's SKIP, even in CI.
skip_case() {
	skipped=$((skipped + 1))
	echo "ok $((passed + failed + skipped)) - $1 # SKIP $2"
}
# skip_section NAME REASON: the checks of a section need what the machine
# lacks (a runtime, a tool); those before and after it still run. As with
# skip: TAP's SKIP, and with LENSFS_TEST_STRICT=1 (CI) a failure.
skip_section() {
	if [ "${LENSFS_TEST_STRICT:-0}" = 1 ]; then
		not_ok "$1: not run, $2 (LENSFS_TEST_STRICT=1: a skip is a failure)"
	else
		skip_case "$1" "$2"
	fi
}
# The counts, and the status: 1 when a check failed. Skipped checks are
# counted apart, never as passed.
finish() {
	local counts="$passed passed, $failed failed"
	[ "$skipped" -eq 0 ] || counts="$counts, $skipped skipped"
	echo "# $counts"
	echo "$counts"
	[ "$failed" -eq 0 ]
}

# A test that hangs (a FUSE request nobody answers) fails instead.
watchdog() {
	local self=$$
	(
		# Killed at the end, it takes its sleep along (which would keep
		# the test's output open).
		sleep "${LENSFS_TEST_TIMEOUT:-600}" &
		trap 'kill $!; exit 0' TERM
		wait $!
		echo "not ok - timed out after ${LENSFS_TEST_TIMEOUT:-600} s"
		kill -TERM "$self"
	) &
	defer "kill $!"
}

require_machine() {
	watchdog
	[ "$(id -u)" = 0 ] || skip "needs root"
	[ -c /dev/fuse ] || skip "needs /dev/fuse"
	[ -x "$LENSFS" ] || skip "no $LENSFS (build first)"
	command -v unshare >/dev/null || skip "needs unshare (util-linux)"
	if [ -f "$CGROOT/cgroup.controllers" ]; then
		CGVER=2
		for c in memory cpu cpuset; do
			grep -qw "$c" "$CGROOT/cgroup.controllers" || skip "cgroup2 without $c"
		done
	elif [ -d "$CGROOT/memory" ] && [ -d "$CGROOT/cpuset" ]; then
		CGVER=1
	else
		skip "no memory and cpuset cgroups under $CGROOT"
	fi
	mkdir "$CGROOT/$(cg_ctrl_dir memory)/$TAG-probe" 2>/dev/null || skip "cgroups are not writable"
	rmdir "$CGROOT/$(cg_ctrl_dir memory)/$TAG-probe"
	# Every test cgroup lives below $TAG, removed last.
	defer cg_destroy "$TAG"
}

# Directory of a controller's hierarchy (v1) or the unified one (v2).
cg_ctrl_dir() { [ "$CGVER" = 2 ] && echo . || echo "$1"; }
V1_CTRLS="memory cpu cpuacct cpuset blkio"

# cg_create PATH: PATH relative to the root, parents first; removed at exit
# with everything else below $TAG.
cg_create() {
	local path=$1 c d
	if [ "$CGVER" = 2 ]; then
		d=$CGROOT
		local IFS=/
		for part in $path; do
			echo "+memory +cpu +cpuset" >"$d/cgroup.subtree_control" 2>/dev/null
			d=$d/$part
			mkdir -p "$d"
		done
		unset IFS
	else
		for c in $V1_CTRLS; do
			mkdir -p "$CGROOT/$c/$path"
		done
		# A v1 cpuset takes no task until it has CPUs and memory nodes.
		d=$CGROOT/cpuset
		local IFS=/
		for part in $path; do
			cat "$d/cpuset.cpus" >"$d/$part/cpuset.cpus"
			cat "$d/cpuset.mems" >"$d/$part/cpuset.mems"
			d=$d/$part
		done
		unset IFS
	fi
}

cg_destroy() {
	local path=$1 c dir
	# Runtimes create their cgroups in every v1 hierarchy, not only these.
	for c in $(if [ "$CGVER" = 2 ]; then echo .; else ls "$CGROOT"; fi); do
		dir=$CGROOT/$c/$path
		[ -d "$dir" ] || continue
		# Kill what is left, deepest cgroups first, then remove them.
		local killed=0
		while read -r d; do
			for p in $(cat "$d/cgroup.procs" 2>/dev/null); do
				kill -9 "$p" 2>/dev/null && killed=1
			done
		done < <(find "$dir" -depth -type d)
		[ "$killed" = 0 ] || sleep 0.1
		# A cgroup just emptied can stay busy for a moment.
		for _ in $(seq 20); do
			find "$dir" -depth -type d -exec rmdir {} \; 2>/dev/null
			[ -d "$dir" ] || break
			sleep 0.05
		done
	done
}

cg_memory() { # PATH BYTES
	if [ "$CGVER" = 2 ]; then echo "$2" >"$CGROOT/$1/memory.max"
	else echo "$2" >"$CGROOT/memory/$1/memory.limit_in_bytes"; fi
}
cg_swap() { # PATH BYTES (swap alone)
	if [ "$CGVER" = 2 ]; then echo "$2" >"$CGROOT/$1/memory.swap.max"
	else
		local mem
		mem=$(cat "$CGROOT/memory/$1/memory.limit_in_bytes")
		echo $((mem + $2)) >"$CGROOT/memory/$1/memory.memsw.limit_in_bytes"
	fi
}
cg_cpuset() { # PATH CPUS
	if [ "$CGVER" = 2 ]; then echo "$2" >"$CGROOT/$1/cpuset.cpus"
	else echo "$2" >"$CGROOT/cpuset/$1/cpuset.cpus"; fi
}
cg_quota() { # PATH QUOTA PERIOD
	if [ "$CGVER" = 2 ]; then echo "$2 $3" >"$CGROOT/$1/cpu.max"
	else
		echo "$3" >"$CGROOT/cpu/$1/cpu.cfs_period_us"
		echo "$2" >"$CGROOT/cpu/$1/cpu.cfs_quota_us"
	fi
}
# cg_procs_files PATH: every cgroup.procs a process must be written to.
cg_procs_files() {
	if [ "$CGVER" = 2 ]; then echo "$CGROOT/$1/cgroup.procs"
	else for c in $V1_CTRLS; do echo "$CGROOT/$c/$1/cgroup.procs"; done; fi
}

# in_container PATH CMD...: CMD in cgroup PATH and a fresh pid namespace
# (with its own /proc), as a container's process would be.
# ("" is the root cgroups.)
in_container() {
	local path=$1
	shift
	in_cgroup "$path" unshare -p -f --mount-proc "$@"
}

# in_cgroup PATH CMD...: CMD in cgroup PATH, in the host's pid namespace.
in_cgroup() {
	local path=$1
	shift
	local files
	files=$(cg_procs_files "$path" | tr '\n' ' ')
	sh -c 'for f in $0; do echo $$ > "$f" || exit 1; done; exec "$@"' "$files" "$@"
}

# in_own_container PATH SCRIPT: SCRIPT as the init of a new pid namespace
# that joins cgroup PATH itself, so that no process outside the container
# (in_container's unshare) is left in PATH: v2 hands controllers down only
# from a cgroup without processes. UNSHARE_MORE: more namespaces (-n -i).
in_own_container() {
	local files
	files=$(cg_procs_files "$1" | tr '\n' ' ')
	# shellcheck disable=SC2086
	unshare -p -f --mount-proc ${UNSHARE_MORE:-} sh -c 'for f in $0; do echo $$ >"$f" || exit 1; done; exec sh -c "$1"' "$files" "$2"
}

# mount_lensfs [OPTIONS...]: starts lensfs in the foreground on a fresh
# directory; sets MNT and LENSFS_PID (the process that mounted).
mount_lensfs() {
	MNT=$(mktemp -d -t lensfs-mnt-XXXXXX)
	"$LENSFS" -f "$@" "$MNT" 2>"$MNT.log" &
	LENSFS_PID=$!
	defer "kill $LENSFS_PID; sleep 0.2; umount -l $MNT; rmdir $MNT; rm -f $MNT.log"
	for _ in $(seq 100); do
		mountpoint -q "$MNT" && [ -e "$MNT/proc/meminfo" ] && return 0
		kill -0 "$LENSFS_PID" 2>/dev/null || break
		sleep 0.05
	done
	cat "$MNT.log"
	echo "lensfs did not mount"
	exit 1
}

# The worker lensfs (LENSFS_PID) runs now; how many have served so far
# (from its log); wait_serving N: until the Nth serves (5 s at most).
worker() { pgrep -P "$LENSFS_PID" -f -- '--worker=' | tail -n1; }
serving() { grep -c ' serving ' "$MNT.log"; }
wait_serving() {
	for _ in $(seq 100); do [ "$(serving)" -ge "$1" ] && return 0; sleep 0.05; done
	return 1
}
# restart_worker [HUP]: the worker SIGKILLed (or, with HUP, the daemon
# upgraded in place), until the next one serves.
restart_worker() {
	local n
	n=$(serving)
	if [ "${1:-}" = HUP ]; then kill -HUP "$LENSFS_PID"; else kill -9 "$(worker)"; fi
	wait_serving $((n + 1))
}

# Waits out the daemon's reuse of cgroup counters (--refresh-ms, 100 ms by
# default) after a limit changed.
settle() { sleep 0.15; }

# value in kB of a meminfo line
kb() { awk -v k="$2:" '$1 == k { print $2 }' <<<"$1"; }

# make_rootfs DIR: a container root of busybox-static plus the host's /usr
# (bind-mounted read-only by the runtime), /bin, /lib, /lib64 and /sbin as
# on the host (symlinks into /usr on a merged-/usr system, else mount
# points), and empty mount points for /proc, /sys and /dev.
make_rootfs() {
	local root=$1 d
	mkdir -p "$root"/{usr,proc,sys,dev,etc,tmp}
	cp "$(command -v busybox)" "$root/busybox"
	for d in bin lib lib64 sbin; do
		if [ -L "/$d" ]; then ln -sfn "$(readlink "/$d")" "$root/$d"
		elif [ -d "/$d" ]; then mkdir -p "$root/$d"; fi
	done
}
# rootfs_binds: the mounts make_rootfs expects, as OCI config.json entries.
rootfs_binds() {
	local d
	for d in usr bin lib lib64 sbin; do
		[ -d "/$d" ] && [ ! -L "/$d" ] &&
			printf '{"destination":"/%s","type":"bind","source":"/%s","options":["rbind","ro"]}\n' "$d" "$d"
	done | jq -s .
}

# --- runc bundles (set WORK, HOOK, MNT, LIMITS first) ----------------------
# require_runc: what the tests that start containers need (runc, jq, a built
# lensfs-hook); sets HOOK and SRCDIR.
require_runc() {
	command -v runc >/dev/null || skip "needs runc (apt-get install runc)"
	command -v jq >/dev/null || skip "needs jq (apt-get install jq)"
	HOOK=$BUILDDIR/lensfs-hook
	SRCDIR=$(cd "$(dirname "$0")/../.." && pwd)
	[ -x "$HOOK" ] || skip "no $HOOK (build first)"
}
# value NAME OUTPUT: what probe.sh printed for NAME.
value() { sed -n "s/^$1: //p" <<<"$2"; }

# bundle NAME HOOKS [JQ FILTER]: an OCI bundle in $WORK/NAME that runs
# probe.sh in the 256M / cpuset 0 / quota 0.5 container, with HOOKS (JSON)
# as its hooks; its root.path is relative, as runc spec writes it.
bundle() {
	local dir=$WORK/$1
	mkdir -p "$dir"
	(cd "$dir" && runc spec && rm -f "$dir/rootfs")
	jq --argjson hooks "$2" --argjson limits "$LIMITS" --argjson binds "$(rootfs_binds)" \
		--arg cg "/$TAG/$1" '
		.root.path = "../rootfs" | .process.terminal = false |
		.process.args = ["/usr/bin/sh", "/probe.sh"] |
		.mounts += [{"destination":"/usr","type":"bind","source":"/usr","options":["rbind","ro"]}] + $binds |
		.linux.resources += $limits | .linux.cgroupsPath = $cg | .hooks = $hooks
		'"${3:+| $3}" "$dir/config.json" >"$dir/config.new"
	mv "$dir/config.new" "$dir/config.json"
}
# hook_json STAGE [OPTION] [MOUNTPOINT]: a hooks object that runs
# lensfs-hook at STAGE (with --views VDIR where the test set VDIR: the
# daemon serves views there).
hook_json() {
	jq -n --arg path "$HOOK" --arg stage "$1" --arg opt "${2:-}" --arg mnt "${3:-$MNT}" \
		--arg views "${VDIR:-}" '
		{($stage): [{"path": $path, "args": (["lensfs-hook", "--mountpoint", $mnt] +
			(if $views == "" then ["--no-views"] else ["--views", $views] end) +
			(if $opt == "" then [] else [$opt] end) + [$stage])}]}'
}
# mount_views DIR: where mount_lensfs --views DIR mounts them; for the
# clean-up, before mount_lensfs.
mount_views_dir() {
	VDIR=$(mktemp -d -t lensfs-views-XXXXXX)
	defer "umount -l $VDIR; rmdir $VDIR"
}
