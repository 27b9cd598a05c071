#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The parts of src/ and the directions between them (docs/design.md,
"Parts"), checked over the #include lines: a part includes only its own
headers and those of the parts it is allowed to use, and no two files'
modules (a .c and its .h) include each other, however indirectly.

parts.py SRCDIR: prints each finding, exits 1 if there is any."""

import os
import re
import sys

# What each part may use besides itself. The programs (src/*.c) may use
# every part.
USES = {
    "base": set(),
    "cgroup": {"base"},
    "render": {"base", "cgroup"},
    "view": {"base", "cgroup", "render"},
    "fs": {"base", "cgroup", "render", "view"},
    "daemon": {"base", "cgroup", "render", "view", "fs"},
    "relay": {"base"},
    "hook": {"base", "cgroup", "relay"},
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def sources(src):
    """(part, path) of every .c and .h; part None for a program."""
    for name in sorted(os.listdir(src)):
        path = os.path.join(src, name)
        if os.path.isdir(path):
            for f in sorted(os.listdir(path)):
                if f.endswith((".c", ".h")):
                    yield name, os.path.join(path, f)
        elif name.endswith((".c", ".h")):
            yield None, path


def module(path):
    return os.path.splitext(os.path.basename(path))[0]


def cycles(edges):
    """The strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def main(src):
    files = list(sources(src))
    where = {}  # header name -> part
    problems = []
    for part, path in files:
        if part is None:
            continue
        name = os.path.basename(path)
        if name.endswith(".h"):
            if name in where:
                problems.append(f"{name}: in both {where[name]}/ and {part}/")
            where[name] = part
        if part not in USES:
            problems.append(f"{part}/: a part the table does not know")
    edges = {}
    for part, path in files:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        rel = os.path.relpath(path, src)
        for inc in INCLUDE.findall(text):
            if inc == "config.h":
                continue
            if inc not in where:
                problems.append(f"{rel}: includes {inc}, which no part holds")
                continue
            to = where[inc]
            if part is not None and to != part and to not in USES.get(part, set()):
                problems.append(f"{rel}: {part}/ must not use {to}/ ({inc})")
            if part is not None and module(inc) != module(path):
                edges.setdefault(f"{part}/{module(path)}", set()).add(f"{to}/{module(inc)}")
    for comp in cycles(edges):
        problems.append("a circle of modules: " + " ".join(comp))
    for p in problems:
        print(p)
    n = sum(len(v) for v in edges.values())
    print(f"{len(files)} files, {n} arrows between modules, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "src"))
