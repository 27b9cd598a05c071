#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# One command for each of the README's Quick start steps, as root on a
# fresh Debian 12 machine:
#   ./setup.sh run     install what is needed, build, install, and start
#                      lensfs on /var/lib/lensfs
#   ./setup.sh test    install what is needed, build (warnings are errors),
#                      and run every test: unit, integration (real FUSE
#                      mount, real cgroups), the same on a pure cgroup v2
#                      kernel in a VM, make distcheck, then the unit and
#                      integration tests again under AddressSanitizer and
#                      UndefinedBehaviorSanitizer, every parser's fuzz
#                      target for 30 s, and the Debian package built,
#                      installed, upgraded and removed
#   ./setup.sh bench   run the benchmarks: native /proc, LXCFS and lensfs
#                      (alone, and next to a container of 20,000 threads);
#                      what lensfs-hook adds to a container start
#   ./setup.sh packages  print the Debian packages the above install
set -euo pipefail
cd "$(dirname "$0")"

packages() {
	# build (scdoc: the manual pages)
	echo autoconf automake libtool pkg-config make gcc scdoc
	echo libfuse3-dev libglib2.0-dev libcap-dev libcmocka-dev
	# run
	echo fuse3
	# tests and benchmarks
	echo util-linux procps python3 clang-format lxcfs
	# what monitor.sh runs in a container (sar, numactl)
	echo sysstat numactl
	# the manual pages' check (tests/man.sh)
	echo man-db bsdextrautils
	# the Debian package's build and check (tests/package.sh)
	echo debhelper dpkg-dev lintian git
	# the Kubernetes manifests' offline check (tests/kubernetes.sh); a
	# kubectl from elsewhere is used as it is (Debian's would conflict)
	echo python3-yaml
	command -v kubectl >/dev/null || echo kubernetes-client
	# the parsers' fuzz targets (tests/fuzz; libFuzzer comes with clang)
	echo clang
	# container runtimes for lensfs-hook's tests, and what they drive them with
	echo runc podman lxc jq strace docker.io
	# lensfs-relay's tests and benchmark (a real syslog daemon)
	echo rsyslog
	# the cgroup v2 VM (tests/vm)
	echo qemu-system-x86 busybox-static binutils
}

install_packages() {
	if [ "${LENSFS_NO_INSTALL:-0}" = 1 ]; then return; fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2046
	apt-get install -y -qq --no-install-recommends $(packages) >/dev/null
	# Debian's lxcfs package starts its own daemon on /var/lib/lxcfs; the
	# benchmark runs a private instance instead.
	if command -v systemctl >/dev/null && systemctl is-active -q lxcfs 2>/dev/null; then
		systemctl stop lxcfs || true
	fi
}

# build DIR [CONFIGURE OPTIONS...]
build() {
	local dir=$1
	shift
	[ -x configure ] || ./autogen.sh >/dev/null
	mkdir -p "$dir"
	(cd "$dir" && ../configure --quiet "$@" && make -j"$(nproc)" --no-print-directory)
}

# count PATTERN FILE...: matching lines in all the files (0 when none).
count() {
	local pattern=$1
	shift
	cat "$@" 2>/dev/null | grep -c "$pattern" || true
}

# tally NAME LOG: LOG's ok and not ok lines, counted with the others.
tally() {
	local pass fail
	pass=$(count '^ok ' "$2")
	fail=$(count '^not ok ' "$2")
	echo "$1: $pass passed, $fail failed"
	TOTAL_PASS=$(( ${TOTAL_PASS:-0} + pass ))
	TOTAL_FAIL=$(( ${TOTAL_FAIL:-0} + fail ))
}

# soak DIR: bench/soak.sh's 2-minute run (containers coming and going, the
# worker killed, lensfs upgraded; docs/performance.md has a 10-minute
# one).
soak() {
	local rc=0
	bench/soak.sh "$1" --minutes 2 >"$1/soak.log" 2>&1 || rc=$?
	cat "$1/soak.log"
	tally "$1: soak" "$1/soak.log"
	return "$rc"
}

# package DIR: tests/package.sh (the Debian package built, checked by
# lintian, installed, upgraded under a reading container, removed).
package() {
	local rc=0
	LENSFS_TEST_STRICT=1 LENSFS_BUILDDIR=$PWD/$1 tests/package.sh >"$1/package.log" 2>&1 || rc=$?
	grep -v '^# lintian: [IPN]:' "$1/package.log"
	tally "$1: package" "$1/package.log"
	return "$rc"
}

