# SPDX-License-Identifier: LGPL-2.1-or-later
# soak-reader.py MEM_KB SECONDS OUT: one reader of bench/soak.sh, inside a
# container limited to MEM_KB. Reads every file lensfs binds into /proc,
# lists the cpu directory and calls sysinfo(2), in a loop for SECONDS, and
# sorts each: failed (an error), or showing anything but the container's
# memory (MemTotal, sysinfo's totalram). Writes one line to OUT at the end.
import ctypes
import os
import sys
import time

mem_kb, seconds, out = sys.argv[1], float(sys.argv[2]), sys.argv[3]
files = ["/proc/meminfo", "/proc/cpuinfo", "/proc/stat", "/proc/loadavg", "/proc/uptime",
         "/proc/swaps", "/proc/diskstats"]
files += ["/proc/pressure/" + f for f in ("cpu", "memory", "io") if os.path.exists("/proc/pressure/" + f)]


class Sysinfo(ctypes.Structure):
    _fields_ = [("uptime", ctypes.c_long), ("loads", ctypes.c_ulong * 3)] + \
        [(n, ctypes.c_ulong) for n in ("totalram", "freeram", "sharedram", "bufferram",
                                       "totalswap", "freeswap")] + \
        [("procs", ctypes.c_ushort), ("pad", ctypes.c_ushort), ("totalhigh", ctypes.c_ulong),
         ("freehigh", ctypes.c_ulong), ("mem_unit", ctypes.c_uint), ("_f", ctypes.c_char * 8)]


libc = ctypes.CDLL(None, use_errno=True)
si = Sysinfo()
reads = failed = wrong = calls = 0
errors = set()
end = time.monotonic() + seconds


def run():
    global reads, failed, wrong, calls
    while time.monotonic() < end:
        one_round()


def one_round():
    global reads, failed, wrong, calls
    for path in files:
        reads += 1
        try:
            with open(path) as f:
                text = f.read()
        except OSError as e:
            failed += 1
            errors.add("%s:%s" % (path, e.errno))
            continue
        if path == "/proc/meminfo" and text.split("\n", 1)[0].split()[1:2] != [mem_kb]:
            wrong += 1
            errors.add("meminfo=" + text.split("\n", 1)[0].replace(" ", "_"))
    reads += 1
    try:
        os.listdir("/sys/devices/system/cpu")
    except OSError as e:
        failed += 1
        errors.add("cpu:%s" % e.errno)
    calls += 1
    if libc.sysinfo(ctypes.byref(si)) != 0:
        failed += 1
        errors.add("sysinfo:%d" % ctypes.get_errno())
    elif si.totalram * si.mem_unit != int(mem_kb) * 1024:
        wrong += 1
        errors.add("sysinfo=%d" % (si.totalram * si.mem_unit))
    time.sleep(0.002)


# A line whatever happens: an exception counts as a failure, with its name.
try:
    run()
except Exception as e:
    failed += 1
    errors.add("exception:" + type(e).__name__)
with open(out, "w") as f:
    f.write("reads=%d failed=%d wrong=%d calls=%d errors=%s\n" %
            (reads, failed, wrong, calls, ",".join(sorted(errors)) or "-"))
