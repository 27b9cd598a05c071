#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# lensfs-relay with real runc containers and a real rsyslogd (its own
# configuration and socket, not the machine's): logger, syslog(3) and
# Python's SysLogHandler from two containers arrive under each container's
# name; a container cannot pass for another; a flood in one container does
# not cost another any message and is summed up once; the relay killed and
# restarted while a container logs; a container started while no relay runs;
# journald's native protocol field by field; hostile datagrams.
. "$(dirname "$0")/lib.sh"
require_machine
require_runc
RELAY=$BUILDDIR/lensfs-relay
[ -x "$RELAY" ] || skip "no $RELAY (build first)"
RSYSLOGD=$(command -v rsyslogd || echo /usr/sbin/rsyslogd)
[ -x "$RSYSLOGD" ] || skip "needs rsyslogd (apt-get install rsyslog)"
command -v gcc >/dev/null || skip "needs gcc"
mount_lensfs
WORK=$(mktemp -d -t lensfs-test-relay-XXXXXX)
defer "rm -rf $WORK"
# Socket addresses hold 108 bytes: a short run directory of its own.
RUN=$(mktemp -d /run/lensfs-test-relay-XXXXXX)
defer "rm -rf $RUN"
ROOTFS=$WORK/rootfs
make_rootfs "$ROOTFS"
cp "$SRCDIR/tests/integration/relay-send.py" "$ROOTFS/send.py"
gcc -static -O2 -o "$ROOTFS/syslog-c" "$SRCDIR/tests/integration/relay-syslog.c" ||
	skip "no static glibc (libc6-dev) for the syslog(3) program"
RUNC="runc --root $WORK/runc-state"
LIMITS='{}'
ID=lensfs-test-relay-$$
A=$ID-a
B=$ID-b
NAME_A=alpha-$$ # by annotation; B has none: its name is its id
SEND=/usr/bin/python3

# --- rsyslogd: imuxsock on a socket of its own, every message to a file --
SINK=$WORK/sink.sock
OUT=$WORK/rsyslog.out
mkdir -p "$WORK/rsyslog"
cat >"$WORK/rsyslog.conf" <<CONF
global(workDirectory="$WORK/rsyslog" maxMessageSize="64k")
module(load="imuxsock" SysSock.Use="off")
input(type="imuxsock" Socket="$SINK" UseSpecialParser="off" ParseHostname="on"
      RateLimit.Interval="0")
template(name="fields" type="string"
         string="%hostname%|%syslogfacility-text%|%syslogseverity-text%|%app-name%|%procid%|%structured-data%|%msg%\n")
*.* action(type="omfile" file="$OUT" template="fields")
CONF
"$RSYSLOGD" -n -f "$WORK/rsyslog.conf" -i "$WORK/rsyslog.pid" 2>"$WORK/rsyslog.err" &
RSYSLOG_PID=$!
defer "kill $RSYSLOG_PID"
for _ in $(seq 100); do [ -S "$SINK" ] && break; sleep 0.05; done
[ -S "$SINK" ] || { cat "$WORK/rsyslog.err"; echo "rsyslogd did not start"; exit 1; }

# start_relay [OPTIONS...]: the relay on $RUN to rsyslogd; RELAY_PID.
RELAY_OPTS=(--run-dir "$RUN" --path "$SINK" --rate 50 --burst 200 --summary-ms 1000
	--max-message 2048 --max-rate 1000 --max-burst 500)
RELAYS=()
start_relay() {
	"$RELAY" "${RELAY_OPTS[@]}" "$@" 2>>"$WORK/relay.err" &
	RELAY_PID=$!
	RELAYS+=("$RELAY_PID")
	defer "kill $RELAY_PID"
	for _ in $(seq 100); do [ -S "$RUN/control" ] && "$LENSFS_SHOW" --relay "$RUN" >/dev/null 2>&1 && return 0; sleep 0.05; done
	cat "$WORK/relay.err"
	echo "lensfs-relay did not start"
	exit 1
}
stats() { "$LENSFS_SHOW" --relay "$RUN"; }
# counter ID KEY: one counter of a container, from lensfs-show --relay.
counter() { stats | awk -v id="id=$1" -v k="$2=" '$2 == id { for (i = 3; i <= NF; i++) if (index($i, k) == 1) print substr($i, length(k) + 1) }'; }
# lines HOST: what rsyslogd wrote for hostname HOST.
lines() { grep "^$1|" "$OUT"; }
# wait_lines PATTERN N: until the sink has N lines matching (10 s at most).
wait_lines() {
	for _ in $(seq 200); do [ "$(grep -c -- "$1" "$OUT" 2>/dev/null)" -ge "$2" ] && return 0; sleep 0.05; done
	return 1
}

# relay_bundle NAME ARGS-JSON [ANNOTATIONS-JSON] [RUN] [JQ FILTER]: a runc
# bundle that runs ARGS with lensfs-hook at createRuntime (views and relay)
# and poststop.
relay_bundle() {
	local hooks ann=${3:-}
	[ -n "$ann" ] || ann='{}'
	hooks=$(jq -n --arg p "$HOOK" --arg m "$MNT" --arg r "${4:-$RUN}" '{
		createRuntime: [{path: $p, args: ["lensfs-hook", "--mountpoint", $m, "--relay", $r, "createRuntime"]}],
		poststop: [{path: $p, args: ["lensfs-hook", "--relay", $r, "poststop"]}]}')
	bundle "$1" "$hooks" ".process.args = $2 | .annotations = $ann${5:+ | $5}"
}
# run_ctr NAME ID: runs the bundle in the foreground; output in $WORK/NAME.out.
run_ctr() { (cd "$WORK/$1" && timeout 120 $RUNC run "$2" >"$WORK/$1.out" 2>"$WORK/$1.err"); }

