/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The limits over a cgroup and its ancestors, level by level (cg_limits.h has
 * the rules). Inputs, per level:
 *
 * - memory: v1 memory.limit_in_bytes and memory.memsw.limit_in_bytes
 *   (mm/memcontrol-v1.c), with memory.use_hierarchy; v2 memory.max,
 *   memory.swap.max, memory.high (Documentation/admin-guide/cgroup-v2.rst,
 *   "Memory Interface Files")
 * - pids.max (kernel/cgroup/pids.c), v1 and v2
 * - cpu: v1 cpu.cfs_quota_us / cpu.cfs_period_us, v2 cpu.max
 *   (kernel/sched/core.c, cpu_max_show and tg_set_cfs_quota: -1 or "max"
 *   is none; kernel/sched/fair.c throttles each level)
 * - cpuset: v1 cpuset.effective_cpus (cpuset.cpus on kernels without it),
 *   v2 cpuset.cpus.effective (kernel/cgroup/cpuset.c)
 */
#include "config.h"

#include "cg_limits.h"
#include "cgroup_files.h"
#include "util.h"

#include <errno.h>
#include <string.h>

static const char *const v1_memory[] = { "memory.limit_in_bytes", "memory.use_hierarchy", NULL };
static const char *const v1_memsw[] = { "memory.memsw.limit_in_bytes", "memory.use_hierarchy",
					NULL };
static const char *const v1_cpu[] = { "cpu.cfs_quota_us", "cpu.cfs_period_us", NULL };
static const char *const v1_cpuset[] = { "cpuset.effective_cpus", "cpuset.cpus", NULL };
static const char *const v2_memory[] = { "memory.max", NULL };
static const char *const v2_swap[] = { "memory.swap.max", NULL };
static const char *const v2_high[] = { "memory.high", NULL };
static const char *const v2_cpu[] = { "cpu.max", NULL };
static const char *const v2_cpuset[] = { "cpuset.cpus.effective", NULL };
static const char *const pids[] = { "pids.max", NULL };

const char *const *cg_limit_files(int version, enum cg_limit limit)
{
	bool v1 = version == 1;

	switch (limit) {
	case CG_LIMIT_MEMORY:
		return v1 ? v1_memory : v2_memory;
	case CG_LIMIT_MEMSW:
		return v1 ? v1_memsw : NULL;
	case CG_LIMIT_SWAP:
		return v1 ? NULL : v2_swap;
	case CG_LIMIT_MEMORY_HIGH:
		return v1 ? NULL : v2_high;
	case CG_LIMIT_PIDS:
		return pids;
	case CG_LIMIT_CPU:
		return v1 ? v1_cpu : v2_cpu;
	case CG_LIMIT_CPUSET:
		return v1 ? v1_cpuset : v2_cpuset;
	}
	return NULL;
}

/* The files the view shows a limit in (use_hierarchy, and v1's
 * cpuset.cpus, which is what was asked, not what applies, are not). */
static const struct {
	enum cg_limit limit;
	unsigned int file;
} shown[] = {
	{ CG_LIMIT_MEMORY, 0 },	     { CG_LIMIT_MEMSW, 0 },  { CG_LIMIT_SWAP, 0 },
	{ CG_LIMIT_MEMORY_HIGH, 0 }, { CG_LIMIT_PIDS, 0 },   { CG_LIMIT_CPU, 0 },
	{ CG_LIMIT_CPU, 1 },	     { CG_LIMIT_CPUSET, 0 },
};

bool cg_limit_of_file(int version, const char *name, enum cg_limit *limit, unsigned int *file)
{
	for (size_t i = 0; i < G_N_ELEMENTS(shown); i++) {
		const char *const *files = cg_limit_files(version, shown[i].limit);

		if (!files || !files[shown[i].file] || strcmp(files[shown[i].file], name) != 0)
			continue;
		if (limit)
			*limit = shown[i].limit;
		if (file)
			*file = shown[i].file;
		return true;
	}
	return false;
}

static void level_clear(gpointer p)
{
	struct cg_level *l = p;

	for (unsigned int k = 0; k < CG_LIMIT_FILES; k++)
		g_clear_pointer(&l->text[k], g_free);
	g_clear_pointer(&l->cpus, cpuset_free);
}

void cg_limits_clear(struct cg_limits *l)
{
	g_clear_pointer(&l->levels, g_array_unref);
	l->tightest = -1;
}

static unsigned int files_count(const char *const *files)
{
	unsigned int n = 0;

	while (files[n])
		n++;
	return n;
}

/* A byte or pid limit: v2 and pids.max "max" or a number; v1 memory a
 * number, from 2^62 up no limit. */
static int parse_value(int version, enum cg_limit limit, const char *text, uint64_t *v)
{
	bool v1_bytes = version == 1 && (limit == CG_LIMIT_MEMORY || limit == CG_LIMIT_MEMSW);

	if (!text) {
		*v = LIMIT_NONE;
		return 0;
	}
	if (v1_bytes ? parse_u64(text, v) < 0 : parse_max_u64(text, v) < 0)
		return -EINVAL;
	if (v1_bytes && *v >= (UINT64_C(1) << 62))
		*v = LIMIT_NONE;
	return 0;
}

/* v1: quota -1 is none; the kernel never shows 0 or anything below -1
 * (kernel/sched/core.c, tg_set_cfs_quota: any negative quota is stored as
 * none and read back as -1; 0 is refused). v2: cpu_max_parse. */
