/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* sys/fs/cgroup as a container sees it: its own cgroup as the root of each
 * hierarchy, limits at the root as they apply (the minimum over the
 * ancestors), pids as its pid namespace numbers them. */

#include "node.h"

#include <glib.h>

extern const struct vdir_ops cgroup_view_dir;

/* Whether a file at the root of the view shows the effective value. */
bool cg_effective_file(const char *name);

/*
 * The effective value of limit file name from its text in the cgroup and
 * each ancestor, nearest first (NULL: no such file at that level). For v1
 * cpu.cfs_quota_us and cpu.cfs_period_us, periods/quotas holds the other
 * file's texts, level for level: the pair with the smallest quota/period
 * wins. -EINVAL on a text that is not a limit.
 */
int cg_effective(const char *name, const char *const *texts, const char *const *others,
		 guint levels, GString *out);

/* Host pids (one per line) as the pid namespace of process ns_pid numbers
 * them, leaving out those it cannot see (proc_root: /proc). */
int cg_pids_translate(const char *proc_root, pid_t ns_pid, const char *host, GString *out);
