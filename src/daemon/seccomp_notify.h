/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Answering sysinfo(2) for a container through seccomp user notification
 * (docs/sysinfo.md): a filter in the container returns
 * SECCOMP_RET_USER_NOTIF for sysinfo, and whoever holds the filter's
 * listener descriptor receives each call, writes the answer into the
 * caller's memory and lets the call return (kernel/seccomp.c,
 * Documentation/userspace-api/seccomp_filter.rst).
 *
 * The caller's memory is written through /proc/PID/mem, opened before the
 * notification is checked to be still pending (SECCOMP_IOCTL_NOTIF_ID_VALID):
 * a pending caller is alive, so the pid opened was its, and the descriptor
 * then refers to its memory whatever happens to the pid later. Never the
 * host's numbers: a call the agent cannot answer fails (ENOSYS for another
 * architecture or system call, EFAULT for a pointer that is not the
 * caller's to write), it is not let through to the kernel.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/sysinfo.h>
#include <sys/types.h>

/* The answer for the caller pid (in the agent's pid namespace); 0, or
 * -errno for the call to fail with. */
typedef int (*notify_answer_fn)(void *data, pid_t pid, struct sysinfo *out);

/* One call, as received: what answering it needs. */
struct notify_call {
	uint64_t id;
	pid_t pid; /* in the receiver's pid namespace */
	bool answerable; /* sysinfo of this architecture */
	uint64_t addr; /* its argument: where the answer goes */
};

/* Receives one notification (blocking): 0, -ENOENT when its caller went
 * away meanwhile, -errno when the listener failed. */
int notify_recv(int listener, struct notify_call *call);
/* The same, the notification as the kernel writes it (struct
 * seccomp_notif) put in notif, size bytes (NOTIFY_SIZE_MAX suffices;
 * -EMSGSIZE if not): a record of the call made by the kernel itself,
 * whole once the call returns, even if the receiver is killed then. It is
 * zeroed when nothing was received. */
int notify_recv_in(int listener, void *notif, size_t size, struct notify_call *call);
#define NOTIFY_SIZE_MAX 128
/* The call such a record describes; a record of a call. */
void notify_call_of(const void *notif, struct notify_call *call);
void notify_call_put(const struct notify_call *call, void *notif);
/* Answers call, received on listener (by this process or another: the
 * answer is checked pending before it is written): 0, or -ENOENT when the
 * caller went away, or was answered by another, before. */
int notify_answer(int listener, const struct notify_call *call, const char *proc_root,
		  notify_answer_fn fn, void *data);

/* Receives one notification from listener (blocking, unless the descriptor
 * is non-blocking: -EAGAIN) and answers it. proc_root: where the callers'
 * /proc is ("/proc"). 0 when answered (with the answer or an error for
 * the caller); -ENOENT when the caller went away before its answer (it got
 * none, and needs none); -errno when the listener failed (-EBADF, or
 * -ENOTCONN once no process uses the filter). */
int notify_answer_one(int listener, const char *proc_root, notify_answer_fn fn, void *data);
