# SPDX-License-Identifier: LGPL-2.1-or-later
# reader.py SECONDS MAX_UPTIME: reads meminfo, cpuinfo and uptime, and lists
# the cpu directory, in a tight loop for SECONDS inside the 256 MiB /
# cpuset 0 test container (or until /dev/shm/lensfs-stop appears, looked
# for every 100 reads: the test says when its restarts are done), and sorts
# every read: failed (with its errno), empty, or showing anything but the
# container's values. The container started at most MAX_UPTIME seconds ago:
# its first uptime must be below that (the host's is not), and uptime never
# goes back. Prints one summary line; exits 1 if any read was wrong.
import os
import re
import sys
import time

MEM_KB = "262144"
STOP = "/dev/shm/lensfs-stop"


def uptime_of(text):
    return float(text.split()[0])


def main():
    seconds, max_uptime = float(sys.argv[1]), float(sys.argv[2])
    cpu_dir = "/sys/devices/system/cpu"
    files = ["/proc/meminfo", "/proc/cpuinfo", "/proc/uptime", cpu_dir]
    reads = failed = empty = wrong = 0
    errors = {}
    samples = []
    max_ms = 0.0
    last_up = None
    t0 = time.monotonic()
    while reads == 0 or time.monotonic() - t0 < seconds:
        if reads % 100 == 0 and os.path.exists(STOP):
            break
        for path in files:
            start = time.monotonic()
            reads += 1
            try:
                if path == cpu_dir:
                    text = " ".join(sorted(n for n in os.listdir(path) if re.match(r"cpu\d+$", n)))
                else:
                    with open(path) as f:
                        text = f.read()
            except OSError as e:
                failed += 1
                errors[e.errno] = errors.get(e.errno, 0) + 1
                continue
            finally:
                max_ms = max(max_ms, (time.monotonic() - start) * 1000)
            if not text:
                empty += 1
                continue
            if path == "/proc/meminfo":
                bad = text.split("\n", 1)[0].split()[1:2] != [MEM_KB]
            elif path == cpu_dir:
                bad = text != "cpu0"
            elif path == "/proc/cpuinfo":
                bad = sum(line.startswith("processor") for line in text.splitlines()) != 1
            else:
                up = uptime_of(text)
                bound = max_uptime + (time.monotonic() - t0)
                bad = not 0 <= up <= bound or (last_up is not None and up < last_up)
                last_up = up
            if bad:
                wrong += 1
                if len(samples) < 3:
                    samples.append(path + ": " + text[:60].replace("\n", "|"))
    print("reads=%d failed=%d empty=%d wrong=%d max_ms=%.0f errors=%s %s"
          % (reads, failed, empty, wrong, max_ms,
             ",".join("%s:%d" % (os.strerror(k), v) for k, v in errors.items()) or "-",
             " ; ".join(samples)))
    sys.exit(1 if failed or empty or wrong else 0)


main()
