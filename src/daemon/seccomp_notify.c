/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "seccomp_notify.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define NATIVE_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NATIVE_ARCH AUDIT_ARCH_AARCH64
#else
#error "the native audit architecture of this target is not known here"
#endif

/* The kernel's sizes of the structures (they may grow): asked once. */
static struct seccomp_notif_sizes sizes;

static int notif_sizes(void)
{
	static gsize done;

	if (g_once_init_enter(&done)) {
		if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0)
			memset(&sizes, 0, sizeof(sizes));
		g_once_init_leave(&done, 1);
	}
	return sizes.seccomp_notif ? 0 : -ENOSYS;
}

static int send_answer(int listener, uint64_t id, int error)
{
	g_autofree struct seccomp_notif_resp *resp = g_malloc0(sizes.seccomp_notif_resp);

	resp->id = id;
	resp->error = error;
	resp->val = 0;
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, resp) < 0)
		return errno == ENOENT ? -ENOENT : -errno;
	return 0;
}

/* Writes si at addr in pid's memory; -EFAULT when addr is not writable
 * there, -ENOENT when the notification is no longer pending. */
static int write_answer(int listener, uint64_t id, const char *proc_root, pid_t pid, uint64_t addr,
			const struct sysinfo *si)
{
	g_autofree char *path = g_strdup_printf("%s/%d/mem", proc_root, (int)pid);
	autoclose int mem = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	/* The pid may have been another process's by the open: the caller,
	 * still pending, is alive, and the one opened. */
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) < 0)
		return -ENOENT;
	if (mem < 0)
		return -EFAULT;
	n = pwrite(mem, si, sizeof(*si), (off_t)addr);
	return n == (ssize_t)sizeof(*si) ? 0 : -EFAULT;
}

void notify_call_of(const void *notif, struct notify_call *call)
{
	const struct seccomp_notif *req = notif;

	call->id = req->id;
	call->pid = (pid_t)req->pid;
	call->answerable = req->data.arch == NATIVE_ARCH && req->data.nr == SYS_sysinfo;
	call->addr = req->data.args[0];
}

void notify_call_put(const struct notify_call *call, void *notif)
{
	struct seccomp_notif *req = notif;

	memset(req, 0, sizeof(*req));
	req->id = call->id;
	req->pid = (uint32_t)call->pid;
	req->data.arch = call->answerable ? NATIVE_ARCH : 0;
	req->data.nr = call->answerable ? SYS_sysinfo : -1;
	req->data.args[0] = call->addr;
}

int notify_recv_in(int listener, void *notif, size_t size, struct notify_call *call)
{
	int r = notif_sizes();

	if (r < 0)
		return r;
	if (size < sizes.seccomp_notif || size < sizeof(struct seccomp_notif))
		return -EMSGSIZE;
	/* The kernel takes a zeroed buffer only. */
	memset(notif, 0, sizes.seccomp_notif);
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, notif) < 0) {
		r = errno == ENOENT ? -ENOENT : -errno;
		memset(notif, 0, sizes.seccomp_notif);
		return r;
	}
	notify_call_of(notif, call);
	return 0;
}

int notify_recv(int listener, struct notify_call *call)
{
	g_autofree void *req = NULL;
	int r = notif_sizes();

	if (r < 0)
		return r;
	req = g_malloc(sizes.seccomp_notif);
	return notify_recv_in(listener, req, sizes.seccomp_notif, call);
}

int notify_answer(int listener, const struct notify_call *call, const char *proc_root,
		  notify_answer_fn fn, void *data)
{
	struct sysinfo si;
	int r = notif_sizes();

	if (r == 0)
		r = call->answerable ? fn(data, call->pid, &si) : -ENOSYS;
	if (r == 0) {
		r = write_answer(listener, call->id, proc_root, call->pid, call->addr, &si);
		if (r == -ENOENT)
			return r;
	}
	return send_answer(listener, call->id, r);
}

int notify_answer_one(int listener, const char *proc_root, notify_answer_fn fn, void *data)
{
	struct notify_call call;
	int r = notify_recv(listener, &call);

	return r < 0 ? r : notify_answer(listener, &call, proc_root, fn, data);
}
