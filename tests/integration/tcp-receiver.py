# SPDX-License-Identifier: LGPL-2.1-or-later
# Stands in for a remote collector in relay.sh: TCP on 127.0.0.1 (the port
# goes to PORTFILE), RFC 6587 octet counting ("LEN SP MSG"); each message is
# written as "CONNECTION-NUMBER MSG". The first connection is closed after its
# first message, as a collector that restarts would, so that the relay must
# connect again.  tcp-receiver.py PORTFILE OUTPUT
import os
import socket
import sys

portfile, out = sys.argv[1], sys.argv[2]
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(4)
with open(portfile + ".tmp", "w") as f:
    f.write(str(srv.getsockname()[1]))
os.rename(portfile + ".tmp", portfile)
conn_no = 0
with open(out, "a") as f:
    while True:
        c, _ = srv.accept()
        conn_no += 1
        buf = b""
        while True:
            d = c.recv(65536)
            if not d:
                break
            buf += d
            closed = False
            while b" " in buf:
                n, rest = buf.split(b" ", 1)
                if not n.isdigit():
                    f.write("%d BAD %r\n" % (conn_no, buf[:80]))
                    buf = b""
                    break
                if len(rest) < int(n):
                    break
                f.write("%d %s\n" % (conn_no, rest[: int(n)].decode()))
                f.flush()
                buf = rest[int(n):]
                if conn_no == 1:
                    closed = True
                    break
            if closed:
                break
        c.close()