# Bad settings: a clear message, exit status 2, nothing started.
bad_setting() { # NAME EXPECTED-MESSAGE ARGS...
	local name=$1 want=$2 out rc
	shift 2
	out=$("$RELAY" --run-dir "$WORK/never" "$@" 2>&1)
	rc=$?
	check "$name: exit status 2" "$rc" 2
	check "$name: says why" "$out" "$want"
}
bad_setting "--to kafka" "lensfs-relay: to=kafka: not syslog, journal, tcp or udp" --to kafka
bad_setting "--rate x" "lensfs-relay: rate=x: not a number from 0 to 2147483647" --rate x
bad_setting "tcp without an address" "lensfs-relay: to=tcp needs an address (host:port)" --to tcp
printf '[relay]\nrate=5\nnope=1\n' >"$WORK/bad.conf"
bad_setting "an unknown key in the file" "lensfs-relay: $WORK/bad.conf: unknown key 'nope'" --config "$WORK/bad.conf"
bad_setting "a missing file" "lensfs-relay: $WORK/none.conf: No such file or directory" --config "$WORK/none.conf"
check "bad settings: no run directory made" "$(ls -d "$WORK/never" 2>/dev/null | wc -l)" 0

start_relay
check "the relay keeps no capability" "$(awk '/^Cap(Eff|Prm|Bnd)/ { print $2 }' /proc/$RELAY_PID/status | sort -u)" 0000000000000000
check "the relay sets no_new_privs" "$(awk '/^NoNewPrivs/ { print $2 }' /proc/$RELAY_PID/status)" 1

# --- one relay a run directory --------------------------------------------
out=$(timeout 10 "$RELAY" "${RELAY_OPTS[@]}" 2>&1)
check "a second relay on the same run directory: exit status 1" "$?" 1
check "a second relay: says why" "$out" "lensfs-relay: error: another lensfs-relay runs on $RUN ($RUN/lock is locked)"
check_true "a second relay: the first still answers" "$LENSFS_SHOW" --relay "$RUN"

# --- /dev/log that cannot be made: the mount is undone ---------------------
# The hook run by hand against a process in a mount namespace of its own,
# with a rootfs whose /dev takes no new entry (immutable): the directory
# mounts, the link fails with EPERM.
UB=$WORK/undo
mkdir -p "$UB/rootfs/dev/lensfs-relay"
echo '{"root": {"path": "rootfs"}}' >"$UB/config.json"
if chattr +i "$UB/rootfs/dev" 2>/dev/null; then
	defer "chattr -i $UB/rootfs/dev"
	unshare -m --propagation private sleep 60 &
	NSPID=$!
	defer "kill $NSPID"
	for _ in $(seq 100); do [ "$(readlink /proc/$NSPID/ns/mnt)" != "$(readlink /proc/self/ns/mnt)" ] && break; sleep 0.02; done
	ustate=$(jq -nc --arg id "$ID-undo" --argjson pid "$NSPID" --arg b "$UB" \
		'{ociVersion: "1.0.2", id: $id, status: "creating", pid: $pid, bundle: $b}')
	"$HOOK" --mountpoint "$WORK/no-lensfs" --relay "$RUN" createRuntime <<<"$ustate" 2>"$WORK/undo.err"
	check "/dev/log cannot be made: the hook lets the container start" "$?" 0
	check_true "/dev/log cannot be made: the hook says why ($(tail -1 "$WORK/undo.err"))" \
		grep -q "no /dev/log from lensfs-relay: $UB/rootfs/dev: Operation not permitted" "$WORK/undo.err"
	check "/dev/log cannot be made: nothing stays mounted in the container" \
		"$(nsenter -t "$NSPID" -m awk -v m="$UB/rootfs/dev/lensfs-relay" '$5 == m' /proc/self/mountinfo)" ""
	"$HOOK" --relay "$RUN" poststop <<<"$ustate"
	kill "$NSPID"
	chattr -i "$UB/rootfs/dev"
else
	echo "# $UB: no chattr +i here, the undo is not tested"
fi

# --- out of descriptors: the relay waits to accept, it does not spin -------
RUNF=$(mktemp -d /run/lensfs-test-relay-f-XXXXXX)
defer "rm -rf $RUNF"
(ulimit -n 12 && exec "$RELAY" --run-dir "$RUNF" --path "$SINK" 2>>"$WORK/relay-fd.err") &
FDRELAY=$!
RELAYS+=("$FDRELAY")
defer "kill $FDRELAY"
for _ in $(seq 100); do [ -S "$RUNF/control" ] && break; sleep 0.05; done
# Control connections that say nothing hold a descriptor each for 5 s.
$PYTHON -c 'import socket, sys, time
s = [socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) for _ in range(20)]
for c in s: c.connect(sys.argv[1])
time.sleep(2.5)' "$RUNF/control" &
HOLD=$!
sleep 0.5
cpu0=$(awk '{ print $14 + $15 }' /proc/$FDRELAY/stat)
sleep 1.5
cpu1=$(awk '{ print $14 + $15 }' /proc/$FDRELAY/stat)
wait "$HOLD"
check_true "out of descriptors: accepting pauses ($((cpu1 - cpu0)) ticks of CPU in 1.5 s)" test $((cpu1 - cpu0)) -lt 30
check_true "out of descriptors: the relay said so" grep -q 'control: accepting: Too many open files; again in 100 ms' "$WORK/relay-fd.err"
for _ in $(seq 140); do "$LENSFS_SHOW" --relay "$RUNF" >/dev/null 2>&1 && break; sleep 0.05; done
check_true "out of descriptors: it answers again once they are closed" "$LENSFS_SHOW" --relay "$RUNF"

