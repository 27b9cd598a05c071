#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# Reads a file every way a program can and prints what each way got, one
# "way: value" line each; readpaths.sh runs it inside its containers.
#   readways.py ways FILE          read(2), sendfile, splice, a private map,
#                                  copy_file_range: the MemTotal (or
#                                  cpuinfo's processors) each saw
#   readways.py every DIR          the files below DIR where sendfile did not
#                                  get what read(2) got
#   readways.py loop FILE N WAY    N reads one way, the MemTotals (or
#                                  cpuinfo's processors) seen
#   readways.py turns FILE         a sendfile for each line of stdin
#   readways.py stat FILE          st_size beside the text's length, mtime age
import errno
import mmap
import os
import re
import sys
import tempfile
import time
from collections import Counter


def total(data):
    """meminfo's MemTotal, or cpuinfo's processors; "none" for a text cut."""
    if not data.endswith(b"\n"):
        return "none"
    m = re.search(rb"^MemTotal: *(\d+) kB$", data, re.M)
    if m:
        return m.group(1).decode()
    return "%d-cpus" % len(re.findall(rb"^processor\s*:", data, re.M))


def shape(data):
    """What two reads of a view share: each line's first word, or for a
    line of numbers (uptime, loadavg), how many."""
    lines = data.split(b"\n")
    if len(lines) <= 2:
        return [len(data.split())]
    return [line.split()[:1] for line in lines]


def by_read(path):
    with open(path, "rb", buffering=0) as f:
        return f.read()


def by_sendfile(path):
    with tempfile.TemporaryFile() as out:
        fd = os.open(path, os.O_RDONLY)
        try:
            while os.sendfile(out.fileno(), fd, None, 1 << 20) > 0:
                pass
        finally:
            os.close(fd)
        out.seek(0)
        return out.read()


def by_splice(path):
    r, w = os.pipe()
    fd = os.open(path, os.O_RDONLY)
    data = b""
    try:
        while True:
            n = os.splice(fd, w, 1 << 16)
            if n == 0:
                return data
            data += os.read(r, n)
    finally:
        for x in (fd, r, w):
            os.close(x)


def by_map(path):
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        with mmap.mmap(f.fileno(), size, mmap.MAP_PRIVATE, mmap.PROT_READ) as m:
            return m[:]


def by_copy_file_range(path):
    with tempfile.TemporaryFile() as out:
        fd = os.open(path, os.O_RDONLY)
        try:
            while os.copy_file_range(fd, out.fileno(), 1 << 20) > 0:
                pass
        finally:
            os.close(fd)
        out.seek(0)
        return out.read()


WAYS = {"read": by_read, "sendfile": by_sendfile, "splice": by_splice, "mmap": by_map,
        "copy_file_range": by_copy_file_range}


def main():
    cmd, path = sys.argv[1], sys.argv[2]
    if cmd == "ways":
        for name, way in WAYS.items():
            try:
                print("%s: %s" % (name, total(way(path))))
            except OSError as e:
                print("%s: %s" % (name, os.strerror(e.errno)))
    elif cmd == "every":
        # Each file below path that read(2) reads (some of sysfs's do not).
        differ, files = [], 0
        for top, _, names in os.walk(path):
            for name in names:
                f = os.path.join(top, name)
                try:
                    a = by_read(f)
                except OSError:
                    continue
                files += 1
                if shape(a) != shape(by_sendfile(f)):
                    differ.append(os.path.relpath(f, path))
        print("files: %d" % files)
        print("differ: %s" % (" ".join(differ) or "none"))
    elif cmd == "loop":
        seen = Counter()
        way = WAYS[sys.argv[4]]
        for _ in range(int(sys.argv[3])):
            try:
                seen[total(way(path))] += 1
            except OSError as e:
                seen[errno.errorcode[e.errno]] += 1
        print("seen: %s" % " ".join("%s=%d" % kv for kv in sorted(seen.items())))
    elif cmd == "turns":
        # One sendfile for each line read from stdin, its value printed: the
        # caller takes turns between two containers without starting one
        # for every read.
        for _ in sys.stdin:
            try:
                print(total(by_sendfile(path)), flush=True)
            except OSError as e:
                print(errno.errorcode[e.errno], flush=True)
    elif cmd == "stat":
        text = by_read(path)
        st = os.stat(path)
        print("size: %d %d" % (st.st_size, len(text)))
        print("age: %d" % abs(time.time() - st.st_mtime))


main()
