/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Gather each file's inputs (host files, cgroup facts) and call its renderer. */

#include "context.h"
#include "cpu_dir.h"

#include <glib.h>

/* A file's text for v. name: the file's own name, for the views that serve
 * several (cpu lists, pressure). */
typedef int (*view_fn)(struct lensfs_ctx *ctx, const char *name, const struct viewer *v,
		       GString *out);

int view_meminfo(struct lensfs_ctx *ctx, const char *name, const struct viewer *v, GString *out);
int view_cpuinfo(struct lensfs_ctx *ctx, const char *name, const struct viewer *v, GString *out);
int view_uptime(struct lensfs_ctx *ctx, const char *name, const struct viewer *v, GString *out);
int view_diskstats(struct lensfs_ctx *ctx, const char *name, const struct viewer *v, GString *out);
int view_loadavg(struct lensfs_ctx *ctx, const char *name, const struct viewer *v, GString *out);
int view_stat(struct lensfs_ctx *ctx, const char *name, const struct viewer *v, GString *out);
/* cpu, memory or io, by name. */
int view_pressure(struct lensfs_ctx *ctx, const char *name, const struct viewer *v, GString *out);
int view_vmstat(struct lensfs_ctx *ctx, const char *name, const struct viewer *v, GString *out);
int view_slabinfo(struct lensfs_ctx *ctx, const char *name, const struct viewer *v, GString *out);
int view_swaps(struct lensfs_ctx *ctx, const char *name, const struct viewer *v, GString *out);
/* online, possible and present, by name. */
int view_cpu_list(struct lensfs_ctx *ctx, const char *name, const struct viewer *v, GString *out);

/* Which host memory node each nodeN of v's sys/devices/system/node is:
 * the nodes of its cpuset.mems that are online (cpu_map_clear it; identity
 * when they are all the online nodes); the host's online nodes too when
 * online is not NULL. */
int view_node_map(struct lensfs_ctx *ctx, const struct viewer *v, struct cpu_map *m,
		  struct cpuset **online);
/* online, possible, has_cpu, has_memory, has_normal_memory, by name. */
int view_node_list(struct lensfs_ctx *ctx, const char *name, const struct viewer *v, GString *out);
/* What v reads in file name of host node host's directory, whose host text
 * is text: meminfo, distance, cpulist and cpumap as v sees them, any other
 * file as it is; -ENOENT when v does not see the node. */
int view_node_file(struct lensfs_ctx *ctx, const struct viewer *v, unsigned int host,
		   const char *name, const char *text, GString *out);

/* Which host CPU each cpuN of v's sys/devices/system/cpu is (cpu_map_clear
 * it). */
int view_cpu_map(struct lensfs_ctx *ctx, const struct viewer *v, struct cpu_map *m);

/* view's text for v, reused for the refresh time among viewers with the
 * same cgroups: path (the file's, from the mount point) keys it. */
int view_cached(struct lensfs_ctx *ctx, const char *path, view_fn view, const char *name,
		const struct viewer *v, GString *out);