# --- two containers, three senders each, and forgeries ---------------------
# What relay-send.py hostile's bytes(range(256)) * 8 becomes.
ALLBYTES=$($PYTHON -c 'import sys
one = "".join("#011" if b == 9 else "\\\\" if b == 0x5c else chr(b) if 0x20 <= b < 0x7f else "\\x%02x" % b for b in range(256))
sys.stdout.write(one * 8)')
script() { # NAME OTHER: what each container runs
	printf '%s' "/usr/bin/logger -t lg-$1 -p local3.err 'logger from $1' &&
		/syslog-c $1 && $SEND /send.py python $1 && $SEND /send.py forge $1 $2 &&
		$SEND /send.py hostile $1 && $SEND /send.py escapes $1 &&
		$SEND /send.py priorities $1 && ls -l /dev/log && echo done"
}
relay_bundle a "$(jq -nc --arg s "$(script "$NAME_A" "$B")" '["/usr/bin/sh", "-c", $s]')" \
	"{\"org.lensfs.relay.name\": \"$NAME_A\"}"
relay_bundle b "$(jq -nc --arg s "$(script "$B" "$NAME_A")" '["/usr/bin/sh", "-c", $s]')"
run_ctr a "$A"
check "container A ran" "$?" 0
run_ctr b "$B"
check "container B ran" "$?" 0
check_true "/dev/log in the container links into the relay's directory ($(head -1 "$WORK/a.out"))" \
	grep -q '/dev/log -> lensfs-relay/log' "$WORK/a.out"
wait_lines 'forged5424' 2
wait_lines '|bin|' 2
wait_lines '\\x00\\x01\\x02' 2
wait_lines '|esc|' 2
wait_lines '|pri26|' 2
for pair in "$NAME_A:$B" "$B:$NAME_A"; do
	n=${pair%%:*}
	other=${pair#*:}
	L=$(lines "$n")
	check "$n: logger arrives as local3.err" \
		"$(grep '|lg-' <<<"$L" | cut -d'|' -f2,3,4,7)" "local3|err|lg-$n|logger from $n"
	check "$n: syslog(3) arrives as local4.warning" \
		"$(grep '|sc-' <<<"$L" | cut -d'|' -f2,3,4,7)" "local4|warning|sc-$n|syslog(3) from $n"
	check "$n: Python's SysLogHandler arrives as local5.err" \
		"$(grep '|py-' <<<"$L" | cut -d'|' -f2,3,4,7)" "local5|err|py-$n|python from $n"
	check "$n: nothing of it arrives under another name" \
		"$(grep -c -e "from $n\$" -e "by $n\$" "$OUT")" "$(grep -c -e "from $n\$" -e "by $n\$" <<<"$L")"
	# The forgeries: another container's name as hostname, PID 99999, our SD.
	f3=$(grep 'forged3164' <<<"$L")
	check "$n: a forged RFC 3164 hostname is replaced" "$(cut -d'|' -f1,4,7 <<<"$f3")" "$n|fake|forged3164 by $n"
	check_true "$n: the forged PID is not the PID ($(cut -d'|' -f5 <<<"$f3"))" \
		test "$(cut -d'|' -f5 <<<"$f3")" -gt 0 -a "$(cut -d'|' -f5 <<<"$f3")" != 99999
	check_true "$n: the forged PID is kept as claimed-pid" grep -q 'claimed-pid="99999"' <<<"$f3"
	f5=$(grep 'forged5424' <<<"$L")
	check "$n: a forged RFC 5424 hostname is replaced" "$(cut -d'|' -f1,7 <<<"$f5")" "$n|forged5424 by $n"
	check "$n: forged structured data is gone, the relay's names the container" \
		"$(cut -d'|' -f6 <<<"$f5" | grep -o 'lensfs@32473 id="[^"]*" name="[^"]*"')" \
		"lensfs@32473 id=\"$([ "$n" = "$B" ] && echo "$B" || echo "$A")\" name=\"$n\""
	check "$n: the forged structured data appears once" "$(cut -d'|' -f6 <<<"$f5" | grep -o 'lensfs@32473' | wc -l)" 1
	# Hostile datagrams: cut, escaped, and the relay lives.
	h=$(grep '|huge|' <<<"$L" | cut -d'|' -f7)
	check_true "$n: a 100 kB message is cut and marked (${#h} bytes)" \
		grep -q "^$n x*x \[truncated from $((100011 + ${#n})) bytes\]\$" <<<"$h"
	check "$n: control characters, NULs and invalid UTF-8 are escaped" \
		"$(grep '|bin|' <<<"$L" | cut -d'|' -f7)" "$n a\\x00b\\x01c\\xff\\xfe\\xc3(\\x1b[2J\\x7fend"
	# Facilities other than user and local0-7 are the host's services'.
	check "$n: daemon.crit (<26>) arrives as user.crit" \
		"$(grep '|pri26|' <<<"$L" | cut -d'|' -f2,3,4,7)" "user|crit|pri26|daemon.crit from $n"
	# Nothing more severe than the floor (crit): emerg goes to every
	# terminal on Debian.
	check "$n: kern.emerg (<0>) arrives at the severity floor, as user.crit" \
		"$(grep '|pri0|' <<<"$L" | cut -d'|' -f2,3,4,7)" "user|crit|pri0|emerg from $n"
	# Backslashes and ']': structured data written again (values read,
	# escaped as the text is, then for SD); the text's backslash doubled, so
	# that \x1b upstream is always an escaped byte.
	check "$n: ']' and '\\' in structured data values and '\\' in the text arrive escaped" \
		"$(grep '|esc|' <<<"$L" | cut -d'|' -f6- | sed 's/^\[lensfs@32473 [^]]*\]//')" \
		'[x@1 a="b\]c" d="e\\\\f" g="h\"i\]"]|back\\slash \\x1b by '"$n"
	# An empty datagram: bare text, no tag, nothing to say.
	check "$n: an empty datagram arrives empty, untagged, as user.notice" \
		"$(grep -c '|user|notice|-|[0-9]*|\[lensfs@32473 [^|]*\]|$' <<<"$L")" 1
	# Every byte value, 8 times (2048 bytes, max-message): no PRI, no tag;
	# controls, DEL and every byte from 0x80 (no valid UTF-8 in ascending
	# bytes) escaped; rsyslogd writes TAB as #011.
	ab=$(grep -F '|\x00\x01\x02' <<<"$L")
	check "$n: 2 KB of every byte value arrives whole, escaped, untagged" \
		"$(cut -d'|' -f1-4 <<<"$ab")|$(cut -d'|' -f7- <<<"$ab")" "$n|user|notice|-|$ALLBYTES"
done
check_true "the relay survived the hostile datagrams" kill -0 "$RELAY_PID"
check "B's name is its id (no annotation)" "$(lines "$B" | grep -c '|lg-')" 1

# --- poststop: the registration and the socket go ------------------------
check "poststop: no registration left" "$(ls "$RUN/reg" | grep -c "$ID")" 0
check "poststop: no socket directory left" "$(ls "$RUN/c" | grep -c "$ID")" 0
check "poststop: the relay forgot them" "$(stats | grep -c "$ID")" 0

# --- names: one live container a name, never the host's ------------------
# Two live containers asking for one name: the second gets NAME-2, and each
# its /dev/log. The first waits (/go/twins) until the second has run.
TWIN=twin-$$
mkdir -p "$WORK/go" "$ROOTFS/go"
GO_MOUNT=".mounts += [{\"destination\": \"/go\", \"type\": \"bind\", \"source\": \"$WORK/go\", \"options\": [\"rbind\", \"ro\"]}]"
relay_bundle t1 "$(jq -nc --arg s "$SEND /send.py say '<14>twin: first twin' || exit 1
	while [ ! -e /go/twins ]; do /usr/bin/sleep 0.01; done" '["/usr/bin/sh", "-c", $s]')" \
	"{\"org.lensfs.relay.name\": \"$TWIN\"}" "" "$GO_MOUNT"
relay_bundle t2 "[\"$SEND\", \"/send.py\", \"say\", \"<14>twin: second twin\"]" "{\"org.lensfs.relay.name\": \"$TWIN\"}"
run_ctr t1 "$ID-t1" &
T1=$!
wait_lines "^$TWIN|.*|first twin\$" 1
run_ctr t2 "$ID-t2"
t2=$?
touch "$WORK/go/twins"
wait "$T1"
t1=$?
wait_lines "|second twin\$" 1
check "two live containers with one name: both ran, each under a name of its own upstream" \
	"$t1 $t2 $(lines "$TWIN" | cut -d'|' -f4,7) / $(lines "$TWIN-2" | cut -d'|' -f4,7)" \
	"0 0 twin|first twin / twin|second twin"

# A container named as the host: the relay refuses it, and so its start
# fails, saying why.
HOST=$(hostname)
relay_bundle host '["/usr/bin/true"]' "{\"org.lensfs.relay.name\": \"$HOST\"}"
run_ctr host "$ID-host"
rc=$?
check_true "a container named as the host ($HOST): its start fails (runc: $rc), the hook says why ($(grep -o 'lensfs-hook: [^"]*' "$WORK/host.err" | head -1))" \
	test "$rc" -ne 0 -a "$(grep -cF "lensfs-hook: container $ID-host: lensfs-relay in $RUN: the name '$HOST' is the host's; nothing mounted" "$WORK/host.err")" -ge 1
# The hook alone (no runc, whose poststop would clean up after it): exit
# status 1, and no registration or directory left.
mkdir -p "$WORK/hostx"
echo '{"root": {"path": "rootfs"}}' >"$WORK/hostx/config.json"
hstate=$(jq -nc --arg id "$ID-hostx" --argjson pid $$ --arg b "$WORK/hostx" --arg n "$HOST" \
	'{ociVersion: "1.0.2", id: $id, status: "creating", pid: $pid, bundle: $b, annotations: {"org.lensfs.relay.name": $n}}')
"$HOOK" --mountpoint "$WORK/no-lensfs" --relay "$RUN" createRuntime <<<"$hstate" 2>"$WORK/hostx.err"
rc=$?
check "a container named as the host: the hook exits 1 and leaves no registration or directory" \
	"$rc $(ls "$RUN/reg" "$RUN/c" | grep -c -- "$ID-hostx")" "1 0"
"$HOOK" --relay "$RUN" poststop <<<"$hstate"

# After a restart, registrations are read in the order they were written
# (mtime, then id), not in the directory's (on tmpfs, an order of its own):
# the first registered keeps the plain name. Each pair is made so that the
# directory lists the one registered later first.
RUNN=$(mktemp -d /run/lensfs-test-relay-n-XXXXXX)
defer "rm -rf $RUNN"
mkdir -p "$RUNN/reg"
nreg() { # ID NAME
	mkdir -p "$RUNN/c/$1"
	printf '[container]\nid=%s\nname=%s\npid=1\n' "$1" "$2" >"$RUNN/reg/$1"
}
listed_first() { ls -f "$RUNN/reg" | grep -x -m1 -e "$1" -e "$2"; }
# By mtime: the one listed second is made older.
nreg "m-a-$$" "mt-$$"
nreg "m-b-$$" "mt-$$"
mfirst=$(listed_first "m-a-$$" "m-b-$$")
mold=$([ "$mfirst" = "m-a-$$" ] && echo "m-b-$$" || echo "m-a-$$")
touch -d '2020-01-01 00:00:00' "$RUNN/reg/$mold"
# As old as each other: the smaller id first; a pair the directory lists
# the other way round.
for k in $(seq 16); do
	nreg "t$k-a-$$" "tie-$$"
	nreg "t$k-b-$$" "tie-$$"
	touch -d '2020-01-01 00:00:00' "$RUNN/reg/t$k-a-$$" "$RUNN/reg/t$k-b-$$"
	[ "$(listed_first "t$k-a-$$" "t$k-b-$$")" = "t$k-b-$$" ] && break
	rm -r "$RUNN/reg/t$k-a-$$" "$RUNN/reg/t$k-b-$$" "$RUNN/c/t$k-a-$$" "$RUNN/c/t$k-b-$$"
done
"$RELAY" --run-dir "$RUNN" --path "$SINK" 2>>"$WORK/relay.err" &
NRELAY=$!
RELAYS+=("$NRELAY")
defer "kill $NRELAY"
for _ in $(seq 100); do "$LENSFS_SHOW" --relay "$RUNN" >/dev/null 2>&1 && break; sleep 0.05; done
check "restored registrations: the first registered keeps the name, the next gets NAME-2 (directory order: $(ls -f "$RUNN/reg" | grep -v '^\.' | tr '\n' ' '))" \
	"$("$LENSFS_SHOW" --relay "$RUNN" | awk '$1 == "container" { print $2, $3 }' | LC_ALL=C sort | tr '\n' ';')" \
	"$(printf 'id=%s name=mt-%s\nid=%s name=mt-%s-2\nid=t%s-a-%s name=tie-%s\nid=t%s-b-%s name=tie-%s-2\n' \
		"$mold" $$ "$mfirst" $$ "$k" $$ $$ "$k" $$ $$ | LC_ALL=C sort | tr '\n' ';')"

# --- a flood in A, 100 messages from B at the same time --------------------
FLOOD=100000
relay_bundle fa "[\"$SEND\", \"/send.py\", \"flood\", \"$FLOOD\"]" "{\"org.lensfs.relay.name\": \"flood-$$\"}"
# B waits, started, for the flood to be under way (/go/start), then sends.
relay_bundle fb "$(jq -nc --arg s 'while [ ! -e /go/start ]; do /usr/bin/sleep 0.01; done
	echo "start $(/usr/bin/date +%s.%N)"; i=0
	while [ $i -lt 100 ]; do i=$((i + 1)); /usr/bin/logger -t bmsg "b $i" || exit 1; done; echo sent' \
	'["/usr/bin/sh", "-c", $s]')" "{\"org.lensfs.relay.name\": \"quiet-$$\"}" "" "$GO_MOUNT"
start=$(date +%s%N)
run_ctr fb "$ID-fb" &
FB=$!
run_ctr fa "$ID-fa" &
FA=$!
for _ in $(seq 1000); do [ "$(counter "$ID-fa" received)" -gt 1000 ] 2>/dev/null && break; sleep 0.01; done
touch "$WORK/go/start"
wait "$FB"
check "B's container ran" "$?" 0
wait "$FA"
check "A's container ran" "$?" 0
took=$((($(date +%s%N) - start) / 1000000))
check_true "B began while A flooded (B $(sed -n 's/^start //p' "$WORK/fb.out"), A done $(sed -n 's/^end //p' "$WORK/fa.out"))" \
	awk -v b="$(sed -n 's/^start //p' "$WORK/fb.out")" -v a="$(sed -n 's/^end //p' "$WORK/fa.out")" 'BEGIN { exit !(b != "" && b < a) }'

check "A sent every message" "$(grep '^sent' "$WORK/fa.out")" "sent $FLOOD"
block=$(sed -n 's/^max_block_ms //p' "$WORK/fa.out")
check_true "no send blocked A for 1 s (longest: $block ms; flood and B took $took ms)" test "$block" -lt 1000
check_true "B's 100 logger calls all returned within the flood" grep -q '^sent$' "$WORK/fb.out"
wait_lines "^quiet-$$|.*|b 100\$" 1
check "all 100 of B's messages arrive" "$(lines "quiet-$$" | grep '|bmsg|' | cut -d'|' -f7 | sort -u | wc -l)" 100
wait_lines "^flood-$$|syslog|warning|lensfs-relay|" 1
sleep 1.5 # the window closes once 1 s passes without a drop
summaries=$(lines "flood-$$" | grep '|lensfs-relay|')
check "one summary for A's flood" "$(grep -c . <<<"$summaries")" 1
arrived=$(lines "flood-$$" | grep -c '|flood|')
dropped=$(sed -n 's/.*: \([0-9]*\) messages dropped.*/\1/p' <<<"$summaries")
check_true "A's excess was dropped ($arrived arrived)" test "$arrived" -ge 200 -a "$arrived" -lt $((FLOOD / 10))
check "A's arrivals and the summary's count add up to what A sent" "$((arrived + dropped))" "$FLOOD"
check_true "the summary says from whom ($summaries)" grep -q "container flood-$$ ($ID-fa): $dropped messages dropped" <<<"$summaries"

# --- the relay killed and restarted while a container logs --------------
relay_bundle seq "[\"$SEND\", \"/send.py\", \"seq\", \"300\", \"10\"]" \
	"{\"org.lensfs.relay.name\": \"seq-$$\", \"org.lensfs.relay.rate\": \"1000\", \"org.lensfs.relay.burst\": \"500\"}"
run_ctr seq "$ID-seq" &
SEQ=$!
wait_lines "^seq-$$|.*|seq 20\$" 1
check "the rate and burst annotations apply" "$(counter "$ID-seq" rate) $(counter "$ID-seq" burst)" "1000 500"
kill -9 "$RELAY_PID"
wait "$RELAY_PID" 2>/dev/null # (no "Killed" in the log)
sleep 0.5
start_relay
wait "$SEQ"
check "the logging container ran through the restart" "$?" 0
wait_lines "^seq-$$|.*|seq 299\$" 1
got=$(lines "seq-$$" | grep '|seq|' | sed 's/.*|seq //' | sort -n)
check "logging resumed after the restart (the last message arrived)" "$(tail -1 <<<"$got")" 299
missing=$(comm -23 <(seq 0 299 | sort) <(sort <<<"$got") | sort -n)
nmiss=$(grep -c . <<<"$missing")
check_true "the messages lost are those of the gap, one run of them ($nmiss: $(head -1 <<<"$missing")..$(tail -1 <<<"$missing"))" \
	test "$nmiss" -le 100 -a "$([ -z "$missing" ] && echo 0 || echo $(($(tail -1 <<<"$missing") - $(head -1 <<<"$missing") + 1)))" = "$nmiss"
check "no message arrives twice" "$(grep -c . <<<"$got")" "$(sort -u <<<"$got" | grep -c .)"

# --- a container started while no relay runs -------------------------------
kill "$RELAY_PID"
sleep 0.2
relay_bundle late "[\"$SEND\", \"/send.py\", \"wait-send\", \"late-$$\", \"10\"]" "{\"org.lensfs.relay.name\": \"late-$$\"}"
run_ctr late "$ID-late" &
LATE=$!
sleep 1
check "no relay: the container's registration is waiting" "$(ls "$RUN/reg")" "$ID-late"
start_relay
wait "$LATE"
check "no relay at its start: the container ran" "$?" 0
wait_lines "^late-$$|" 1
check "no relay at its start: its message arrives once the relay runs" \
	"$(lines "late-$$" | cut -d'|' -f4,7)" "late|relay came back for late-$$"

# --- a relay that hangs holds a start up for the hook's 2 s timeout only --
kill -STOP "$RELAY_PID"
relay_bundle hang '["/usr/bin/true"]' "{\"org.lensfs.relay.name\": \"hang-$$\"}"
t0=$(date +%s%N)
run_ctr hang "$ID-hang"
rc=$?
t=$((($(date +%s%N) - t0) / 1000000))
kill -CONT "$RELAY_PID"
check "a hung relay: the container starts" "$rc" 0
# 2 s at create, 2 s more at poststop (runc run waits for both).
check_true "a hung relay: the hook waited for its timeout, no longer ($t ms)" test "$t" -ge 2000 -a "$t" -lt 8000
check "a hung relay: poststop cleaned up without it" "$(ls "$RUN/reg" "$RUN/c" | grep -c "$ID-hang")" 0
check_true "a hung relay: it serves again after SIGCONT" "$LENSFS_SHOW" --relay "$RUN"

# --- journald's native protocol ---------------------------------------------
RUNJ=$(mktemp -d /run/lensfs-test-relay-j-XXXXXX)
defer "rm -rf $RUNJ"
$PYTHON "$SRCDIR/tests/integration/journal-receiver.py" "$WORK/journal.sock" "$WORK/journal.out" &
JRECV=$!
defer "kill -CONT $JRECV; kill $JRECV"
for _ in $(seq 100); do [ -S "$WORK/journal.sock" ] && break; sleep 0.05; done
"$RELAY" --run-dir "$RUNJ" --to journal --path "$WORK/journal.sock" --max-message 100 \
	--summary-ms 500 --rate 0 --queue-bytes 300000 2>>"$WORK/relay.err" &
JRELAY=$!
RELAYS+=("$JRELAY")
defer "kill $!"
for _ in $(seq 100); do [ -S "$RUNJ/control" ] && break; sleep 0.05; done
# The container's init sends: its pid is in the registration while it runs.
relay_bundle j "$(jq -nc --arg s 'import socket, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.connect("/dev/log")
s.send(b"<27>Nov 29 10:00:00 db myapp[42]: journal test")
s.send(b"<14>" + b"y" * 300)
time.sleep(1.5)' '["/usr/bin/python3", "-S", "-c", $s]')" "{\"org.lensfs.relay.name\": \"jj-$$\"}" "$RUNJ"
run_ctr j "$ID-j" &
J=$!
for _ in $(seq 100); do jpid=$("$LENSFS_SHOW" --relay "$RUNJ" | sed -n "s/.* pid=\([0-9]*\) .*/\1/p"); [ -n "$jpid" ] && break; sleep 0.05; done
wait "$J"
check "journal: the container ran" "$?" 0
for _ in $(seq 100); do [ "$(grep -c . "$WORK/journal.out" 2>/dev/null)" -ge 2 ] && break; sleep 0.05; done
check "journal: every datagram follows the protocol" "$(grep -c BAD "$WORK/journal.out")" 0
# <27> is daemon.err: daemon is the host's facility, user (1) goes out.
check "journal: the fields, exactly" "$(head -1 "$WORK/journal.out")" \
	"$(jq -nc --arg id "$ID-j" --arg pid "$jpid" --arg name "jj-$$" '[["MESSAGE", "journal test"], ["PRIORITY", "3"],
		["SYSLOG_FACILITY", "1"], ["SYSLOG_IDENTIFIER", "myapp"], ["SYSLOG_PID", "42"],
		["CONTAINER_ID", $id[0:12]], ["CONTAINER_ID_FULL", $id], ["CONTAINER_NAME", $name],
		["LENSFS_SENDER_PID", $pid], ["LENSFS_SENDER_UID", "0"]]')"
