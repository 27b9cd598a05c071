/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Gather each file's inputs (host files, cgroup facts) and call its renderer. */

#include "context.h"

#include <glib.h>

int view_meminfo(struct lensfs_ctx *ctx, const struct viewer *v, GString *out);
int view_cpuinfo(struct lensfs_ctx *ctx, const struct viewer *v, GString *out);
int view_uptime(struct lensfs_ctx *ctx, const struct viewer *v, GString *out);
int view_diskstats(struct lensfs_ctx *ctx, const struct viewer *v, GString *out);
int view_loadavg(struct lensfs_ctx *ctx, const struct viewer *v, GString *out);
int view_stat(struct lensfs_ctx *ctx, const struct viewer *v, GString *out);
int view_pressure_cpu(struct lensfs_ctx *ctx, const struct viewer *v, GString *out);
int view_pressure_memory(struct lensfs_ctx *ctx, const struct viewer *v, GString *out);
int view_pressure_io(struct lensfs_ctx *ctx, const struct viewer *v, GString *out);
int view_swaps(struct lensfs_ctx *ctx, const struct viewer *v, GString *out);
int view_cpu_online(struct lensfs_ctx *ctx, const struct viewer *v, GString *out);
int view_cpu_possible(struct lensfs_ctx *ctx, const struct viewer *v, GString *out);
int view_cpu_present(struct lensfs_ctx *ctx, const struct viewer *v, GString *out);

void view_caches_init(struct lensfs_ctx *ctx, uint64_t ttl_us);
void view_caches_free(struct lensfs_ctx *ctx);

/* view's text for v, reused for the refresh time among viewers with the same
 * cgroups. */
int view_cached(struct lensfs_ctx *ctx, const char *name,
		int (*view)(struct lensfs_ctx *, const struct viewer *, GString *),
		const struct viewer *v, GString *out);
