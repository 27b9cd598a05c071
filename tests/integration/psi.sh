#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# PSI triggers through the caller-based mount: a trigger written to
# proc/pressure/memory from a container goes to its own cgroup's
# memory.pressure and fires when that container stalls, not when a
# neighbour does (cgroup v2); refused where the host keeps no pressure for
# the container (EOPNOTSUPP on v1); the kernel's own errors (EINVAL, EBUSY);
# 32 triggers per container (EMFILE); the host's own triggers in the root.
. "$(dirname "$0")/lib.sh"
require_machine
echo "# cgroup v$CGVER, kernel $(uname -r)"
[ -r /proc/pressure/memory ] || skip "the kernel keeps no pressure (PSI off)"
command -v python3 >/dev/null || skip "needs python3"
POLL="$PYTHON $(cd "$(dirname "$0")" && pwd)/psi-poll.py"
HOST_SIDE=1
[ "${LENSFS_TEST_KERNEL_ONLY:-0}" = 1 ] && HOST_SIDE=0
mount_lensfs
P=$MNT/proc/pressure

# Linux 6.5 lets any writer set a trigger with a window of a multiple of
# 2 s (some distributions' older kernels too); before, the machine's
# /proc/pressure took one from CAP_SYS_RESOURCE only (which the daemon has
# not): asked of the kernel itself, by a writer without it.
command -v setpriv >/dev/null || skip "needs setpriv (util-linux)"
UNPRIV=0
[ "$(setpriv --bounding-set -sys_resource $POLL /proc/pressure/memory "some 150000 2000000")" = armed ] && UNPRIV=1
echo "# unprivileged triggers: $([ $UNPRIV = 1 ] && echo yes || echo no)"
check "pressure files are writable by all, as the kernel's since 6.5" \
	"$(stat -c %a "$P/memory" "$P/cpu" "$P/io" | tr '\n' ' ')" "666 666 666 "

# The host's pid namespace in the root cgroups: the machine's file.
host_reader() {
	local f
	for f in $(cg_procs_files ""); do echo $BASHPID >"$f"; done
	"$@"
}
if [ "$UNPRIV" = 0 ]; then
	check "without unprivileged triggers: the machine's file takes none from the daemon" \
		"$(host_reader $POLL "$P/memory" "some 150000 2000000")" "write: EPERM"
else
	check "the host's trigger is armed, one per open" "$(host_reader $POLL "$P/memory" "some 150000 2000000" again)" \
		"armed
again: EBUSY"
	# The daemon writes without CAP_SYS_RESOURCE: windows of 2 s multiples
	# only, as for any unprivileged writer of the kernel's file.
	check "a window that is not a multiple of 2 s is EINVAL" \
		"$(host_reader $POLL "$P/memory" "some 150000 1000000")" "write: EINVAL"
	check "a trigger the kernel does not read is EINVAL" "$(host_reader $POLL "$P/memory" "often 1 2")" "write: EINVAL"
	check "32 triggers at once for the host's pid namespace, then EMFILE" \
		"$(host_reader $POLL "33*$P/memory" "some 150000 2000000")" "armed 32
write: EMFILE"
	if [ "$HOST_SIDE" = 1 ]; then
		# More busy loops than CPUs: cpu pressure fires the
		# host's trigger within two windows.
		busy=()
		for _ in $(seq $(($(nproc) + 1))); do
			timeout 10 sh -c 'while :; do :; done' &
			busy+=($!)
		done
		check "the host's cpu trigger fires under load" \
			"$(host_reader $POLL "$P/cpu" "some 100000 2000000" 6000)" "armed
fired"
		kill "${busy[@]}" 2>/dev/null
		wait "${busy[@]}" 2>/dev/null
	fi
fi

cg_create "$TAG/a"
cg_create "$TAG/b"
if [ "$CGVER" = 1 ]; then
	# A container on v1 reads the machine's pressure where a unified
	# hierarchy is mounted beside (its root), which is not its own.
	check "v1: a container's trigger is EOPNOTSUPP" \
		"$(in_container "$TAG/a" $POLL "$P/memory" "some 150000 2000000")" "write: EOPNOTSUPP"
	finish
	exit
fi

check "v2: a container's trigger is armed, one per open" \
	"$(in_container "$TAG/a" $POLL "$P/memory" "some 150000 2000000" again)" "armed
again: EBUSY"
# lensfs's rule on every kernel: the daemon's triggers are all unprivileged.
check "v2: a container's 1 s window is EINVAL" \
	"$(in_container "$TAG/a" $POLL "$P/memory" "some 150000 1000000")" "write: EINVAL"
check "v2: 32 triggers at once for a container, then EMFILE" \
	"$(in_container "$TAG/a" $POLL "33*$P/memory" "some 150000 2000000")" "armed 32
write: EMFILE"

# Two neighbours, each limited: a poller in a, pressure in b (a process
# over its memory.high, which the kernel throttles: a memory stall), then
# in a.
cg_memory "$TAG/a" $((64 << 20))
cg_memory "$TAG/b" $((64 << 20))
HOG='while True:
    x = b"\1" * (24 << 20)
    del x'
some_us() { sed -n 's/^some .*total=//p' "$CGROOT/$1/memory.pressure"; }
out=$(mktemp)
defer "rm -f $out"
in_container "$TAG/a" $POLL "$P/memory" "some 50000 2000000" 4500 15000 >"$out" &
poller=$!
for _ in $(seq 100); do grep -q armed "$out" && break; sleep 0.1; done
check "v2: the poller in a is armed" "$(head -n1 "$out")" armed
b_before=$(some_us "$TAG/b")
echo $((4 << 20)) >"$CGROOT/$TAG/b/memory.high"
in_cgroup "$TAG/b" $PYTHON -c "$HOG" &
hog=$!
for _ in $(seq 60); do [ "$(wc -l <"$out")" -ge 2 ] && break; sleep 0.1; done
kill "$hog"
wait "$hog" 2>/dev/null
b_stall=$(($(some_us "$TAG/b") - b_before))
check_true "v2: b stalled meanwhile (${b_stall} us)" test "$b_stall" -gt 50000
check "v2: a's trigger does not fire for b's pressure" "$(sed -n 2p "$out")" quiet
echo $((4 << 20)) >"$CGROOT/$TAG/a/memory.high"
in_cgroup "$TAG/a" $PYTHON -c "$HOG" &
hog=$!
wait "$poller"
kill "$hog"
wait "$hog" 2>/dev/null
check "v2: a's trigger fires for a's own pressure" "$(sed -n 3p "$out")" fired
finish