check "journal: a truncated message says so" \
	"$(jq -rc 'map(select(.[0] == "MESSAGE" or .[0] == "LENSFS_TRUNCATED")) | map(.[1]) | join(" ")' <(sed -n 2p "$WORK/journal.out"))" \
	"$(printf 'y%.0s' $(seq 96)) [truncated from 304 bytes] 304"

# --- an upstream that stops reading: the sender goes on, the container's
# share of the queue is full, drops are counted, nothing else is lost -----
S=stall-$$
mkdir -p "$RUNJ/c/$S"
printf '[container]\nid=%s\nname=%s\npid=1\n' "$S" "$S" >"$RUNJ/reg/$S"
kill -HUP "$JRELAY"
for _ in $(seq 100); do [ -S "$RUNJ/c/$S/log" ] && break; sleep 0.05; done
S2=stallbig-$$
mkdir -p "$RUNJ/c/$S2"
printf '[container]\nid=%s\nname=%s\npid=1\n' "$S2" "$S2" >"$RUNJ/reg/$S2"
kill -HUP "$JRELAY"
for _ in $(seq 100); do [ -S "$RUNJ/c/$S2/log" ] && break; sleep 0.05; done
kill -STOP "$JRECV"
t0=$(date +%s%N)
out=$(RELAY_SEND_TO=$RUNJ/c/$S/log $PYTHON "$SRCDIR/tests/integration/relay-send.py" flood 1500)
t=$((($(date +%s%N) - t0) / 1000000))
check_true "stalled upstream: 1500 messages sent in $t ms, none waited 1 s ($(sed -n 's/^max_block_ms //p' <<<"$out") ms)" \
	test "$(sed -n 's/^max_block_ms //p' <<<"$out")" -lt 1000
