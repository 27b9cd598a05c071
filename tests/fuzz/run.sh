#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# run.sh SECONDS TARGET...: runs each libFuzzer target on its seed corpus
# (tests/fuzz/corpus/NAME) for SECONDS, prints what each did, and fails if
# any crashed. Run from the build directory (make fuzz-run does). New inputs
# go to fuzz-work/corpus/NAME, never into the source tree; a crashing input
# is left in fuzz-work/crashes/ for tests/unit.
set -uo pipefail

seconds=$1
shift
srcdir=$(cd "$(dirname "$0")" && pwd)
work=${FUZZ_WORK:-fuzz-work}
export LSAN_OPTIONS="suppressions=$srcdir/../lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
failed=0

printf '%-22s %8s %12s %8s %8s %8s\n' target seconds executions cov ft crashes
for target in "$@"; do
	name=$(basename "$target")
	mkdir -p "$work/corpus/$name" "$work/crashes" "$work/logs"
	log=$work/logs/$name.log
	# -rss_limit_mb and -timeout make a leak or a hang a failure too.
	"$target" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$work/crashes/$name-" "$work/corpus/$name" "$srcdir/corpus/$name" \
		>"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
	ft=$(grep -o 'ft: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
	crashes=0
	if [ "$rc" -ne 0 ]; then
		crashes=1
		failed=1
	fi
	printf '%-22s %8s %12s %8s %8s %8s\n' "$name" "$seconds" "${execs:-?}" "${cov:-?}" \
		"${ft:-?}" "$crashes"
	if [ "$rc" -ne 0 ]; then
		echo "$name: exit $rc; the input is in $work/crashes/, the log in $log:" >&2
		grep -m 20 -E 'ERROR|SUMMARY|does not hold|runtime error|Test unit written' "$log" >&2
	fi
done
exit "$failed"
