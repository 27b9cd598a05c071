/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* sys/fs/cgroup as a container sees it: its own cgroup as the root of each
 * hierarchy, limits at the root as they apply (the tightest level over
 * the ancestors, by the renderers' rules: cg_limits.h), pids as its pid
 * namespace numbers them. */

#include "context.h"

#include <glib.h>

struct vdir_ops;
extern const struct vdir_ops view_cgroup_dir;
/* The cache of each container's roots (context.h, cg_roots). */
struct ttl_cache *cgroup_view_roots_cache(uint64_t ttl_us);

/* Host pids (one per line) as the pid namespace of process ns_pid numbers
 * them, leaving out those it cannot see (proc_root: /proc). */
int cg_pids_translate(const char *proc_root, pid_t ns_pid, const char *host, GString *out);