jstat() { "$LENSFS_SHOW" --relay "$RUNJ" | awk -v id="id=$S" -v k="$1=" '$2 == id { for (i = 3; i <= NF; i++) if (index($i, k) == 1) print substr($i, length(k) + 1) }'; }
for _ in $(seq 100); do [ "$(jstat received)" = 1500 ] && break; sleep 0.02; done
check "stalled upstream: every message received" "$(jstat received)" 1500
check "stalled upstream: the share of the queue is full (--queue 1000)" "$(jstat queued)" 1000
dq=$(jstat dropped-queue)
check_true "stalled upstream: the excess is dropped and counted ($dq)" test "$dq" -gt 0
check "stalled upstream: received = forwarded + dropped + queued" \
	"$(($(jstat forwarded) + $(jstat dropped) + $(jstat queued)))" 1500
check "stalled upstream: small messages hit the count, not the bytes" "$(jstat dropped-memory)" 0
# Messages of 100 bytes that escape to 400: the share of bytes (--queue-bytes
# 300000) fills before the share of messages.
RELAY_SEND_TO=$RUNJ/c/$S2/log $PYTHON -c 'import socket, os
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.connect(os.environ["RELAY_SEND_TO"])
for i in range(1500): s.send(b"<14>big: " + b"\xff" * 200)'
S_SAVE=$S
S=$S2
for _ in $(seq 100); do [ "$(jstat received)" = 1500 ] && break; sleep 0.02; done
check "byte budget: every message received" "$(jstat received)" 1500
check_true "byte budget: the share holds at most --queue-bytes ($(jstat queued-bytes) bytes, $(jstat queued) messages)" \
	test "$(jstat queued-bytes)" -le 300000 -a "$(jstat queued-bytes)" -gt 299000 -a "$(jstat queued)" -lt 1000
