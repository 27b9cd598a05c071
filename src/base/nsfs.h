/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* nsfs's ioctls (linux/nsfs.h): pid translation, where the kernel has it
 * (6.18 here; not the 6.1 of the cgroup v2 VM, whose callers fall back to
 * reading /proc). */

#include <linux/nsfs.h>
#include <sys/ioctl.h>

#ifndef NS_GET_PID_FROM_PIDNS
/* The pid, in the caller's namespace, of the task that the namespace's fd
 * numbers arg. */
#define NS_GET_PID_FROM_PIDNS _IOR(NSIO, 0x6, int)
#endif
#ifndef NS_GET_PID_IN_PIDNS
/* The pid, in the namespace's numbering, of the task the caller numbers
 * arg; ESRCH when it has none there. */
#define NS_GET_PID_IN_PIDNS _IOR(NSIO, 0x8, int)
#endif
