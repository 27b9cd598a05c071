/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* sys/devices/system/cpu as a container sees it: cpuN directories of its
 * visible CPUs only, numbered from 0, passing the real CPU's files through
 * with CPU numbers in them renumbered alike. */

#include "cpuset.h"

#include <glib.h>
#include <stdbool.h>

/* Which host CPU each cpuN of a view stands for. */
struct cpu_map {
	bool identity; /* every online CPU visible: the host's own names */
	unsigned int nshown;
	unsigned int *host; /* host[N] is cpuN's host number, ascending */
};

/* The map of a reader who sees the host CPUs in visible (identity when
 * they are every online CPU). */
void cpu_map_init(struct cpu_map *m, const struct cpuset *visible, bool identity);
void cpu_map_clear(struct cpu_map *m);
/* cpuN's host number; -ENOENT when the view has no cpuN. */
int cpu_map_host(const struct cpu_map *m, unsigned int shown);
/* The number host CPU h is shown under; -ENOENT when it is not visible. */
int cpu_map_shown(const struct cpu_map *m, unsigned int host);

/* The members of host (host numbers) that m shows, by their shown
 * numbers; those it does not show are left out. Also serves a map of
 * memory nodes (view_node_map). */
struct cpuset *cpu_map_renumber(const struct cpu_map *m, const struct cpuset *host);

/* N for a name "cpuN" (decimal, no leading zero); -EINVAL for any other name. */
int cpu_dir_name_number(const char *name);

/* What a reader with map m reads in a passed-through file named name
 * (its last path component) whose host text is host: CPU lists and masks
 * renumbered, CPUs not visible left out; anything else as it is. -EINVAL
 * when a list or mask file is not one. */
int cpu_text_translate(const struct cpu_map *m, const char *name, const char *host, GString *out);

/* The host entry (below sys_root) that name in the reader's cpu directory
 * stands for, or -ENOENT: "cpu0" -> "devices/system/cpu/cpu2" for a reader
 * who sees host CPU 2 first; the host's own cpuN names are hidden. */
int cpu_dir_resolve(const struct cpu_map *m, const char *name, char **hpath);
/* The names of the reader's cpu directory, from the host directory's
 * names: cpu0..cpuN-1 first, then the host's other entries, sorted. */
GPtrArray *cpu_dir_names(const struct cpu_map *m, const char *const *host_names);