check_true "byte budget: the excess is dropped and counted as such ($(jstat dropped-memory))" \
	test "$(jstat dropped-memory)" -gt 0 -a "$(jstat dropped-queue)" = 0 -a "$(jstat dropped-rate)" = 0
check "byte budget: received = forwarded + dropped + queued" \
	"$(($(jstat forwarded) + $(jstat dropped) + $(jstat queued)))" 1500
S=$S_SAVE
kill -CONT "$JRECV"
for _ in $(seq 100); do [ "$(grep -c "\"CONTAINER_NAME\",\"$S\"" "$WORK/journal.out")" -ge $((1500 - dq + 1)) ] && break; sleep 0.05; done
check "stalled upstream: once it reads again, the queue drains" "$(jstat queued) $(jstat forwarded)" "0 $((1500 - dq))"
check "stalled upstream: what was not dropped arrives, and one summary" \
	"$(grep -c "\"CONTAINER_NAME\",\"$S\"" "$WORK/journal.out")" $((1500 - dq + 1))
check_true "stalled upstream: the summary counts the queue's drops" \
	grep -q "\"MESSAGE\",\"container $S ($S): $dq messages dropped in [0-9.]* s (0 over the rate limit of 0/s burst 1000, $dq because the upstream was slow)\"" "$WORK/journal.out"

