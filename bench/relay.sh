#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# bench/relay.sh BUILDDIR [--messages N] [--rounds R]
#
# Messages a second from one sender to one sink, through lensfs-relay and
# through rsyslogd's imuxsock listening on a socket (forwarding with
# omuxsock): the two ways to give a container a /dev/log of its own. The
# sender (bench/relay-load send) writes N glibc-style datagrams with blocking
# sends, as syslog(3) does; the sink (bench/relay-load sink) counts what
# arrives on its own datagram socket. Both are C, on the same machine, fresh
# daemons each round, the two variants taking turns. Rate limits are off in
# both (lensfs-relay --rate 0, imuxsock RateLimit.Interval 0), and the relay's
# queue holds every message, so that what is measured is throughput, not a
# limit. Prints each round, then the medians and the median of the ratios.
set -euo pipefail
MESSAGES=200000
ROUNDS=5
. "$(dirname "$0")/lib.sh"
bench_args "bench/relay.sh BUILDDIR [--messages N] [--rounds R]" --messages:MESSAGES --rounds:ROUNDS -- "$@"
[ "$(id -u)" = 0 ] || { echo "bench/relay.sh: run as root"; exit 1; }
RSYSLOGD=$(command -v rsyslogd || echo /usr/sbin/rsyslogd)
[ -x "$RSYSLOGD" ] || { echo "bench/relay.sh: needs rsyslogd (apt-get install rsyslog)"; exit 1; }
make -C "$BUILDDIR" --no-print-directory -s lensfs-relay lensfs-show bench/relay-load
LOAD=$BUILDDIR/bench/relay-load
W=$(mktemp -d /run/lensfs-bench-relay-XXXXXX)
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	rm -rf "$W"
}
trap cleanup EXIT

wait_socket() {
	for _ in $(seq 200); do [ -S "$1" ] && return 0; sleep 0.02; done
	echo "no socket $1"
	exit 1
}
# sink: starts bench/relay-load sink on $W/sink.sock; SINK_PID, output in $W/sink.out.
sink() {
	rm -f "$W/sink.sock"
	"$LOAD" sink "$W/sink.sock" >"$W/sink.out" &
	SINK_PID=$!
	PIDS+=("$SINK_PID")
	wait_socket "$W/sink.sock"
}
# finish START: waits for the sink; prints "DELIVERED MESSAGES/S".
finish() {
	wait "$SINK_PID"
	read -r count last <"$W/sink.out"
	awk -v n="$count" -v s="$1" -v l="$last" 'BEGIN { printf "%d %.0f\n", n, n / ((l - s) / 1e9) }'
}

# One registered container, as lensfs-hook would leave it.
mkdir -p "$W/run/reg" "$W/run/c/bench"
printf '[container]\nid=bench\nname=bench\npid=1\n' >"$W/run/reg/bench"
run_relay() {
	sink
	# The socket of the round before stays behind: wait for the new one.
	rm -f "$W/relay.log" "$W/run/c/bench/log"
	"$BUILDDIR/lensfs-relay" --run-dir "$W/run" --path "$W/sink.sock" --rate 0 \
		--queue $((MESSAGES * 2)) 2>"$W/relay.log" &
	local pid=$! start
	PIDS+=("$pid")
	wait_socket "$W/run/c/bench/log"
	start=$("$LOAD" send "$W/run/c/bench/log" "$MESSAGES")
	finish "$start"
	"$BUILDDIR/lensfs-show" --relay "$W/run" | sed -n 's/.* dropped=\([0-9]*\) .*/relay dropped \1/p' >&2
	kill "$pid"
	wait "$pid" 2>/dev/null || true
}

cat >"$W/rsyslog.conf" <<CONF
global(workDirectory="$W")
module(load="imuxsock" SysSock.Use="off")
module(load="omuxsock")
input(type="imuxsock" Socket="$W/rsyslog-in.sock" RateLimit.Interval="0"
      UseSpecialParser="off" ParseHostname="on")
\$OMUxSockSocket $W/sink.sock
*.* :omuxsock:
CONF
run_rsyslog() {
	sink
	rm -f "$W/rsyslog-in.sock" "$W/rsyslog.pid"
	"$RSYSLOGD" -n -f "$W/rsyslog.conf" -i "$W/rsyslog.pid" 2>"$W/rsyslog.log" &
	local pid=$! start
	PIDS+=("$pid")
	wait_socket "$W/rsyslog-in.sock"
	start=$("$LOAD" send "$W/rsyslog-in.sock" "$MESSAGES")
	finish "$start"
	kill "$pid"
	wait "$pid" 2>/dev/null || true
}

echo "# $MESSAGES messages a round, $ROUNDS rounds; $(nproc) CPUs; $("$RSYSLOGD" -v | head -1)"
printf '%-6s %-14s %-12s %-14s %-12s %s\n' round relay-msgs/s delivered rsyslog-msgs/s delivered ratio
relay_rates=() rsyslog_rates=() ratios=()
for round in $(seq "$ROUNDS"); do
	# Alternate which goes first, so that drift hits both alike.
	if [ $((round % 2)) = 1 ]; then
		read -r rd rr < <(run_relay)
		read -r sd sr < <(run_rsyslog)
	else
		read -r sd sr < <(run_rsyslog)
		read -r rd rr < <(run_relay)
	fi
	ratio=$(awk -v a="$rr" -v b="$sr" 'BEGIN { printf "%.2f", a / b }')
	printf '%-6s %-14s %-12s %-14s %-12s %s\n' "$round" "$rr" "$rd" "$sr" "$sd" "$ratio"
	relay_rates+=("$rr") rsyslog_rates+=("$sr") ratios+=("$ratio")
done
echo "median: lensfs-relay $(median "${relay_rates[@]}") msgs/s, rsyslog imuxsock $(median "${rsyslog_rates[@]}") msgs/s, ratio relay/rsyslog $(median "${ratios[@]}")"
