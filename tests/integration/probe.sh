#!/usr/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs inside the test containers of hook.sh: what the tools people use
# print, one "name: value" line each. Absolute paths: the container's PATH
# is the runtime's, and busybox's applets would shadow procps.
echo "free: $(/usr/bin/free -k | /usr/bin/sed -n 's/^Mem: *\([0-9]*\).*/\1/p')"
echo "processors: $(/usr/bin/grep -c '^processor' /proc/cpuinfo)"
echo "getconf: $(/usr/bin/getconf _NPROCESSORS_ONLN)"
echo "getconf_conf: $(/usr/bin/getconf _NPROCESSORS_CONF)"
echo "lscpu: $(/usr/bin/lscpu | /usr/bin/sed -n 's/^CPU(s): *//p')"
echo "cpudirs: $(/usr/bin/ls /sys/devices/system/cpu | /usr/bin/grep '^cpu[0-9]' | /usr/bin/tr '\n' ' ' | /usr/bin/sed 's/ $//')"
echo "python: $(/usr/bin/python3 -c 'import os; print(os.cpu_count())')"
echo "uptime: $(/usr/bin/cat /proc/uptime)"
echo "top: $(/usr/bin/top -bn1 | /usr/bin/grep 'Mem :' | /usr/bin/head -1)"
echo "mounts: $(/usr/bin/grep -cE ' - fuse\.lensfs(-views)? ' /proc/self/mountinfo)"
# Those from a view of the container's own (lensfs --views).
echo "viewmounts: $(/usr/bin/grep -c ' - fuse\.lensfs-views ' /proc/self/mountinfo)"
# Every way of reading /proc/meminfo: MemTotal in kB each way saw.
echo "ways: $(/usr/bin/python3 -S - <<'PY'
import mmap, os, re, shutil
P = "/proc/meminfo"
def total(b):
    m = re.search(rb"^MemTotal: *(\d+) kB$", b, re.M)
    return m.group(1).decode() if m and b.endswith(b"\n") else "none"
def sendfile():
    # Somewhere writable: runc's root is read-only, its /dev/shm is not.
    copy = ("/dev/shm" if os.access("/dev/shm", os.W_OK) else "/tmp") + "/meminfo.copy"
    shutil.copyfile(P, copy)
    with open(copy, "rb") as f:
        return f.read()
def splice():
    r, w = os.pipe()
    fd = os.open(P, os.O_RDONLY)
    n = os.splice(fd, w, 1 << 16)
    os.close(fd)
    return os.read(r, n)
def mapped():
    with open(P, "rb") as f:
        with mmap.mmap(f.fileno(), os.fstat(f.fileno()).st_size, mmap.MAP_PRIVATE, mmap.PROT_READ) as m:
            return m[:]
out = []
for name, way in (("shutil", sendfile), ("splice", splice), ("mmap", mapped)):
    try:
        out.append("%s=%s" % (name, total(way())))
    except OSError as e:
        out.append("%s=%s" % (name, os.strerror(e.errno)))
print(" ".join(out))
PY
)"
# busybox cat (sendfile, as Alpine's) beside coreutils cat, for each view
# file under /proc: how many, and those whose busybox text is empty where
# coreutils' is not, or whose lines' first words differ (uptime and loadavg: their number of
# words; the values move between two reads).
differ= n=0
for f in $(/busybox awk '/ - fuse\.lensfs(-views)? / && $5 ~ "^\/proc\/" { print $5 }' /proc/self/mountinfo); do
	[ -f "$f" ] || continue
	n=$((n + 1))
	a=$(/busybox cat "$f") b=$(/usr/bin/cat "$f")
	case "$f" in
	/proc/uptime | /proc/loadavg) key='{ print NF }' ;;
	*) key='{ print $1 }' ;;
	esac
	[ -n "$a" ] || [ -z "$b" ] || { differ="$differ $f" && continue; }
	[ "$(echo "$a" | /busybox awk "$key")" = "$(echo "$b" | /busybox awk "$key")" ] ||
		differ="$differ $f"
done
echo "busybox: $(/busybox cat /proc/meminfo | /usr/bin/sed -n 's/^MemTotal: *\([0-9]*\).*/\1/p') $n files, ${differ:-all the same}"
