# SPDX-License-Identifier: LGPL-2.1-or-later
# What systemd does for lensfs.service, for a machine where systemd is not
# PID 1: Type=notify (NOTIFY_SOCKET), FileDescriptorStoreMax= (FDSTORE=1,
# FDSTOREREMOVE=1, the stored descriptors given back on restart as
# LISTEN_FDS/LISTEN_FDNAMES from fd 3, for LISTEN_PID), Restart=on-failure
# with RestartSec=100ms. As systemd's, the store keeps a file once however
# often it is given, names need not be unique, and FDSTOREREMOVE lets go of
# every descriptor of the name. SIGTERM stops the service: SIGTERM to the main
# process, then the store is closed. Events go to stdout, one a line.
#
# fake-systemd.py SOCKET COMMAND...
import array
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time

path, cmd = sys.argv[1], sys.argv[2:]
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(path)
store = []  # (name, fd), in the order stored
libc = ctypes.CDLL(None, use_errno=True)
SYS_kcmp, KCMP_FILE = 312, 0  # x86_64


def same_file(a, b):
    pid = os.getpid()
    return libc.syscall(SYS_kcmp, pid, pid, KCMP_FILE, a, b) == 0
stopping = False


def log(*words):
    print(*words, flush=True)


def on_term(sig, frame):
    global stopping
    stopping = True
    main.send_signal(signal.SIGTERM)


def start():
    names = [n for n, _ in store]
    fds = [fd for _, fd in store]
    env = dict(os.environ, NOTIFY_SOCKET=path)
    if fds:
        env.update(LISTEN_FDS=str(len(fds)), LISTEN_FDNAMES=":".join(names))

    def place_fds():
        high = [os.dup(fd) for fd in fds]
        for i, fd in enumerate(high):
            os.dup2(fd, 3 + i)

    log("start", "fds=" + ",".join(names))
    # LISTEN_PID is the pid that execs the service: the shell's own.
    return subprocess.Popen(["/bin/sh", "-c", 'LISTEN_PID=$$ exec "$@"', "sh"] + cmd,
                            env=env, preexec_fn=place_fds,
                            pass_fds=range(3, 3 + len(fds)))


def receive():
    fds = array.array("i")
    msg, anc, _, _ = sock.recvmsg(4096, socket.CMSG_SPACE(16 * fds.itemsize))
    for level, kind, data in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(data[:len(data) - len(data) % fds.itemsize])
    fields = dict(line.split("=", 1) for line in msg.decode().splitlines() if "=" in line)
    name = fields.get("FDNAME", "stored")
    if fields.get("FDSTORE") == "1":
        for fd in fds:
            if any(same_file(fd, kept) for _, kept in store):
                os.close(fd)
                continue
            store.append((name, fd))
            log("fdstore", name)
    else:
        for fd in fds:
            os.close(fd)
    if fields.get("FDSTOREREMOVE") == "1" and any(n == name for n, _ in store):
        for n, fd in store:
            if n == name:
                os.close(fd)
        store[:] = [(n, fd) for n, fd in store if n != name]
        log("fdstoreremove", name)
    for key in ("READY", "STOPPING"):
        if fields.get(key) == "1":
            log(key.lower())


signal.signal(signal.SIGTERM, on_term)
main = start()
while True:
    sock.settimeout(0.05)
    try:
        receive()
    except socket.timeout:
        pass
    except InterruptedError:
        pass
    code = main.poll()
    if code is None:
        continue
    sock.settimeout(0)
    try:
        while True:
            receive()  # what it said before it ended
    except (BlockingIOError, socket.timeout):
        pass
    log("exited", code)
    if stopping or code == 0:
        break
    time.sleep(0.1)
    main = start()
for _, fd in store:
    os.close(fd)
log("stopped")