# --- a remote collector over TCP, and one over UDP -----------------------
# Registered before the relay starts: the relay restores it from RUN/reg.
RUNT=$(mktemp -d /run/lensfs-test-relay-t-XXXXXX)
defer "rm -rf $RUNT"
mkdir -p "$RUNT/reg" "$RUNT/c/remote-$$"
printf '[container]\nid=remote-%s\nname=far-%s\npid=1\nrate=1000000\nburst=2000000\n' $$ $$ >"$RUNT/reg/remote-$$"
$PYTHON "$SRCDIR/tests/integration/tcp-receiver.py" "$WORK/tcp.port" "$WORK/tcp.out" &
defer "kill $!"
for _ in $(seq 100); do [ -s "$WORK/tcp.port" ] && break; sleep 0.05; done
"$RELAY" --run-dir "$RUNT" --to tcp --address "127.0.0.1:$(cat "$WORK/tcp.port")" 2>>"$WORK/relay.err" &
TCP_RELAY=$!
defer "kill $TCP_RELAY"
for _ in $(seq 100); do [ -S "$RUNT/c/remote-$$/log" ] && break; sleep 0.05; done
tsend() { RELAY_SEND_TO=$RUNT/c/remote-$$/log $PYTHON -c 'import socket, sys, os
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.connect(os.environ["RELAY_SEND_TO"]); s.send(sys.argv[1].encode())' "$1"; }
check "a container's limits are capped at the relay's (rate 200, burst 1000)" \
	"$("$LENSFS_SHOW" --relay "$RUNT" | grep -o 'rate=[0-9]* burst=[0-9]*$')" "rate=200 burst=1000"
tsend "<13>app: first"
for _ in $(seq 100); do grep -q first "$WORK/tcp.out" 2>/dev/null && break; sleep 0.05; done
check_true "tcp: octet-counted RFC 5424 with the container's name ($(head -1 "$WORK/tcp.out"))" \
	grep -q "^1 <13>1 [0-9T:.-]*Z far-$$ app [0-9]* - \[lensfs@32473 id=\"remote-$$\" name=\"far-$$\" pid=\"[0-9]*\" uid=\"0\"\] first\$" "$WORK/tcp.out"
# The collector closed the connection: one message may go into the closed
# socket (TCP cannot tell), then the relay notices, connects again, and
# sends the one it was writing once more.
for i in $(seq 1 20); do tsend "<13>app: after $i"; sleep 0.05; done
for _ in $(seq 100); do grep -q '^2 .*after 20$' "$WORK/tcp.out" 2>/dev/null && break; sleep 0.05; done
check_true "tcp: the relay connects again and goes on" grep -q '^2 .*after 20$' "$WORK/tcp.out"
check_true "tcp: at most one message lost to the closed connection ($(grep -c after "$WORK/tcp.out") of 20)" \
	test "$(grep -c after "$WORK/tcp.out")" -ge 19
check "tcp: every frame well formed" "$(grep -c ' BAD ' "$WORK/tcp.out")" 0
# SIGHUP reads the registrations again: one written by hand gets its socket.
mkdir -p "$RUNT/c/remote2-$$"
printf '[container]\nid=remote2-%s\nname=far2-%s\npid=1\n' $$ $$ >"$RUNT/reg/remote2-$$"
kill -HUP "$TCP_RELAY"
for _ in $(seq 100); do [ -S "$RUNT/c/remote2-$$/log" ] && break; sleep 0.05; done
check_true "SIGHUP: a new registration gets its socket" test -S "$RUNT/c/remote2-$$/log"
check "SIGHUP: the relay goes on" "$("$LENSFS_SHOW" --relay "$RUNT" | grep -c '^container ')" 2
# A name is the hostname upstream: another live container that asks for it
# gets NAME-2, and the reply to add says so.
ctl() { $PYTHON -c 'import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET); s.connect(sys.argv[1])
s.send(sys.argv[2].encode()); print(s.recv(4096).decode().strip())' "$RUNT/control" "$1"; }
mkdir -p "$RUNT/c/twin-$$"
printf '[container]\nid=twin-%s\nname=far-%s\npid=1\n' $$ $$ >"$RUNT/reg/twin-$$"
check "a name already held: the second gets NAME-2, the reply to add says it" "$(ctl "add twin-$$")" "ok name=far-$$-2"
check "a name already held: the second has its socket and is counted under NAME-2" \
	"$(ls "$RUNT/c/twin-$$") $("$LENSFS_SHOW" --relay "$RUNT" | grep -o "id=twin-$$ name=[^ ]*")" "log id=twin-$$ name=far-$$-2"
check "a name already held: the second goes" "$(ctl "drop twin-$$")" "ok"
# UDP: the same registration, another relay.
kill "$TCP_RELAY"
wait "$TCP_RELAY" 2>/dev/null
$PYTHON -c 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0))
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1]))
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
f = open(sys.argv[2], "a")
while True:
    f.write(s.recv(65536).decode() + "\n"); f.flush()' "$WORK/udp.port" "$WORK/udp.out" &
