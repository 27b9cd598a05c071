/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* sys/fs/cgroup as a container sees it: its own cgroup as the root of each
 * hierarchy, limits at the root as they apply (the tightest level over
 * the ancestors, by the renderers' rules: cg_limits.h), pids as its pid
 * namespace numbers them. */

#include "node.h"

#include <glib.h>

extern const struct vdir_ops cgroup_view_dir;

/* Host pids (one per line) as the pid namespace of process ns_pid numbers
 * them, leaving out those it cannot see (proc_root: /proc). */
int cgroup_view_pids_translate(const char *proc_root, pid_t ns_pid, const char *host, GString *out);
