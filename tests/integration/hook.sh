#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# lensfs-hook with real runtimes: runc (config.json hooks), podman (the
# shipped hooks.d file), LXC (the shipped mount hook include), and the
# failure paths: no lensfs, a rootfs without the files, a bad state, a hook
# that fails or is killed half-way.
. "$(dirname "$0")/lib.sh"
require_machine
require_runc
# Per-container views too: the OCI hooks at createRuntime and prestart, and
# LXC's start-host hook, bind the files from the container's own (views.h),
# createContainer from the caller-based mount.
mount_views_dir
mount_lensfs --views "$VDIR"
# Every file, except the cpu and node directories': those are mounted whole
# (the sys/fs/cgroup view only with --cgroup-view).
VIEWS=$(($(find "$MNT" -path "$MNT/sys/devices/system/cpu" -prune -o -path "$MNT/sys/devices/system/node" -prune -o -path "$MNT/sys/fs" -prune -o -type f -print | wc -l) + 2))
PROC_VIEWS=$(find "$MNT/proc" -type f | wc -l)
WORK=$(mktemp -d -t lensfs-hook-XXXXXX)
defer "rm -rf $WORK"
ROOTFS=$WORK/rootfs
make_rootfs "$ROOTFS"
cp "$SRCDIR/tests/integration/probe.sh" "$ROOTFS/probe.sh"
# The host's mounts of this test's own daemons (by their device number,
# wherever a leak would put them: another suite may mount lensfs meanwhile).
OUR_DEVS=" $(awk -v m="$MNT" -v v="$VDIR" '$5 == m || $5 == v { print $3 }' /proc/self/mountinfo | tr '\n' ' ') "
our_mounts() { awk -v d="$OUR_DEVS" 'index(d, " " $3 " ") && / - fuse\.lensfs(-views)? /' /proc/self/mountinfo | wc -l; }
HOST_MOUNTS=$(our_mounts)
RUNC="runc --root $WORK/runc-state"
LIMITS='{"memory":{"limit":268435456},"cpu":{"cpus":"0","quota":50000,"period":100000}}'

# run_bundle NAME: runs it; its output in OUT, stderr in ERR, status in RC.
run_bundle() {
	OUT=$(cd "$WORK/$1" && $RUNC run "lensfs-$1-$$" 2>"$WORK/$1.err")
	RC=$?
	ERR=$(cat "$WORK/$1.err")
	$RUNC delete -f "lensfs-$1-$$" >/dev/null 2>&1
}
# check_probe PREFIX [VIEW]: the limited container's tools see its limits;
# with VIEW "view", through the files of its own view.
check_probe() {
	check "$1: free -k total" "$(value free "$OUT")" 262144
	check "$1: processors in cpuinfo" "$(value processors "$OUT")" 1
	check "$1: getconf _NPROCESSORS_ONLN" "$(value getconf "$OUT")" 1
	check "$1: getconf _NPROCESSORS_CONF" "$(value getconf_conf "$OUT")" 1
	check "$1: lscpu CPU(s)" "$(value lscpu "$OUT")" 1
	check "$1: cpuN directories" "$(value cpudirs "$OUT")" cpu0
	check "$1: python os.cpu_count()" "$(value python "$OUT")" 1
	local up
	up=$(value uptime "$OUT")
	check_true "$1: uptime starts near 0 ($up)" awk -v u="${up%% *}" 'BEGIN { exit !(u < 5) }'
	check_true "$1: top shows 256.0 total ($(value top "$OUT"))" grep -q 'MiB Mem : *256.0 total' <<<"$(value top "$OUT")"
	check "$1: every view mounted" "$(value mounts "$OUT")" "$VIEWS"
	# (The cpu directory too: the view passes it through for the
	# container.)
	check "$1: ${2:-caller}: the files from $([ "${2:-}" = view ] && echo "the container's own view" || echo "the caller-based mount")" \
		"$(value viewmounts "$OUT")" "$([ "${2:-}" = view ] && echo "$VIEWS" || echo 0)"
	# Readers that splice or map (busybox cat, Python's shutil) read it too.
	check "$1: shutil.copyfile, splice and a private map of /proc/meminfo" \
		"$(value ways "$OUT")" "shutil=262144 splice=262144 mmap=262144"
	check "$1: busybox cat (sendfile) reads what coreutils cat reads, every /proc view" \
		"$(value busybox "$OUT")" "262144 $PROC_VIEWS files, all the same"
}

