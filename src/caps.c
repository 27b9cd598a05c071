/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "caps.h"

#include <errno.h>
#include <stdbool.h>
#include <glib.h>
#include <sys/capability.h>
#include <sys/prctl.h>

static const cap_value_t worker_caps[] = { CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH };

static bool is_worker_cap(cap_value_t c)
{
	for (size_t i = 0; i < G_N_ELEMENTS(worker_caps); i++)
		if (worker_caps[i] == c)
			return true;
	return false;
}

int caps_drop_to_worker(void)
{
	cap_t caps = cap_init();
	int r = 0;

	if (!caps)
		return -errno;
	if (cap_set_flag(caps, CAP_PERMITTED, G_N_ELEMENTS(worker_caps), worker_caps, CAP_SET) <
		    0 ||
	    cap_set_flag(caps, CAP_EFFECTIVE, G_N_ELEMENTS(worker_caps), worker_caps, CAP_SET) < 0)
		r = -errno;
	/* The bounding set first: dropping from it needs CAP_SETPCAP. */
	for (cap_value_t c = 0; r == 0 && c <= cap_max_bits() - 1; c++) {
		if (is_worker_cap(c) || !CAP_IS_SUPPORTED(c))
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