# check DIR [MAKE ARGS...]: every test, with a skip counted as a failure.
# Prints each integration assertion by name, and counts every assertion run.
check() {
	local dir=$1 rc=0
	shift
	LENSFS_TEST_STRICT=1 timeout 1800 make -C "$dir" --no-print-directory check "$@" || rc=$?
	cat "$dir"/tests/integration/*.log "$dir"/tests/vm/*.log 2>/dev/null |
		grep -E '^(ok|not ok|#|SKIP)' || true
	[ "$rc" = 0 ] || cat "$dir/test-suite.log"
	local pass fail
	pass=$(( $(count '^\[       OK \]' "$dir"/tests/unit/*.log) +
		 $(count '^ok ' "$dir"/tests/integration/*.log "$dir"/tests/vm/*.log) ))
	fail=$(( $(count '^\[  FAILED  \] test' "$dir"/tests/unit/*.log) +
		 $(count '^not ok ' "$dir"/tests/integration/*.log "$dir"/tests/vm/*.log) ))
	echo "$dir: $pass passed, $fail failed"
	TOTAL_PASS=$(( ${TOTAL_PASS:-0} + pass ))
	TOTAL_FAIL=$(( ${TOTAL_FAIL:-0} + fail ))
	return "$rc"
}

need_root() {
	[ "$(id -u)" = 0 ] || { echo "setup.sh $1: run as root (it installs packages and mounts)"; exit 1; }
}

case "${1:-}" in
packages)
	packages | tr ' ' '\n' | sed '/^$/d'
	;;
run)
	need_root run
	install_packages
	# Where podman reads hooks by default (containers.conf hooks_dir).
	build build --with-oci-hooks-dir=/usr/share/containers/oci/hooks.d
	make -C build --no-print-directory install >/dev/null
	mnt=/var/lib/lensfs
	if mountpoint -q "$mnt"; then
		echo "lensfs is already mounted on $mnt"
	else
		/usr/local/bin/lensfs --views /run/lensfs/views --sysinfo-socket /run/lensfs/sysinfo.sock "$mnt"
		echo "lensfs is serving $mnt, and per-container views on /run/lensfs/views"
	fi
	cat <<MSG

Look at what a container sees:
  lensfs-show --pid PID                 # every file, as process PID would read it
  lensfs-show --pid PID proc/meminfo    # one file, byte for byte
  lensfs-show --cgroup /some/cgroup     # the view of a cgroup
podman (and CRI-O) containers started from now on get the views: the hook
is in /usr/share/containers/oci/hooks.d/lensfs-hook.json. For runc, crun, LXC,
Docker and Kubernetes see docs/hook.md; by hand, inside a container:
  mount --bind $mnt/proc/meminfo /proc/meminfo
Upgrade after a new build and install, with no gap for containers:
  kill -HUP \$(pgrep -o -x lensfs)
Stop (containers that use the views then read ENOTCONN, until lensfs starts
again and re-attaches them):
  kill \$(pgrep -o -x lensfs)
MSG
	;;
test)
	need_root test
	install_packages
	build build-ci --enable-werror
	make -C build-ci --no-print-directory format-check
	check build-ci
	soak build-ci
	package build-ci
	# The VM suite runs once, above: it tests the kernel side, not memory safety.
	make -C build-ci --no-print-directory distcheck TESTS='$(UNIT_TESTS) $(STRUCTURE_TESTS) $(INTEGRATION_TESTS)' >/dev/null
	build build-asan --enable-werror --enable-sanitizers
	check build-asan TESTS='$(UNIT_TESTS) $(INTEGRATION_TESTS)'
	# Every parser's fuzz target, 30 s each on its corpus (tests/fuzz/README):
	# an input that crashed once fails here. Only the targets are built.
	mkdir -p build-fuzz
	(cd build-fuzz && ../configure --quiet CC=clang --enable-fuzzing &&
		make -j"$(nproc)" --no-print-directory fuzz >/dev/null &&
		make --no-print-directory fuzz-run FUZZ_SECONDS=30)
	echo "setup.sh test: every test passed in the plain and the sanitized build, no fuzz target crashed"
	echo "lensfs: $TOTAL_PASS passed, $TOTAL_FAIL failed"
	;;
bench)
	need_root bench
	install_packages
	build build
	bench/run.sh build
	bench/hostile.sh build
	bench/hook.sh build
	bench/restart.sh build
	bench/relay.sh build
	bench/monitor.sh build
	;;
*)
	sed -n '4,16p' "$0" | sed 's/^# \{0,1\}//'
	exit 2
	;;
esac
