/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The limits over a cgroup and its ancestors, one rule for every user: the
 * renderers' facts (cgroup.c, cgroup_memory_facts and cgroup_cpu_facts) and
 * the root of the sys/fs/cgroup view (src/fs/cgroup_view.c), which reads
 * the host's files its own way (beneath the sys root, no symlink followed)
 * and so hands its reader in.
 *
 * For one resource, each level from the cgroup up to its hierarchy's root
 * gives its value, and the level that applies is the tightest: the
 * smallest limit, the smallest quota/period, the nearest non-empty cpuset
 * (the kernel enforces every level: mm/page_counter.c charges each
 * ancestor's counter, kernel/sched/fair.c throttles each level's CFS
 * bandwidth, kernel/cgroup/pids.c checks each ancestor's pids.max). What a
 * text means:
 *
 * - no file at a level: nothing set there (v2's root has no memory.max; a
 *   controller not enabled in a subtree has no files)
 * - v2 "max" is no limit; v1 byte limits from 2^62 up are no limit (v1's
 *   "unlimited" is PAGE_COUNTER_MAX pages, 9223372036854771712 with 4 KiB
 *   pages: mm/memcontrol-v1.c prints it as a number)
 * - cpu quota: v1 cpu.cfs_quota_us -1 and v2 cpu.max "max" are no quota; a
 *   quota of 0 or below -1, a period of 0, or a v1 level with only one of
 *   the pair, is malformed
 * - an empty cpuset (a v1 cgroup before it is set) takes its parent's; the
 *   first non-empty one up the tree applies and the walk stops there
 * - v1 memory: the levels stop below an ancestor whose memory.use_hierarchy
 *   is 0 (kernels before 5.11, mm/memcontrol.c mem_cgroup_css_alloc: the
 *   children of such a cgroup are not charged to it), as the kernel's own
 *   hierarchical_memory_limit in memory.stat does
 *
 * A text that is none of these (not a number, empty, beyond 2^64): -EINVAL.
 */

#include "cpuset.h"

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#define LIMIT_NONE UINT64_MAX

enum cg_limit {
	CG_LIMIT_MEMORY, /* v1 memory.limit_in_bytes, v2 memory.max: bytes */
	CG_LIMIT_MEMSW, /* v1 memory.memsw.limit_in_bytes: memory and swap together */
	CG_LIMIT_SWAP, /* v2 memory.swap.max: swap alone */
	CG_LIMIT_MEMORY_HIGH, /* v2 memory.high */
	CG_LIMIT_PIDS, /* pids.max */
	CG_LIMIT_CPU, /* v1 cpu.cfs_quota_us and cpu.cfs_period_us, v2 cpu.max */
	CG_LIMIT_CPUSET, /* v1 cpuset.effective_cpus (else cpuset.cpus), v2 cpuset.cpus.effective */
};

/* Files a level has for one limit, at most. */
#define CG_LIMIT_FILES 2

struct cg_level {
	/* The texts of cg_limit_files(), in its order; NULL where the level
	 * has no such file. */
	char *text[CG_LIMIT_FILES];
	uint64_t value; /* memory, swap, pids: LIMIT_NONE when none */
	uint64_t quota_us, period_us; /* cpu: quota 0 when none */
	struct cpuset *cpus; /* cpuset: NULL when none or empty */
};

struct cg_limits {
	/* Of struct cg_level: the cgroup first, then each ancestor up to the
	 * hierarchy's root or to where the rules above stop. */
	GArray *levels;
	int tightest; /* index of the level that applies; -1 when none limits */
};

void cg_limits_clear(struct cg_limits *l);
typedef struct cg_limits cg_limits;
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(cg_limits, cg_limits_clear)

/* The files that feed limit at each level of a cgroup v1 or v2
 * (version) hierarchy, NULL-terminated; NULL when that version has no such
 * limit (v1 has no swap.max, v2 no memsw). */
const char *const *cg_limit_files(int version, enum cg_limit limit);

/* Whether name is one of the files of a limit (the one at *file of
 * cg_limit_files) in a hierarchy of that version. */
bool cg_limit_of_file(int version, const char *name, enum cg_limit *limit, unsigned int *file);

/* Parse only: levels texts, cg_limit_files(version, limit)'s texts of the
 * cgroup, then of its parent, and so on (texts[i * n + k]: file k of level
 * i, where n is the number of files; NULL where there is none).
 * -EOPNOTSUPP for a limit that version does not have. */
int cg_limits_parse(int version, enum cg_limit limit, const char *const *texts, guint levels,
		    struct cg_limits *out);

/* Reads the file at path ("DIR/FILE") into *text; -ENOENT when there is
 * none. */
typedef int (*cg_read_fn)(const char *path, char **text, void *data);

/* Reads limit's files with reader at dir, then at each directory above it up
 * to top (the hierarchy's root, which dir must be or be below: -EINVAL
 * otherwise), and parses them as cg_limits_parse does. A file that cannot
 * be read for another reason than -ENOENT is that error. */
int cg_limits_read(int version, enum cg_limit limit, const char *dir, const char *top,
		   cg_read_fn reader, void *data, struct cg_limits *out);

/* The level that applies, or NULL when no level limits. */
static inline const struct cg_level *cg_limits_tightest(const struct cg_limits *l)
{
	return l->tightest < 0 ? NULL : &g_array_index(l->levels, struct cg_level, l->tightest);
}

/* The limit in bytes or pids that applies; LIMIT_NONE when none. */
static inline uint64_t cg_limits_value(const struct cg_limits *l)
{
	const struct cg_level *t = cg_limits_tightest(l);

	return t ? t->value : LIMIT_NONE;
}
