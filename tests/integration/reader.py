# SPDX-License-Identifier: LGPL-2.1-or-later
# Reads meminfo, cpuinfo and uptime in a tight loop for SECONDS inside the
# 256 MiB / cpuset 0 test container, and sorts every read: failed (with its
# errno), empty, or showing anything but the container's values. One
# summary line at the end, for restart.sh.
import os
import sys
import time

MEM_KB = "262144"


def wrong(path, text, uptime_bound):
    if path == "/proc/meminfo":
        return text.split("\n", 1)[0].split()[1:2] != [MEM_KB]
    if path == "/proc/cpuinfo":
        return sum(line.startswith("processor") for line in text.splitlines()) != 1
    up = float(text.split()[0])
    return not 0 <= up <= uptime_bound


def main():
    seconds = float(sys.argv[1])
    files = ["/proc/meminfo", "/proc/cpuinfo", "/proc/uptime"]
    reads = failed = empty = host = 0
    errors = {}
    samples = []
    max_ms = 0.0
    t0 = time.monotonic()
    with open("/proc/uptime") as f:
        u0 = float(f.read().split()[0])
    while time.monotonic() - t0 < seconds:
        for path in files:
            start = time.monotonic()
            reads += 1
            try:
                with open(path) as f:
                    text = f.read()
            except OSError as e:
                failed += 1
                errors[e.errno] = errors.get(e.errno, 0) + 1
                continue
            finally:
                max_ms = max(max_ms, (time.monotonic() - start) * 1000)
            # The container's uptime grows with the clock, from u0.
            bound = u0 + (time.monotonic() - t0) + 2
            if not text:
                empty += 1
            elif wrong(path, text, bound):
                host += 1
                if len(samples) < 3:
                    samples.append(path + ": " + text[:60].replace("\n", "|"))
    print("reads=%d failed=%d empty=%d wrong=%d uptime0=%.0f max_ms=%.0f errors=%s %s"
          % (reads, failed, empty, host, u0, max_ms,
             ",".join("%s:%d" % (os.strerror(k), v) for k, v in errors.items()) or "-",
             " ; ".join(samples)))


main()