static int parse_quota(int version, char *const *text, uint64_t *quota, uint64_t *period)
{
	int64_t q;

	*quota = *period = 0;
	if (version == 2)
		return !text[0] || cpu_max_parse(text[0], quota, period) == 0 ? 0 : -EINVAL;
	if (!text[0])
		return 0;
	if (!text[1] || parse_i64(text[0], &q) < 0 || q == 0 || q < -1 ||
	    parse_u64(text[1], period) < 0 || *period == 0)
		return -EINVAL;
	*quota = q < 0 ? 0 : (uint64_t)q;
	return 0;
}

/* The first file the level has decides (v1's effective_cpus, else cpus). */
static int parse_cpus(char *const *text, unsigned int n, struct cpuset **cpus)
{
	*cpus = NULL;
	for (unsigned int k = 0; k < n; k++) {
		g_autoptr(cpuset) set = NULL;

		if (!text[k])
			continue;
		if (cpuset_parse(text[k], &set) < 0)
			return -EINVAL;
		if (cpuset_count(set))
			*cpus = g_steal_pointer(&set);
		return 0;
	}
	return 0;
}

/* Whether level (not the cgroup's own) is charged for the ones below it:
 * v1's memory.use_hierarchy, which is 1 when missing (kernels from 5.11
 * keep the file, always 1). */
static int reaches(int version, enum cg_limit limit, char *const *text, bool *yes)
{
	uint64_t v;

	*yes = true;
	if (version != 1 || (limit != CG_LIMIT_MEMORY && limit != CG_LIMIT_MEMSW) || !text[1])
		return 0;
	if (parse_u64(text[1], &v) < 0 || v > 1)
		return -EINVAL;
	*yes = v == 1;
	return 0;
}

/* Adds a level whose texts (n of them) are taken over; *done when no level
 * above can matter. */
static int level_add(int version, enum cg_limit limit, struct cg_limits *l, char **text,
		     unsigned int n, bool *done)
{
	struct cg_level lv = { 0 };
	const struct cg_level *best = cg_limits_tightest(l);
	bool reached = true, tighter;
	int r = 0;

	*done = false;
	for (unsigned int k = 0; k < n; k++)
		lv.text[k] = g_steal_pointer(&text[k]);
	if (l->levels->len > 0) {
		r = reaches(version, limit, lv.text, &reached);
		if (r == 0 && !reached) {
			level_clear(&lv);
			*done = true;
			return 0;
		}
	}
	switch (limit) {
	case CG_LIMIT_CPU:
		if (r == 0)
			r = parse_quota(version, lv.text, &lv.quota_us, &lv.period_us);
		/* The smaller quota/period, compared without division. */
		tighter = lv.quota_us &&
			  (!best || (unsigned __int128)lv.quota_us * best->period_us <
					    (unsigned __int128)best->quota_us * lv.period_us);
		break;
	case CG_LIMIT_CPUSET:
		if (r == 0)
			r = parse_cpus(lv.text, n, &lv.cpus);
		tighter = *done = lv.cpus != NULL;
		break;
	default:
		if (r == 0)
			r = parse_value(version, limit, lv.text[0], &lv.value);
		tighter = lv.value != LIMIT_NONE && (!best || lv.value < best->value);
		break;
	}
	if (r < 0) {
		level_clear(&lv);
		return r;
	}
	g_array_append_val(l->levels, lv);
	if (tighter)
		l->tightest = (int)l->levels->len - 1;
	return 0;
}

static int limits_start(int version, enum cg_limit limit, struct cg_limits *out, unsigned int *n)
{
	const char *const *files = cg_limit_files(version, limit);

	out->tightest = -1;
	out->levels = NULL;
	if (!files)
		return -EOPNOTSUPP;
	*n = files_count(files);
	out->levels = g_array_new(FALSE, TRUE, sizeof(struct cg_level));
	g_array_set_clear_func(out->levels, level_clear);
	return 0;
}

int cg_limits_parse(int version, enum cg_limit limit, const char *const *texts, guint levels,
		    struct cg_limits *out)
{
	unsigned int n;
	bool done = false;
	int r = limits_start(version, limit, out, &n);

	for (guint i = 0; r == 0 && !done && i < levels; i++) {
		char *text[CG_LIMIT_FILES] = { NULL };

		for (unsigned int k = 0; k < n; k++)
			text[k] = g_strdup(texts[i * n + k]);
		r = level_add(version, limit, out, text, n, &done);
	}
	if (r < 0)
		cg_limits_clear(out);
	return r;
}

int cg_limits_read(int version, enum cg_limit limit, const char *dir, const char *top,
		   cg_read_fn reader, void *data, struct cg_limits *out)
{
	const char *const *files = cg_limit_files(version, limit);
	g_autofree char *d = g_strdup(dir);
	size_t top_len = strlen(top);
	unsigned int n;
	bool done = false;
	int r;

	out->levels = NULL;
	out->tightest = -1;
	if (strncmp(dir, top, top_len) != 0 || (dir[top_len] != '/' && dir[top_len] != '\0'))
		return -EINVAL;
	r = limits_start(version, limit, out, &n);
	while (r == 0 && !done) {
		char *text[CG_LIMIT_FILES] = { NULL };

		for (unsigned int k = 0; r == 0 && k < n; k++) {
			g_autofree char *path = g_strconcat(d, "/", files[k], NULL);

			r = reader(path, &text[k], data);
			if (r == -ENOENT) {
				text[k] = NULL;
				r = 0;
			}
		}
		if (r == 0)
			r = level_add(version, limit, out, text, n, &done);
		for (unsigned int k = 0; k < n; k++)
			g_free(text[k]);
		/* Up to top, and no further. */
		if (strlen(d) <= top_len)
			break;
		*strrchr(d, '/') = '\0';
	}
	if (r < 0)
		cg_limits_clear(out);
	return r;
}
