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
int view_swaps(struct lensfs_ctx *ctx, const char *name, const struct viewer *v, GString *out);
/* online, possible and present, by name. */
int view_cpu_list(struct lensfs_ctx *ctx, const char *name, const struct viewer *v, GString *out);

/* Which host CPU each cpuN of v's sys/devices/system/cpu is (cpu_map_clear
 * it). */
int view_cpu_map(struct lensfs_ctx *ctx, const struct viewer *v, struct cpu_map *m);

/* view's text for v, reused for the refresh time among viewers with the
 * same cgroups: path (the file's, from the mount point) keys it. */
int view_cached(struct lensfs_ctx *ctx, const char *path, view_fn view, const char *name,
		const struct viewer *v, GString *out);