# --- runc, createRuntime and createContainer ---------------------------------
bundle runtime "$(hook_json createRuntime)"
run_bundle runtime
check "runc createRuntime: the container ran" "$RC" 0
check_probe "runc createRuntime" view
bundle container "$(hook_json createContainer)"
run_bundle container
check "runc createContainer: the container ran" "$RC" 0
check_probe "runc createContainer"
# A PSI trigger written in the container: through the pressure files bound
# read-write from the caller-based mount (createContainer), set on the
# container's own cgroup where it has one in a unified hierarchy (v2, or a
# hybrid host's, where runc makes one too), else EOPNOTSUPP (no pressure
# kept for it); through the container's view (createRuntime), EROFS.
trigger='["/usr/bin/python3", "-S", "-c", "import errno, os\ntry:\n fd = os.open(\"/proc/pressure/memory\", os.O_RDWR)\n os.write(fd, b\"some 150000 2000000\\0\")\n print(\"set\")\nexcept OSError as e:\n print(errno.errorcode[e.errno])"]'
bundle trigger "$(hook_json createContainer)" ".process.args = $trigger"
run_bundle trigger
check "runc createContainer: a PSI trigger reaches lensfs for the container" "$OUT" \
	"$([ -r /proc/pressure/memory ] && grep -q ' - cgroup2 ' /proc/self/mountinfo && echo set || echo EOPNOTSUPP)"
bundle trigger-view "$(hook_json createRuntime)" ".process.args = $trigger"
run_bundle trigger-view
check "runc createRuntime (its view): a PSI trigger is refused, read-only" "$OUT" EROFS
# --cgroup-view: the container's own cgroup as /sys/fs/cgroup's root.
if [ "$CGVER" = 1 ]; then
	view_probe='["/usr/bin/sh", "-c", "cat /sys/fs/cgroup/memory/memory.limit_in_bytes; ls /sys/fs/cgroup/memory | grep -c cgview; grep -c \" /sys/fs/cgroup .* - fuse.lensfs-views \" /proc/self/mountinfo"]'
else
	view_probe='["/usr/bin/sh", "-c", "cat /sys/fs/cgroup/memory.max; ls /sys/fs/cgroup | grep -c cgview; grep -c \" /sys/fs/cgroup .* - fuse.lensfs-views \" /proc/self/mountinfo"]'
