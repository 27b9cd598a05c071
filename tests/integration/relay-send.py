# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs inside relay.sh's containers (and on the host for the benchmark):
# what a program sends to /dev/log, case by case.
#   relay-send.py say DATAGRAM           one datagram, as given
#   relay-send.py python NAME            logging.handlers.SysLogHandler
#   relay-send.py forge NAME OTHER       another container's name as hostname, fake PID/SD
#   relay-send.py hostile NAME           huge, binary, NULs, invalid UTF-8
#   relay-send.py escapes NAME           backslashes and ']' in structured data and text
#   relay-send.py priorities NAME        kern.emerg (<0>) and daemon.crit (<26>)
#   relay-send.py flood N                N datagrams as fast as possible; prints
#                                        "sent N" and "max_block_ms X"
#   relay-send.py seq N MS               N numbered messages, one every MS ms, through
#                                        SysLogHandler (which reconnects after an error)
#   relay-send.py wait-send NAME S       retries for up to S s until /dev/log takes a message
import logging
import os
import logging.handlers
import socket
import sys
import time

LOG = os.environ.get("RELAY_SEND_TO", "/dev/log")


def raw(data):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.connect(LOG)
    s.send(data)
    s.close()


def handler(name, facility):
    h = logging.handlers.SysLogHandler(address=LOG, facility=facility)
    h.setFormatter(logging.Formatter("%(name)s: %(message)s"))
    log = logging.getLogger(name)
    log.addHandler(h)
    log.propagate = False
    return log


mode = sys.argv[1]
if mode == "say":
    raw(sys.argv[2].encode())
elif mode == "python":
    name = sys.argv[2]
    handler("py-" + name, logging.handlers.SysLogHandler.LOG_LOCAL5).error("python from %s", name)
elif mode == "forge":
    name, other = sys.argv[2], sys.argv[3]
    raw(b"<14>Nov 29 10:00:00 %s fake[99999]: forged3164 by %s" % (other.encode(), name.encode()))
    raw(b'<14>1 2026-01-01T00:00:00Z %s fake 99999 - [lensfs@32473 id="%s" name="%s"] forged5424 by %s'
        % (other.encode(), other.encode(), other.encode(), name.encode()))
elif mode == "hostile":
    name = sys.argv[2].encode()
    raw(b"<14>huge: " + name + b" " + b"x" * 100000)
    raw(b"<14>bin: " + name + b" a\x00b\x01c\xff\xfe\xc3\x28\x1b[2J\x7fend")
    raw(b"")
    raw(bytes(range(256)) * 8)
elif mode == "escapes":
    name = sys.argv[2].encode()
    # An unescaped ']' in a value, an escaped backslash, an escaped '"' and
    # ']'; in the text, a backslash and the four characters \x1b.
    raw(b'<14>1 - h esc - - [x@1 a="b]c" d="e\\\\f" g="h\\"i\\]"] back\\slash \\x1b by ' + name)
elif mode == "priorities":
    name = sys.argv[2].encode()
    raw(b"<0>pri0: emerg from " + name)
    raw(b"<26>pri26: daemon.crit from " + name)
elif mode == "flood":
    n = int(sys.argv[2])
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.connect(LOG)
    worst = 0.0
    msg = b"<14>flood: message %d"
    for i in range(n):
        t = time.monotonic()
        s.send(msg % i)
        worst = max(worst, time.monotonic() - t)
    print("end %.6f" % time.time())
    print("sent %d" % n)
    print("max_block_ms %d" % int(worst * 1000))
elif mode == "seq":
    n, ms = int(sys.argv[2]), int(sys.argv[3])
    logging.raiseExceptions = False  # a send that fails is dropped quietly
    log = handler("seq", logging.handlers.SysLogHandler.LOG_USER)
    for i in range(n):
        log.warning("seq %d", i)
        time.sleep(ms / 1000)
elif mode == "wait-send":
    name, limit = sys.argv[2], float(sys.argv[3])
    end = time.monotonic() + limit
    while True:
        try:
            raw(b"<13>late: relay came back for %s" % name.encode())
            break
        except OSError as e:
            if time.monotonic() > end:
                print("gave up: %s" % e)
                sys.exit(1)
            time.sleep(0.05)
else:
    sys.exit("unknown mode " + mode)
