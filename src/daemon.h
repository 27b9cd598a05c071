/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "context.h"

#include <stdbool.h>

struct lensfs_mount_opts {
	const char *mountpoint;
	bool foreground;
	bool debug;
	unsigned int threads; /* 1: one serving thread */
	unsigned int spin_us; /* one thread: poll this long before sleeping */
};

/* Mounts, serves until unmounted or signalled, and unmounts. Returns the
 * process exit status. */
int lensfs_daemon_main(struct lensfs_ctx *ctx, const struct lensfs_mount_opts *opts);
