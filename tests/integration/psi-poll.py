# SPDX-License-Identifier: LGPL-2.1-or-later
# A PSI trigger set and polled as a tool does (the kernel's
# Documentation/accounting/psi.rst): psi-poll.py FILE TRIGGER [WAIT_MS...]
# opens FILE read-write, writes TRIGGER (with the NUL the kernel's example
# writes), prints "armed", then for each WAIT_MS polls for POLLPRI that long
# and prints "fired" or "quiet". An error prints "open: ENAME" or "write:
# ENAME". With "again" for WAIT_MS: a second trigger on the same file.
# With FILE prefixed by "N*": N opens, each given the trigger; prints "armed
# K" for the K that took it and the first error.
import errno
import os
import select
import sys


def name(e):
    return "EOPNOTSUPP" if e.errno == errno.EOPNOTSUPP else errno.errorcode[e.errno]


def arm(path, trigger):
    fd = os.open(path, os.O_RDWR | os.O_NONBLOCK)
    try:
        os.write(fd, trigger.encode() + b"\0")
    except OSError:
        os.close(fd)
        raise
    return fd


path, trigger = sys.argv[1], sys.argv[2]
if "*" in path:
    count, path = path.split("*", 1)
    fds = []
    try:
        for _ in range(int(count)):
            fds.append(arm(path, trigger))
    except OSError as e:
        print("armed %d" % len(fds))
        print("write: " + name(e))
        sys.exit(0)
    print("armed %d" % len(fds))
    sys.exit(0)
try:
    fd = os.open(path, os.O_RDWR | os.O_NONBLOCK)
except OSError as e:
    print("open: " + name(e))
    sys.exit(0)
try:
    os.write(fd, trigger.encode() + b"\0")
except OSError as e:
    print("write: " + name(e))
    sys.exit(0)
print("armed", flush=True)
p = select.poll()
p.register(fd, select.POLLPRI)
for wait in sys.argv[3:]:
    if wait == "again":
        try:
            os.write(fd, trigger.encode() + b"\0")
            print("again: written")
        except OSError as e:
            print("again: " + name(e))
        continue
    ev = p.poll(int(wait))
    print("fired" if ev and ev[0][1] & select.POLLPRI else "quiet", flush=True)