fi
bundle cgview "$(hook_json createRuntime --cgroup-view)" ".process.args = $view_probe"
run_bundle cgview
check "runc --cgroup-view: its limit at the root, its own name nowhere, from its own view" "$(echo $OUT)" "268435456 0 1"
# With a daemon that delegates, the view is writable for a container that
# asks (the annotation org.lensfs.cgroup-delegate=true): it makes a child
# cgroup, and its own limit stays out of reach. One that does not ask gets
# a read-only view. The grant is recorded while the container lives.
if [ "$CGVER" = 1 ]; then
	READONLY_MNT=$MNT
	DDIR=$WORK/delegate
	mount_lensfs --cgroup-delegate --delegate-dir "$DDIR"
	DELEGATING=$MNT
	MNT=$READONLY_MNT
	OUR_DEVS="$OUR_DEVS$(awk -v m="$DELEGATING" '$5 == m { print $3 }' /proc/self/mountinfo) "
	HOST_MOUNTS=$(our_mounts)
	deleg_hooks=$(jq -n --arg path "$HOOK" --arg mnt "$DELEGATING" --arg dir "$DDIR" '
		{"createRuntime": [{"path": $path, "args": ["lensfs-hook", "--mountpoint", $mnt,
			"--cgroup-view", "--delegate-dir", $dir, "createRuntime"]}],
		 "poststop": [{"path": $path, "args": ["lensfs-hook", "--delegate-dir", $dir, "poststop"]}]}')
	deleg_probe='["/usr/bin/sh", "-c", "ls '"$DDIR"' | wc -l; mkdir /sys/fs/cgroup/memory/child && echo made; /usr/bin/python3 -S -c \"import os\ntry:\n os.write(os.open(\u0027/sys/fs/cgroup/memory/memory.limit_in_bytes\u0027, os.O_WRONLY), b\u00271\u0027)\nexcept OSError as e:\n print(e.errno)\"; rmdir /sys/fs/cgroup/memory/child && echo removed"]'
	bundle cgdeleg "$deleg_hooks" ".process.args = $deleg_probe | .annotations[\"org.lensfs.cgroup-delegate\"] = \"true\" | .mounts += [{\"destination\": \"$DDIR\", \"type\": \"bind\", \"source\": \"$DDIR\", \"options\": [\"rbind\", \"ro\"]}]"
	mkdir -p "$DDIR"
	run_bundle cgdeleg
	check "runc --cgroup-view with a delegating lensfs, asked for: recorded, mkdir, root limit EPERM, rmdir" "$(echo $OUT)" "1 made 1 removed"
	check "and its record goes with it (poststop)" "$(ls "$DDIR" | wc -l)" 0
	bundle cgnodeleg "$deleg_hooks" ".process.args = [\"/usr/bin/sh\", \"-c\", \"mkdir /sys/fs/cgroup/memory/child 2>&1 | sed s/.*:.//\"]"
	run_bundle cgnodeleg
	check "runc --cgroup-view with a delegating lensfs, not asked for: read-only" "$OUT" "Read-only file system"
fi
# (Without it: check_probe's "every view mounted" counts the views but the
# cgroup view, so a view mounted by default would fail it.)
bundle prestart "$(hook_json prestart)"
run_bundle prestart
check "runc prestart: free -k total" "$(value free "$OUT")" 262144
check "runc: the mounts are read-only, nosuid, nodev, noexec" \
	"$(cd "$WORK/runtime" && jq -r '.process.args = ["/usr/bin/grep", "-E", " - fuse[.]lensfs(-views)? ", "/proc/self/mountinfo"]' config.json >c && mv c config.json && $RUNC run "lensfs-opts-$$" | awk '{ print $6 }' | sort -u)" \
	"ro,nosuid,nodev,noexec,relatime"
$RUNC delete -f "lensfs-opts-$$" >/dev/null 2>&1
check "runc: nothing of the container left on the host" "$(our_mounts)" "$HOST_MOUNTS"

# --- two runc containers in one pid namespace (a pod's) ----------------------
# The caller-based mount answers by the namespace's init: the second
# container's processes would read the first's limits. A view is bound to
# the container's own first process.
bundle podinit "$(hook_json createRuntime)" '.process.args = ["/busybox", "sleep", "100000"]'
(cd "$WORK/podinit" && $RUNC run -d "lensfs-podinit-$$" </dev/null >"$WORK/podinit.out" 2>&1)
defer "$RUNC delete -f lensfs-podinit-$$"
PODPID=$($RUNC state "lensfs-podinit-$$" | jq -r .pid)
bundle podside "$(hook_json createRuntime)" \
	'.linux.resources.memory.limit = 134217728 | .linux.resources.cpu.cpus = "0" | .process.args = ["/usr/bin/sh", "-c", "/usr/bin/free -k | /usr/bin/sed -n \"s/^Mem: *\\([0-9]*\\).*/\\1/p\"; /usr/bin/ls /sys/devices/system/cpu | /usr/bin/grep -c \"^cpu[0-9]\"; /usr/bin/grep -c \" - fuse.lensfs-views \" /proc/self/mountinfo"] |
	 .linux.namespaces |= map(if .type == "pid" then .path = "/proc/'"$PODPID"'/ns/pid" else . end)'
run_bundle podside
check "a pod's second container (128M, CPU 0, the first's pid namespace): its own MemTotal and CPUs, every file from its view" "$(echo $OUT)" "131072 1 $VIEWS"
check "the pod's first container (256M) reads its own" \
	"$($RUNC exec "lensfs-podinit-$$" /busybox awk '/^MemTotal:/ { print $2 }' /proc/meminfo)" 262144

# --- podman, with the shipped hooks.d file ---------------------------------
if command -v podman >/dev/null; then
	mkdir -p "$WORK/hooks.d"
	jq --arg path "$HOOK" --arg mnt "$MNT" '.hook.path = $path |
		(.hook.args | index("--mountpoint")) as $i | .hook.args[$i + 1] = $mnt |
		.hook.args = .hook.args[:-1] + ["--views", $views] + .hook.args[-1:]' --arg views "$VDIR" \
		"$BUILDDIR/config/lensfs-hook.json" >"$WORK/hooks.d/lensfs-hook.json"
	# The flags this machine needs (no systemd, no overlay, low ulimits).
	OUT=$(podman --runtime "$(command -v runc)" --cgroup-manager cgroupfs --storage-driver vfs \
		--events-backend file --root "$WORK/podman" --runroot "$WORK/podman-run" \
		--hooks-dir "$WORK/hooks.d" run --rm --network none \
		--ulimit nofile=1024:1024 --ulimit nproc=1024:1024 --cgroup-parent "/$TAG" \
		--memory 256m --cpuset-cpus 0 --cpus 0.5 -v /usr:/usr:ro \
		--rootfs "$ROOTFS" /usr/bin/sh /probe.sh 2>"$WORK/podman.err")
	RC=$?
	check "podman: the container ran" "$RC" 0
	[ "$RC" = 0 ] || cat "$WORK/podman.err"
	check_probe "podman" view
else
	skip_section "podman, with the shipped hooks.d file" "needs podman (apt-get install podman)"
fi

# --- LXC, with the shipped mount hook include -------------------------------
if command -v lxc-execute >/dev/null; then
	# Both hooks: the mount hook leaves the files to the start-host hook,
	# which binds them from the container's own view.
	sed -e "s|^\(lxc.hook.[a-z-]*\) = [^ ]*|\1 = $HOOK|" -e "s|--mountpoint [^ ]*|--mountpoint $MNT --views $VDIR|" \
		"$BUILDDIR/config/lensfs-lxc.conf" >"$WORK/lensfs-lxc.conf"
	if [ "$CGVER" = 2 ]; then
		limits="lxc.cgroup2.memory.max = 268435456
lxc.cgroup2.cpuset.cpus = 0
lxc.cgroup2.cpu.max = 50000 100000"
	else
		limits="lxc.cgroup.memory.limit_in_bytes = 268435456
lxc.cgroup.cpuset.cpus = 0
lxc.cgroup.cpu.cfs_period_us = 100000
lxc.cgroup.cpu.cfs_quota_us = 50000"
	fi
	cat >"$WORK/lxc.conf" <<CONF
lxc.uts.name = lensfs-test
lxc.rootfs.path = dir:$ROOTFS
lxc.mount.entry = /usr usr none ro,bind 0 0
lxc.mount.auto = proc:mixed sys:ro
lxc.net.0.type = empty
lxc.console.path = none
# Below the test's own cgroup, so that it goes with the test's cgroups.
lxc.cgroup.relative = 1
$limits
lxc.include = $WORK/lensfs-lxc.conf
CONF
	mkdir -p "$WORK/lxc"
	cg_create "$TAG/lxc"
	# LXC leaves an empty lxc.pivot cgroup at the top of the hierarchies
	# where it makes one: take away those it made.
	[ -n "$(ls -d "$CGROOT"/*/lxc.pivot "$CGROOT"/lxc.pivot 2>/dev/null)" ] ||
		defer "rmdir $CGROOT/*/lxc.pivot $CGROOT/lxc.pivot"
	OUT=$(in_cgroup "$TAG/lxc" lxc-execute -n "lensfs-$$" -P "$WORK/lxc" -f "$WORK/lxc.conf" \
		-o "$WORK/lxc.log" -- /usr/bin/sh /probe.sh)
	RC=$?
	check "lxc: the container ran" "$RC" 0
	[ "$RC" = 0 ] || tail -20 "$WORK/lxc.log"
	check_probe "lxc" view
else
	skip_section "LXC, with the shipped mount hook include" "needs LXC (apt-get install lxc)"
fi

# --- failure paths --------------------------------------------------------
# lensfs not mounted: a warning, and the container starts with the host's files.
EMPTY=$WORK/not-mounted
mkdir -p "$EMPTY"
bundle nolensfs "$(hook_json createRuntime "" "$EMPTY")"
run_bundle nolensfs
check "no lensfs: the container starts" "$RC" 0
check "no lensfs: the host's MemTotal" "$(value free "$OUT")" "$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)"
bundle required "$(hook_json createRuntime --require "$EMPTY")"
run_bundle required
check_true "no lensfs, --require: the container does not start (status $RC)" test "$RC" -ne 0 -a -z "$OUT"
check_true "no lensfs, --require: the reason on stderr" grep -q "no lensfs on $EMPTY (--require)" <<<"$ERR"

# A rootfs without /sys (no sysfs mount): the /proc views only.
bundle nosys "$(hook_json createRuntime)" '.mounts |= map(select(.destination != "/sys" and .destination != "/sys/fs/cgroup"))'
run_bundle nosys
check "no /sys in the rootfs: the container starts" "$RC" 0
check "no /sys in the rootfs: free -k total" "$(value free "$OUT")" 262144
check "no /sys in the rootfs: the /proc views mounted" "$(value mounts "$OUT")" "$(find "$MNT/proc" -type f | wc -l)"

# The hook alone, against a process in its own mount namespace with a
# rootfs that has every target file.
FAKE=$WORK/fake
mkdir -p "$FAKE/rootfs/proc" "$FAKE/rootfs/sys/devices/system/cpu"
touch "$FAKE/rootfs/proc/"{meminfo,cpuinfo,uptime} "$FAKE/rootfs/sys/devices/system/cpu/online"
echo '{"ociVersion": "1.0.2", "root": {"path": "rootfs"}}' >"$FAKE/config.json"
unshare -m --propagation private sleep 600 &
NSPID=$!
defer "kill $NSPID"
sleep 0.1
state() { printf '{"ociVersion":"1.0.2","id":"fake","status":"creating","pid":%s,"bundle":"%s"}' "$NSPID" "$FAKE"; }
in_ns_mounts() { grep -c "$FAKE/rootfs" "/proc/$NSPID/mountinfo"; }
bad_state() { # NAME STATE EXPECTED-MESSAGE
	local err rc
	err=$("$HOOK" --mountpoint "$MNT" createRuntime <<<"$2" 2>&1)
	rc=$?
	check "$1: refused" "$rc" 1
	check_true "$1: says why ($err)" grep -q "$3" <<<"$err"
	check "$1: nothing mounted" "$(in_ns_mounts)" 0
}
bad_state "garbage state" 'not json at all' "the state on stdin: not JSON"
bad_state "state beyond 1 MiB" "$(head -c 1100000 /dev/zero | tr '\0' ' ')" "the state on stdin: File too large"
bad_state "truncated state" "$(state | head -c 40)" "the state on stdin: not JSON"
bad_state "state without a pid" '{"ociVersion":"1.0.2","id":"x","status":"creating","bundle":"/x"}' "has no pid"
bad_state "state with a relative bundle" '{"ociVersion":"1.0.2","id":"x","status":"creating","pid":1,"bundle":"x"}' "not an absolute path"
bad_state "state of a process in the host's mount namespace" \
	"{\"ociVersion\":\"1.0.2\",\"id\":\"x\",\"status\":\"creating\",\"pid\":$$,\"bundle\":\"$FAKE\"}" "Operation not permitted"
# LXC's start-host hook: LXC_PID must be a pid; one in the host's mount
# namespace is refused as for OCI (its mounts would land on the host).
for bad in "" abc 0 -5 99999999999; do
	err=$(LXC_NAME=x LXC_PID=$bad "$HOOK" --mountpoint "$MNT" --views "$VDIR" lxc-start-host x lxc start-host 2>&1)
	check "lxc-start-host, LXC_PID '$bad': refused, says why" "$? $err" "1 lensfs-hook: container x: LXC_PID is not a pid; nothing mounted"
done
err=$(LXC_NAME=x LXC_PID=$$ "$HOOK" --mountpoint "$MNT" --views "$VDIR" lxc-start-host 2>&1)
check "lxc-start-host, a pid in the host's mount namespace: refused" "$? $err" \
	"1 lensfs-hook: container x: entering the mount namespace of pid $$: Operation not permitted; nothing mounted"
# No lensfs: a warning (runc shows a hook's stderr only when it fails), and
# nothing mounted.
err=$("$HOOK" --mountpoint "$EMPTY" createRuntime <<<"$(state)" 2>&1)
check "no lensfs: the hook lets the container start" "$?" 0
check "no lensfs: the warning" "$err" "lensfs-hook: container fake: no lensfs on $EMPTY (No such device); it starts with the host's files"
check "no lensfs: nothing mounted" "$(in_ns_mounts)" 0
# A rootfs without /proc/meminfo (nor anything else of /proc).
rm "$FAKE/rootfs/proc/"*
"$HOOK" --mountpoint "$MNT" createRuntime <<<"$(state)"
check "a rootfs without /proc/meminfo: the hook succeeds" "$?" 0
check "a rootfs without /proc/meminfo: the cpu directory alone is mounted" "$(grep "$FAKE/rootfs" "/proc/$NSPID/mountinfo" | cut -d' ' -f5)" "$FAKE/rootfs/sys/devices/system/cpu"
nsenter -t "$NSPID" -m umount "$FAKE/rootfs/sys/devices/system/cpu"
touch "$FAKE/rootfs/proc/"{meminfo,cpuinfo,uptime}
check "an unknown view is refused" "$("$HOOK" --files proc/nope createRuntime </dev/null 2>&1)" "lensfs-hook: --files: lensfs serves no 'proc/nope'"
check "an empty list of views is refused" "$("$HOOK" --files '' createRuntime </dev/null 2>&1)" "lensfs-hook: --files: an empty list mounts nothing"
"$HOOK" --mountpoint "$MNT" --files proc/meminfo createRuntime <<<"$(state)"
check "--files proc/meminfo mounts that one" "$(in_ns_mounts)" 1
nsenter -t "$NSPID" -m umount "$FAKE/rootfs/proc/meminfo"
"$HOOK" --mountpoint "$MNT" --files sys/devices/system/cpu createRuntime <<<"$(state)"
check "--files sys/devices/system/cpu mounts the directory" "$(grep "$FAKE/rootfs" "/proc/$NSPID/mountinfo" | cut -d' ' -f5)" "$FAKE/rootfs/sys/devices/system/cpu"
nsenter -t "$NSPID" -m umount "$FAKE/rootfs/sys/devices/system/cpu"

if command -v strace >/dev/null; then
	# A mount that fails half-way: what was mounted is taken back.
	err=$(strace -qq -o /dev/null -e trace=move_mount -e inject=move_mount:error=EPERM:when=3 \
		"$HOOK" --mountpoint "$MNT" createRuntime <<<"$(state)" 2>&1)
	check "the third mount fails: the hook fails" "$?" 1
	check_true "the third mount fails: says which ($err)" grep -q "mounting proc/uptime in $FAKE/rootfs: Operation not permitted; nothing mounted" <<<"$err"
	check "the third mount fails: the first two are taken back" "$(in_ns_mounts)" 0
	# Killed half-way under runc: the runtime gives up the container, whose
	# mount namespace goes with it; the host sees nothing.
	bundle killed "$(jq -n --arg hook "$HOOK" --arg mnt "$MNT" --arg strace "$(command -v strace)" \
		'{"createRuntime": [{"path": $strace, "args": ["strace", "-qq", "-o", "/dev/null", "-e", "trace=move_mount",
		  "-e", "inject=move_mount:signal=KILL:when=2", $hook, "--mountpoint", $mnt, "createRuntime"]}]}')"
	run_bundle killed
	check_true "killed after one mount under runc: the container does not start (status $RC)" test "$RC" -ne 0 -a -z "$OUT"
	check "killed after one mount: no container left" "$($RUNC list -q | grep -c "lensfs-killed-$$")" 0
	check "killed after one mount: nothing mounted on the host" "$(our_mounts)" "$HOST_MOUNTS"
else
	skip_section "a mount that fails, a hook killed half-way" "needs strace (apt-get install strace) to inject failures"
fi

# Every container above that ran through its own view (runc's stages, the
# pod's two, podman's, LXC's) has stopped, the pod's first now: the kernel
# let go of their views, and none is left.
$RUNC delete -f "lensfs-podinit-$$" >/dev/null 2>&1
for _ in $(seq 80); do [ "$("$LENSFS_SHOW" --views "$VDIR" | head -n1)" = "alive: 0" ] && break; sleep 0.05; done
check "every container stopped: no view left" "$("$LENSFS_SHOW" --views "$VDIR")" "alive: 0"

finish
