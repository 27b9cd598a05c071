#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Every way of reading a view gets the reader's own text: read(2),
# sendfile(2) (busybox cat, Python's shutil), splice(2), a private map and
# copy_file_range(2), in containers with different limits reading the same
# files in turn and at once; and what stat(2) says of a view file.
# (docs/design.md, "Every way of reading".)
. "$(dirname "$0")/lib.sh"
require_machine
echo "# cgroup v$CGVER, kernel $(uname -r)"

WAYS="$PYTHON $(cd "$(dirname "$0")" && pwd)/readways.py"
WORK=$(mktemp -d -t lensfs-readpaths-XXXXXX)
defer "rm -rf $WORK"
mount_lensfs
M=$MNT/proc/meminfo
C=$MNT/proc/cpuinfo
# Two containers of different sizes; b has two CPUs where there are two,
# so that its cpuinfo is longer than a's.
TWO=0
[ "$(nproc)" -ge 2 ] && TWO=1
B_CPUS=$((TWO + 1))
cg_create "$TAG/a"
cg_memory "$TAG/a" $((100 << 20))
cg_cpuset "$TAG/a" 0
cg_create "$TAG/b"
cg_memory "$TAG/b" $((200 << 20))
cg_cpuset "$TAG/b" "0-$TWO"
A() { in_container "$TAG/a" "$@"; }
B() { in_container "$TAG/b" "$@"; }

# --- each way, in one container -------------------------------------------
out=$(A $WAYS ways "$M")
echo "$out" | sed 's/^/# /'
for way in read sendfile splice mmap; do
	check "$way of proc/meminfo: the container's MemTotal" "$(value "$way" "$out")" 102400
done
# Between two filesystems the kernel either copies by splice or refuses
# (EXDEV, and cp reads instead); never a cut or empty copy.
check_true "copy_file_range: the container's text, or the kernel's EXDEV ($(value copy_file_range "$out"))" \
	grep -qxE '102400|Invalid cross-device link' <<<"$(value copy_file_range "$out")"
out=$(B $WAYS ways "$C")
check "sendfile of proc/cpuinfo: the container's processors" "$(value sendfile "$out")" "$B_CPUS-cpus"
check "a private map of proc/cpuinfo: the container's processors" "$(value mmap "$out")" "$B_CPUS-cpus"

# Every file of the tree the container reads, sendfile beside read(2).
for d in proc sys/devices/system/cpu; do
	out=$(A $WAYS every "$MNT/$d")
	check "sendfile reads what read(2) reads, every file of $d ($(value files "$out"))" "$(value differ "$out")" none
done
check "busybox cat (sendfile) of proc/meminfo" \
	"$(A busybox cat "$M" | sed -n 's/^MemTotal: *\([0-9]*\).*/\1/p')" 102400

# --- stat: the reader's size, changed now ---------------------------------
out=$(A $WAYS stat "$M")
check "stat of proc/meminfo: the size of the container's text" \
	"$(value size "$out" | awk '{ print ($1 == $2) }')" 1
check_true "stat of proc/meminfo: changed within a second or two ($(value age "$out") s ago)" \
	test "$(value age "$out")" -le 2

# --- two containers in turn: the size grows and shrinks with each ---------
# tally WORDS: how many of each ("100 102400=1").
tally() { tr ' ' '\n' <<<"$1" | sed '/^$/d' | sort | uniq -c | xargs; }
# in_turn FILE NAME A_WANTS B_WANTS: a and b each sendfile FILE, one after
# the other, 100 times (each container started once, reading when told).
in_turn() {
	local seen_a= seen_b= v pa pb
	rm -f "$WORK"/turn-{a,b}.{in,out}
	mkfifo "$WORK"/turn-{a,b}.{in,out}
	A $WAYS turns "$1" <"$WORK/turn-a.in" >"$WORK/turn-a.out" &
	pa=$!
	B $WAYS turns "$1" <"$WORK/turn-b.in" >"$WORK/turn-b.out" &
	pb=$!
	exec 3>"$WORK/turn-a.in" 4<"$WORK/turn-a.out" 5>"$WORK/turn-b.in" 6<"$WORK/turn-b.out"
	for _ in $(seq 100); do
		echo >&3 && read -r v <&4 && seen_a="$seen_a $v=1"
		echo >&5 && read -r v <&6 && seen_b="$seen_b $v=1"
	done
	exec 3>&- 4<&- 5>&- 6<&-
	wait "$pa" "$pb"
	check "in turn, 100 times: a's sendfile of $2, its own" "$(tally "$seen_a")" "100 $3=1"
	check "in turn, 100 times: b's sendfile of $2, its own" "$(tally "$seen_b")" "100 $4=1"
}
in_turn "$C" cpuinfo 1-cpus "$B_CPUS-cpus"
in_turn "$M" meminfo 102400 204800

# --- two containers at once: never the other's text -----------------------
# The page cache is the inode's, shared by both: a fill is refused while
# the other container has the file open (the splice fails with EIO; busybox
# and shutil then read(2)), never served to the wrong reader.
A $WAYS loop "$M" 2000 splice >"$WORK/a.out" &
a=$!
B $WAYS loop "$M" 2000 splice >"$WORK/b.out" &
b=$!
wait "$a" "$b"
sa=$(value seen "$(cat "$WORK/a.out")")
sb=$(value seen "$(cat "$WORK/b.out")")
echo "# at once, 2000 splices each: a saw $sa; b saw $sb"
# lacks PATTERN TEXT
lacks() { ! grep -qE "$1" <<<"$2"; }
check_true "at once: a's splices, its own or refused (EIO)" lacks '204800|none' "$sa"
check_true "at once: b's splices, its own or refused (EIO)" lacks '102400|none' "$sb"
check "at once: every splice of a counted" "$(tr ' ' '\n' <<<"$sa" | awk -F= '{ n += $2 } END { print n }')" 2000
B $WAYS loop "$M" 100000 splice >/dev/null &
b=$!
defer "kill $b 2>/dev/null"
bad=0
for _ in $(seq 100); do
	[ "$(A busybox cat "$M" | sed -n 's/^MemTotal: *\([0-9]*\).*/\1/p')" = 102400 ] || bad=$((bad + 1))
done
kill "$b" 2>/dev/null
check "busybox cat while the other container splices, 100 times: its own, all" "$bad" 0

finish
