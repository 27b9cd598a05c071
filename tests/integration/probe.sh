#!/usr/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs inside the test containers of hook.sh: what the tools people use
# print, one "name: value" line each. Absolute paths: the container's PATH
# is the runtime's, and busybox's applets would shadow procps.
echo "free: $(/usr/bin/free -k | /usr/bin/sed -n 's/^Mem: *\([0-9]*\).*/\1/p')"
echo "processors: $(/usr/bin/grep -c '^processor' /proc/cpuinfo)"
echo "getconf: $(/usr/bin/getconf _NPROCESSORS_ONLN)"
echo "getconf_conf: $(/usr/bin/getconf _NPROCESSORS_CONF)"
echo "lscpu: $(/usr/bin/lscpu | /usr/bin/sed -n 's/^CPU(s): *//p')"
echo "cpudirs: $(/usr/bin/ls /sys/devices/system/cpu | /usr/bin/grep '^cpu[0-9]' | /usr/bin/tr '\n' ' ' | /usr/bin/sed 's/ $//')"
echo "python: $(/usr/bin/python3 -c 'import os; print(os.cpu_count())')"
echo "uptime: $(/usr/bin/cat /proc/uptime)"
echo "top: $(/usr/bin/top -bn1 | /usr/bin/grep 'Mem :' | /usr/bin/head -1)"
echo "mounts: $(/usr/bin/grep -c ' - fuse.lensfs ' /proc/self/mountinfo)"
