/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

/*
 * What the serving process keeps once the mount exists (docs/security.md):
 *   CAP_SYS_PTRACE      read /proc/PID/ns/pid of any caller (ptrace access
 *                       mode PTRACE_MODE_READ_FSCREDS, fs/proc/namespaces.c)
 *   CAP_DAC_READ_SEARCH read /proc and cgroup files whatever their owner and
 *                       mode (a delegated cgroup belongs to its user)
 * and with delegate (lensfs --cgroup-delegate):
 *   CAP_SYS_ADMIN       for the helper that writes a pid: enter the
 *                       writer's pid, network and IPC namespaces (setns(2))
 *                       and make itself an empty root (delegate.c); the
 *                       writes themselves are made without it
 *                       (caps_thread_effective)
 * Everything else leaves the effective, permitted, inheritable and bounding
 * sets, and no_new_privs is set.
 */
int caps_drop_to_worker(bool delegate);

/*
 * What the supervisor keeps (daemon.c):
 *   CAP_SYS_ADMIN         unmount at stop
 *   CAP_SETPCAP and the worker's two: what each worker it execs starts
 *                         with (root's exec gets the bounding set, no more
 *                         under no_new_privs), to drop to the worker's set
 */
int caps_drop_to_supervisor(void);

/*
 * What lensfs-hook keeps (docs/hook.md):
 *   CAP_SYS_ADMIN, CAP_SYS_CHROOT  enter the container's mount namespace
 *                                  (setns(2)) and mount the views
 *   CAP_DAC_READ_SEARCH            read the bundle's config.json
 */
int caps_drop_to_hook(void);

/* What lensfs-relay keeps once its sockets exist: nothing (docs/relay.md). */
int caps_drop_all(void);

/* The calling thread's effective set: empty (false), or its permitted set
 * again (true). Other threads keep theirs. */
int caps_thread_effective(bool on);
/* The calling thread keeps no capability at all (effective, permitted,
 * inheritable); for a helper process that is about to be seen. */
int caps_thread_none(void);
