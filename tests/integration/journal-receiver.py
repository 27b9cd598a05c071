# SPDX-License-Identifier: LGPL-2.1-or-later
# Stands in for journald in relay.sh: reads datagrams of journald's native
# protocol on a unix socket and prints each as one JSON object of its
# fields, decoding both forms (KEY=VALUE\n, and KEY\n + 64-bit LE length +
# value + \n). A datagram that breaks the protocol is printed as
# {"BAD": "..."}.  journal-receiver.py SOCKET OUTPUT
import json
import os
import re
import socket
import struct
import sys

path, out = sys.argv[1], sys.argv[2]
try:
    os.unlink(path)
except FileNotFoundError:
    pass
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)


def parse(d):
    fields, i = [], 0
    while i < len(d):
        nl = d.index(b"\n", i)
        line = d[i:nl]
        if b"=" in line:
            k, v = line.split(b"=", 1)
            i = nl + 1
        else:
            k = line
            (n,) = struct.unpack("<Q", d[nl + 1:nl + 9])
            v = d[nl + 9:nl + 9 + n]
            if d[nl + 9 + n:nl + 10 + n] != b"\n":
                raise ValueError("no newline after a binary field")
            i = nl + 10 + n
        if not re.fullmatch(rb"[A-Z0-9_]+", k):
            raise ValueError("bad field name %r" % k)
        fields.append([k.decode(), v.decode("utf-8")])
    return fields


with open(out, "a") as f:
    while True:
        d = s.recv(1 << 20)
        try:
            rec = parse(d)
        except Exception as e:
            rec = {"BAD": "%s: %r" % (e, d[:200])}
        f.write(json.dumps(rec, separators=(",", ":")) + "\n")
        f.flush()
