/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "caps.h"

#include <errno.h>
#include <stdbool.h>
#include <glib.h>
#include <sys/capability.h>
#include <sys/prctl.h>

static const cap_value_t worker_caps[] = { CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH };
static const cap_value_t supervisor_caps[] = { CAP_SYS_ADMIN, CAP_SETPCAP, CAP_SYS_PTRACE,
					       CAP_DAC_READ_SEARCH };
static const cap_value_t hook_caps[] = { CAP_SYS_ADMIN, CAP_SYS_CHROOT, CAP_SYS_PTRACE,
					 CAP_DAC_READ_SEARCH };

static bool has_cap(const cap_value_t *set, size_t n, cap_value_t c)
{
	for (size_t i = 0; i < n; i++)
		if (set[i] == c)
			return true;
	return false;
}

static int keep_only(const cap_value_t *keep, size_t n)
{
	cap_t caps = cap_init();
	int r = 0;

	if (!caps)
		return -errno;
	if (n > 0 && (cap_set_flag(caps, CAP_PERMITTED, (int)n, keep, CAP_SET) < 0 ||
		      cap_set_flag(caps, CAP_EFFECTIVE, (int)n, keep, CAP_SET) < 0))
		r = -errno;
	/* The bounding set first: dropping from it needs CAP_SETPCAP. */
	for (cap_value_t c = 0; r == 0 && c <= cap_max_bits() - 1; c++) {
		if (has_cap(keep, n, c) || !CAP_IS_SUPPORTED(c))
			continue;
		if (cap_drop_bound(c) < 0 && errno != EINVAL)
			r = -errno;
	}
	if (r == 0 && cap_set_proc(caps) < 0)
		r = -errno;
	cap_free(caps);
	if (r == 0 && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		r = -errno;
	return r;
}

int caps_drop_to_worker(bool delegate)
{
	/* Delegation writes pids from inside the writer's pid namespace
	 * (setns(2), cgroup_view.c). */
	static const cap_value_t delegating[] = { CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH,
						  CAP_SYS_ADMIN };

	if (delegate)
		return keep_only(delegating, G_N_ELEMENTS(delegating));
	return keep_only(worker_caps, G_N_ELEMENTS(worker_caps));
}

int caps_drop_to_hook(void)
{
	return keep_only(hook_caps, G_N_ELEMENTS(hook_caps));
}

int caps_drop_to_supervisor(void)
{
	return keep_only(supervisor_caps, G_N_ELEMENTS(supervisor_caps));
}

int caps_drop_all(void)
{
	return keep_only(NULL, 0);
}

/* capget(2) and capset(2) on the calling thread (pid 0): they change no
 * other thread, and they are system calls, safe after fork(2) in a
 * multi-threaded process. */
static int thread_caps(struct __user_cap_data_struct data[2])
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };

	return capget(&hdr, data) < 0 ? -errno : 0;
}

static int set_thread_caps(struct __user_cap_data_struct data[2])
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };

	return capset(&hdr, data) < 0 ? -errno : 0;
}

int caps_thread_effective(bool on)
{
	struct __user_cap_data_struct data[2];
	int r = thread_caps(data);

	for (int i = 0; r == 0 && i < 2; i++)
		data[i].effective = on ? data[i].permitted : 0;
	return r < 0 ? r : set_thread_caps(data);
}

int caps_thread_none(void)
{
	struct __user_cap_data_struct data[2] = { { 0 } };

	return set_thread_caps(data);
}