defer "kill $!"
for _ in $(seq 100); do [ -s "$WORK/udp.port" ] && break; sleep 0.05; done
"$RELAY" --run-dir "$RUNT" --to udp --format rfc3164 --address "127.0.0.1:$(cat "$WORK/udp.port")" 2>>"$WORK/relay.err" &
RELAYS+=("$!")
defer "kill $!"
for _ in $(seq 100); do "$LENSFS_SHOW" --relay "$RUNT" >/dev/null 2>&1 && break; sleep 0.05; done
# daemon.info: user.info (14) goes out.
tsend "<30>Nov 29 01:02:03 liar app[7]: over udp"
for _ in $(seq 100); do [ -s "$WORK/udp.out" ] && break; sleep 0.05; done
check_true "udp: RFC 3164 with the container's name ($(head -1 "$WORK/udp.out"))" \
	grep -q "^<14>[A-Z][a-z][a-z] [ 0-9][0-9] [0-9:]* far-$$ app\[[0-9]*\]: over udp\$" "$WORK/udp.out"

# Every relay stops cleanly on SIGTERM (and, in the sanitized build, without
# a leak or an error report; LeakSanitizer's note that it could not suspend a
# thread is no report).
for p in "${RELAYS[@]}"; do
	kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
done
check "no relay reported a sanitizer error or a leak" "$(cat "$WORK/relay.err" "$WORK/relay-fd.err" | grep -c -e 'Sanitizer' -e 'runtime error')" 0
check "no relay failed (every warning is expected)" "$(grep -v -e ': info: ' -e 'connecting again' -e 'was not suspended. False leaks are possible' \
	-e 'control: replying: Broken pipe' "$WORK/relay.err")" ""

finish
