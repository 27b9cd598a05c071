/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Gather each file's inputs (host files, cgroup facts) and call its renderer. */

#include "context.h"

#include <glib.h>

struct vnode;
struct vdir_ops;

int view_meminfo(struct lensfs_ctx *ctx, const struct vnode *n, const struct viewer *v,
		 GString *out);
int view_cpuinfo(struct lensfs_ctx *ctx, const struct vnode *n, const struct viewer *v,
		 GString *out);
int view_uptime(struct lensfs_ctx *ctx, const struct vnode *n, const struct viewer *v,
		GString *out);
int view_diskstats(struct lensfs_ctx *ctx, const struct vnode *n, const struct viewer *v,
		   GString *out);
int view_loadavg(struct lensfs_ctx *ctx, const struct vnode *n, const struct viewer *v,
		 GString *out);
int view_stat(struct lensfs_ctx *ctx, const struct vnode *n, const struct viewer *v, GString *out);
int view_pressure(struct lensfs_ctx *ctx, const struct vnode *n, const struct viewer *v,
		  GString *out);
int view_swaps(struct lensfs_ctx *ctx, const struct vnode *n, const struct viewer *v, GString *out);
/* online, possible and present, by the node's name. */
int view_cpu_list(struct lensfs_ctx *ctx, const struct vnode *n, const struct viewer *v,
		  GString *out);

/* sys/devices/system/cpu: cpuN of the visible CPUs (cpu_dir.h). */
extern const struct vdir_ops view_cpu_dir;

void view_caches_init(struct lensfs_ctx *ctx, uint64_t ttl_us);
void view_caches_free(struct lensfs_ctx *ctx);

/* view's text for v, reused for the refresh time among viewers with the same
 * cgroups. */
int view_cached(struct lensfs_ctx *ctx, const struct vnode *n, const struct viewer *v,
		GString *out);
