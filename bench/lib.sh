# SPDX-License-Identifier: LGPL-2.1-or-later
# Shared by the benchmarks: their arguments, and the figures they report.

# bench_args USAGE SPEC... -- ARGS...: BUILDDIR (absolute, and exported as
# LENSFS_BUILDDIR) from the first of ARGS, then each option of ARGS by its
# SPEC: "--name:VAR" takes a value into VAR, "--name:VAR=VALUE" is a flag
# that sets VAR to VALUE. Anything else: the usage, exit status 2.
bench_args() {
	local usage=$1 spec opt var found
	shift
	local -a specs=()
	while [ "$1" != -- ]; do
		specs+=("$1")
		shift
	done
	shift
	if [ $# -lt 1 ] || ! BUILDDIR=$(cd "$1" 2>/dev/null && pwd); then
		echo "usage: $usage"
		exit 2
	fi
	shift
	while [ $# -gt 0 ]; do
		found=0
		for spec in "${specs[@]}"; do
			opt=${spec%%:*} var=${spec#*:}
			[ "$1" = "$opt" ] || continue
			found=1
			if [[ $var == *=* ]]; then
				printf -v "${var%%=*}" %s "${var#*=}"
			elif [ $# -ge 2 ]; then
				printf -v "$var" %s "$2"
				shift
			else
				found=0
			fi
			break
		done
		if [ "$found" = 0 ]; then
			echo "$1: unknown option, or no value; usage: $usage"
			exit 2
		fi
		shift
	done
	export LENSFS_BUILDDIR=$BUILDDIR
}

# median [VALUES...]: of the arguments, or of the lines read (blank ones
# left out); of an even count, the mean of the middle two.
median() {
	{ if [ $# -gt 0 ]; then printf '%s\n' "$@"; else cat; fi; } | sed '/^$/d' | sort -g |
		awk '{ v[NR] = $1 } END { if (NR) print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# ticks PID...: the CPU time the processes used (utime + stime of
# /proc/PID/stat), in clock ticks.
ticks() {
	local p t=0
	for p in "$@"; do
		t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat")))
	done
	echo "$t"
}

# start_lxcfs: Debian's lxcfs on a mount of its own, stopped at exit (the
# integration tests' lib.sh first, for defer); sets LX and LX_PID.
start_lxcfs() {
	LX=$(mktemp -d /tmp/lensfs-bench-lxcfs-XXXXXX)
	lxcfs "$LX" >/dev/null 2>&1 &
	LX_PID=$!
	defer "kill $LX_PID; sleep 0.3; fusermount3 -u $LX; rmdir $LX"
	for _ in $(seq 100); do [ -e "$LX/proc/meminfo" ] && break; sleep 0.05; done
}
