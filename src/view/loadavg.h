/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Per-container load averages, the kernel's way (kernel/sched/loadavg.c):
 * every period (5 s in the kernel) each average moves towards the number of
 * the container's threads that run or wait uninterruptibly, in 11-bit fixed
 * point. Only containers that read proc/loadavg are followed: the first
 * read starts a container's averages (from 0, as at boot), and one unread
 * for ten minutes is forgotten. With nobody reading, the sampling thread
 * sleeps and costs nothing (docs/design.md).
 */

#include "cgroup.h"

#include <glib.h>
#include <stdint.h>

#define LOADAVG_FSHIFT	11
#define LOADAVG_FIXED_1 (1u << LOADAVG_FSHIFT)

/* One period of the three averages (1, 5, 15 minutes) with active threads. */
void loadavg_step(uint64_t avg[3], unsigned int active);

struct lensfs_ctx;
struct loadavg_tracker;

/* count: how many threads of a cgroup are active now (its R and D). */
typedef unsigned int (*loadavg_count_fn)(struct lensfs_ctx *ctx, const struct cgroup_membership *m);
struct loadavg_tracker *loadavg_tracker_new(struct lensfs_ctx *ctx, unsigned int period_ms,
					    loadavg_count_fn count);
void loadavg_tracker_free(struct loadavg_tracker *t);
/* The container's averages; the first call for a cgroup starts following it. */
void loadavg_get(struct loadavg_tracker *t, const struct cgroup_membership *m, uint64_t avg[3]);
/* How many containers are followed (tests, benchmarks). */
unsigned int loadavg_followed(struct loadavg_tracker *t);
