/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "cgroup.h"
#include "mountinfo.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>

/* v1 names; CG_UNIFIED is no controller. */
static const char *const controller_name[CG__COUNT] = {
	[CG_MEMORY] = "memory", [CG_CPU] = "cpu",     [CG_CPUACCT] = "cpuacct",
	[CG_CPUSET] = "cpuset", [CG_BLKIO] = "blkio", [CG_UNIFIED] = NULL,
};

const char *cgroup_layout_kind_name(enum cg_layout_kind kind)
{
	switch (kind) {
	case CG_LAYOUT_V1:
		return "v1";
	case CG_LAYOUT_HYBRID:
		return "hybrid";
	case CG_LAYOUT_V2:
		return "v2";
	}
	return "?";
}

static void hierarchy_free(gpointer p)
{
	struct cgroup_hierarchy *h = p;

	g_free(h->dir);
	g_free(h->mount_root);
	g_free(h->controllers);
	g_free(h);
}

void cgroup_layout_free(struct cgroup_layout *layout)
{
	if (!layout)
		return;
	g_ptr_array_unref(layout->hierarchies);
	g_free(layout);
}

static char *reroot(const char *mountpoint, const char *sys_root)
{
	if (g_str_has_prefix(mountpoint, "/sys") && (mountpoint[4] == '/' || mountpoint[4] == '\0'))
		return g_strconcat(sys_root, mountpoint + 4, NULL);
	return g_strdup(mountpoint);
}

static bool list_has(const char *commas, const char *word)
{
	g_auto(GStrv) items = g_strsplit(commas, ",", -1);

	return g_strv_contains((const char *const *)items, word);
}

static bool v1_has_controller(const struct cgroup_hierarchy *h)
{
	for (int c = 0; c < CG__COUNT; c++)
		if (controller_name[c] && list_has(h->controllers, controller_name[c]))
			return true;
	return false;
}

/* Controllers the unified hierarchy offers (its root's cgroup.controllers). */
static bool unified_offers(const struct cgroup_hierarchy *h, enum cg_controller c)
{
	g_autofree char *text = NULL;
	g_autofree char *path = g_build_filename(h->dir, "cgroup.controllers", NULL);
	g_auto(GStrv) words = NULL;

	if (c == CG_CPUACCT)
		return true; /* cpu.stat usage_usec exists without any controller */
	if (file_read_all(path, &text, NULL) < 0)
		return false;
	words = g_strsplit_set(g_strstrip(text), " ", -1);
	/* v1's blkio is v2's io. */
	return g_strv_contains((const char *const *)words,
			       c == CG_BLKIO ? "io" : controller_name[c]);
}

static struct cgroup_hierarchy *mountinfo_line_hierarchy(const char *line, const char *sys_root)
{
	struct mountinfo_entry e;
	struct cgroup_hierarchy *h;

	if (mountinfo_entry_parse(line, &e) < 0)
		return NULL;
	if (strcmp(e.fstype, "cgroup") != 0 && strcmp(e.fstype, "cgroup2") != 0) {
		mountinfo_entry_clear(&e);
		return NULL;
	}
	h = g_new0(struct cgroup_hierarchy, 1);
	h->version = strcmp(e.fstype, "cgroup2") == 0 ? 2 : 1;
	h->dir = reroot(e.mountpoint, sys_root);
	h->mount_root = g_steal_pointer(&e.root);
	if (h->version == 1)
		h->controllers = g_steal_pointer(&e.super_opts);
	mountinfo_entry_clear(&e);
	return h;
}

int cgroup_layout_parse(const char *mountinfo, const char *sys_root, struct cgroup_layout **out)
{
	g_autoptr(cgroup_layout) layout = g_new0(struct cgroup_layout, 1);
	g_auto(GStrv) lines = g_strsplit(mountinfo, "\n", -1);
	bool any_v1 = false;

	layout->hierarchies = g_ptr_array_new_with_free_func(hierarchy_free);
	for (char **l = lines; *l; l++) {
		struct cgroup_hierarchy *h = mountinfo_line_hierarchy(*l, sys_root);

		if (!h)
			continue;
		g_ptr_array_add(layout->hierarchies, h);
		if (h->version == 2) {
			if (!layout->unified || strcmp(h->mount_root, "/") == 0)
				layout->unified = h;
			continue;
		}
		for (int c = 0; c < CG__COUNT; c++) {
			if (!controller_name[c] || !list_has(h->controllers, controller_name[c]))
				continue;
			/* The first mount wins, unless a later one shows the whole hierarchy. */
			if (!layout->ctrl[c] || (strcmp(layout->ctrl[c]->mount_root, "/") != 0 &&
						 strcmp(h->mount_root, "/") == 0))
				layout->ctrl[c] = h;
		}
		any_v1 = any_v1 || v1_has_controller(h);
	}
	if (!any_v1 && !layout->unified)
		return -ENOENT;
	layout->kind = !any_v1 ? CG_LAYOUT_V2 : layout->unified ? CG_LAYOUT_HYBRID : CG_LAYOUT_V1;
	for (int c = 0; c < CG__COUNT && layout->unified; c++) {
		if (layout->ctrl[c])
			continue;
		if (layout->kind == CG_LAYOUT_V2 || c == CG_UNIFIED ||
		    unified_offers(layout->unified, c))
			layout->ctrl[c] = layout->unified;
	}
	*out = g_steal_pointer(&layout);
	return 0;
}

void cgroup_membership_clear(struct cgroup_membership *m)
{
	for (int c = 0; c < CG__COUNT; c++)
		g_clear_pointer(&m->path[c], g_free);
}

void cgroup_membership_copy(struct cgroup_membership *dst, const struct cgroup_membership *src)
{
	for (int c = 0; c < CG__COUNT; c++)
		dst->path[c] = g_strdup(src->path[c]);
}

int cgroup_membership_parse(const struct cgroup_layout *layout, const char *text,
			    struct cgroup_membership *out)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	const char *unified_path = NULL;

	memset(out, 0, sizeof(*out));
	for (char **l = lines; *l; l++) {
		const char *c1 = strchr(*l, ':');
		const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		g_autofree char *ctrls = NULL;

		if (!c2) {
			if (**l) {
				cgroup_membership_clear(out);
				return -EINVAL;
			}
			continue;
		}
		if (c2[1] != '/') {
			cgroup_membership_clear(out);
			return -EINVAL;
		}
		if (c2 == c1 + 1) {
			unified_path = c2 + 1;
			continue;
		}
		ctrls = g_strndup(c1 + 1, (size_t)(c2 - c1 - 1));
		for (int c = 0; c < CG__COUNT; c++) {
			if (layout->ctrl[c] && layout->ctrl[c]->version == 1 &&
			    list_has(ctrls, controller_name[c]) && !out->path[c])
				out->path[c] = g_strdup(c2 + 1);
		}
	}
	for (int c = 0; c < CG__COUNT; c++) {
		if (layout->ctrl[c] && layout->ctrl[c]->version == 2 && unified_path)
			out->path[c] = g_strdup(unified_path);
	}
	return 0;
}

/* systemd's place for a container's init, which the container's cgroup
 * holds. */
static void strip_init_scope(char *path)
{
	if (path && g_str_has_suffix(path, "/init.scope")) {
		path[strlen(path) - strlen("/init.scope")] = '\0';
		if (!*path)
			strcpy(path, "/");
	}
}

void cgroup_membership_strip_init_scope(struct cgroup_membership *m)
{
	for (int c = 0; c < CG__COUNT; c++)
		strip_init_scope(m->path[c]);
}

bool cgroup_membership_is_root(const struct cgroup_membership *m)
{
	for (int c = 0; c < CG__COUNT; c++)
		if (m->path[c] && strcmp(m->path[c], "/") != 0)
			return false;
	return true;
}

static bool path_is_clean(const char *path)
{
	g_auto(GStrv) parts = NULL;

	if (path[0] != '/')
		return false;
	parts = g_strsplit(path, "/", -1);
	for (char **p = parts; *p; p++)
		if (strcmp(*p, "..") == 0 || strcmp(*p, ".") == 0)
			return false;
	return true;
}

int cgroup_hierarchy_dir(const struct cgroup_hierarchy *h, const char *path, char **out)
{
	const char *rel = path;

	if (!path_is_clean(path))
		return -EINVAL;
	if (strcmp(h->mount_root, "/") != 0) {
		size_t n = strlen(h->mount_root);

		if (strncmp(path, h->mount_root, n) != 0 || (path[n] != '/' && path[n] != '\0'))
			return -ENOENT;
		rel = path + n;
	}
	*out = g_strconcat(h->dir, strcmp(rel, "/") == 0 ? "" : rel, NULL);
	return 0;
}

int cgroup_dir(const struct cgroup_layout *layout, enum cg_controller c, const char *path,
	       char **out)
{
	const struct cgroup_hierarchy *h = layout->ctrl[c];

	if (!h || !path)
		return -ENOENT;
	return cgroup_hierarchy_dir(h, path, out);
}

int cgroup_hierarchy_paths(const struct cgroup_layout *layout, const char *text, GPtrArray **out)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func(g_free);

	g_ptr_array_set_size(paths, (gint)layout->hierarchies->len);
	for (char **l = lines; *l; l++) {
		const char *c1 = strchr(*l, ':');
		const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		g_autofree char *ctrls = NULL;
		g_auto(GStrv) words = NULL;

		if (!c2 || c2[1] != '/') {
			if (**l)
				return -EINVAL;
			continue;
		}
		ctrls = g_strndup(c1 + 1, (size_t)(c2 - c1 - 1));
		words = g_strsplit(ctrls, ",", -1);
		for (guint i = 0; i < layout->hierarchies->len; i++) {
			const struct cgroup_hierarchy *h = layout->hierarchies->pdata[i];
			bool match = h->version == 2 ? !*ctrls : h->version == 1 && *ctrls;

			for (char **w = words; match && *w; w++)
				match = list_has(h->controllers, *w);
			if (match && !paths->pdata[i])
				paths->pdata[i] = g_strdup(c2 + 1);
		}
	}
	*out = g_steal_pointer(&paths);
	return 0;
}

int cgroup_container_path(const struct cgroup_layout *layout, const char *text, GPtrArray **paths,
			  char **own)
{
	const struct cgroup_hierarchy *want[] = { layout->ctrl[CG_MEMORY], layout->ctrl[CG_CPU],
						  layout->unified };
	g_autoptr(GPtrArray) p = NULL;
	int r = cgroup_hierarchy_paths(layout, text, &p);

	if (r < 0)
		return r;
	for (guint i = 0; i < p->len; i++)
		strip_init_scope(p->pdata[i]);
	*own = NULL;
	/* A hierarchy where the container sits elsewhere (a runtime that
	 * left it where the host put it, "/" for one it does not manage)
	 * shows nothing of it. */
	for (size_t k = 0; !*own && k < G_N_ELEMENTS(want); k++)
		for (guint i = 0; want[k] && i < layout->hierarchies->len; i++)
			if (layout->hierarchies->pdata[i] == want[k] && p->pdata[i]) {
				*own = g_strdup(p->pdata[i]);
				break;
			}
	if (paths)
		*paths = g_steal_pointer(&p);
	if (*own && strcmp(*own, "/") == 0)
		g_clear_pointer(own, g_free);
	return *own ? 0 : -ENOENT;
}

static int read_in(const char *dir, const char *file, char **out)
{
	g_autofree char *path = g_build_filename(dir, file, NULL);

	return file_read_all(path, out, NULL);
}

static int read_file(const char *path, char **text, void *data)
{
	(void)data;
	return file_read_all(path, text, NULL);
}

/* limit over the cgroup at path in controller c's hierarchy and its
 * ancestors (cg_limits.h). Missing files above mean "no limit there"; a
 * missing cgroup is not the same thing (it vanished, or was never there). */
static int limits_of(const struct cgroup_layout *layout, enum cg_controller c, const char *path,
		     enum cg_limit limit, struct cg_limits *out)
{
	const struct cgroup_hierarchy *h = layout->ctrl[c];
	g_autofree char *dir = NULL;
	int r = cgroup_dir(layout, c, path, &dir);

	if (r < 0)
		return r;
	if (access(dir, F_OK) < 0)
		return -errno;
	return cg_limits_read(h->version, limit, dir, h->dir, read_file, NULL, out);
}

static int read_u64_in(const char *dir, const char *file, uint64_t *out)
{
	g_autofree char *path = g_build_filename(dir, file, NULL);

	return file_read_u64(path, out);
}

/*
 * The memory and swap limits of the cgroup at path (cg_limits.h: the smallest
 * over it and its ancestors). v1 (mm/memcontrol-v1.c):
 * memory.limit_in_bytes, and memory.memsw.limit_in_bytes, which counts
 * memory plus swap: swap alone is memsw - memory (the same minimums the
 * kernel prints as hierarchical_memory_limit and hierarchical_memsw_limit
 * in memory.stat). v2 (Documentation/admin-guide/cgroup-v2.rst, "Memory
 * Interface Files"): memory.max and memory.swap.max.
 */
static int memory_limits(const struct cgroup_layout *layout, const char *path,
			 struct memory_facts *out)
{
	bool v1 = layout->ctrl[CG_MEMORY]->version == 1;
	g_auto(cg_limits) mem = { 0 };
	g_auto(cg_limits) swap = { 0 };
	uint64_t memsw;
	int r = limits_of(layout, CG_MEMORY, path, CG_LIMIT_MEMORY, &mem);

	if (r == 0)
		r = limits_of(layout, CG_MEMORY, path, v1 ? CG_LIMIT_MEMSW : CG_LIMIT_SWAP, &swap);
	if (r < 0)
		return r;
	out->limit = cg_limits_value(&mem);
	out->swap_limit = cg_limits_value(&swap);
	if (v1 && out->swap_limit != LIMIT_NONE) {
		memsw = out->swap_limit;
		out->swap_limit = sat_sub(memsw, out->limit == LIMIT_NONE ? memsw : out->limit);
	}
	out->limited = out->limit != LIMIT_NONE || out->swap_limit != LIMIT_NONE;
	return 0;
}

/* v1: mm/memcontrol-v1.c; usage from memory.usage_in_bytes and
 * memory.memsw.usage_in_bytes (memory plus swap: swap alone is the
 * difference). */
static int memory_facts_v1(const struct cgroup_layout *layout, const char *dir, const char *path,
			   struct memory_facts *out)
{
	g_autofree char *stat = NULL;
	uint64_t memsw_usage;
	int r = read_in(dir, "memory.stat", &stat);

	if (r < 0)
		return r;
	r = memory_stat_parse(stat, 1, &out->stat);
	if (r < 0)
		return r;
	r = memory_limits(layout, path, out);
	if (r < 0 || !out->limited)
		return r;
	r = read_u64_in(dir, "memory.usage_in_bytes", &out->usage);
	if (r < 0)
		return r;
	r = read_u64_in(dir, "memory.memsw.usage_in_bytes", &memsw_usage);
	if (r == -ENOENT) /* swap accounting off */
		out->swap_usage = 0;
	else if (r < 0)
		return r;
	else
		out->swap_usage = sat_sub(memsw_usage, out->usage);
	return 0;
}

/* v2: Documentation/admin-guide/cgroup-v2.rst, "Memory Interface Files". */
static int memory_facts_v2(const struct cgroup_layout *layout, const char *dir, const char *path,
			   struct memory_facts *out)
{
	g_autofree char *stat = NULL;
	int r = memory_limits(layout, path, out);

	if (r < 0 || !out->limited)
		return r;
	r = read_u64_in(dir, "memory.current", &out->usage);
	if (r < 0)
		return r;
	r = read_u64_in(dir, "memory.swap.current", &out->swap_usage);
	if (r == -ENOENT)
		out->swap_usage = 0;
	else if (r < 0)
		return r;
	r = read_in(dir, "memory.stat", &stat);
	if (r < 0)
		return r;
	return memory_stat_parse(stat, 2, &out->stat);
}

int cgroup_memory_facts(const struct cgroup_layout *layout, const char *path,
			struct memory_facts *out)
{
	g_autofree char *dir = NULL;
	int r;

	memset(out, 0, sizeof(*out));
	out->limit = out->swap_limit = LIMIT_NONE;
	if (!layout->ctrl[CG_MEMORY])
		return 0; /* no memory controller: nothing limits memory */
	r = cgroup_dir(layout, CG_MEMORY, path, &dir);
	if (r < 0)
		return r;
	if (layout->ctrl[CG_MEMORY]->version == 1)
		return memory_facts_v1(layout, dir, path, out);
	return memory_facts_v2(layout, dir, path, out);
}

void cpu_facts_clear(struct cpu_facts *f)
{
	g_clear_pointer(&f->cpus, cpuset_free);
	g_clear_pointer(&f->mems, cpuset_free);
}

/*
 * The cpuset (formulas.md, "Visible CPUs"): v2 cpuset.cpus.effective, v1
 * cpuset.effective_cpus (or cpuset.cpus), of the nearest cgroup up the tree
 * that has a non-empty one (a v1 cpuset can be empty until it is set; a v2
 * cgroup without the controller has no file). The quota: the smallest
 * quota/period over the cgroup and its ancestors, v2 cpu.max, v1
 * cpu.cfs_quota_us / cpu.cfs_period_us (kernel/sched/fair.c throttles each
 * level). cg_limits.h has the rules of both.
 */
int cgroup_cpu_facts(const struct cgroup_layout *layout, const struct cgroup_membership *m,
		     struct cpu_facts *out)
{
	int r;

	memset(out, 0, sizeof(*out));
	if (layout->ctrl[CG_CPUSET] && m->path[CG_CPUSET]) {
		g_auto(cg_limits) l = { 0 };

		r = limits_of(layout, CG_CPUSET, m->path[CG_CPUSET], CG_LIMIT_CPUSET, &l);
		if (r < 0)
			return r;
		if (l.tightest >= 0)
			out->cpus = g_steal_pointer(
				&g_array_index(l.levels, struct cg_level, l.tightest).cpus);
		r = cgroup_mems(layout, m, &out->mems);
		if (r < 0) {
			cpu_facts_clear(out);
			return r;
		}
	}
	if (layout->ctrl[CG_CPU] && m->path[CG_CPU]) {
		g_auto(cg_limits) l = { 0 };
		const struct cg_level *t;

		r = limits_of(layout, CG_CPU, m->path[CG_CPU], CG_LIMIT_CPU, &l);
		if (r < 0) {
			cpu_facts_clear(out);
			return r;
		}
		t = cg_limits_tightest(&l);
		if (t) {
			out->quota_us = t->quota_us;
			out->period_us = t->period_us;
		}
	}
	return 0;
}

/* v1: cpuacct.usage (ns, kernel/sched/cpuacct.c); v2: cpu.stat usage_usec
 * (kernel/cgroup/rstat.c, cgroup_base_stat_cputime_show). */
int cgroup_cpu_usage(const struct cgroup_layout *layout, const struct cgroup_membership *m,
		     uint64_t *usage_us)
{
	g_autofree char *dir = NULL;
	g_autofree char *text = NULL;
	int r = cgroup_dir(layout, CG_CPUACCT, m->path[CG_CPUACCT], &dir);

	if (r < 0)
		return r;
	if (layout->ctrl[CG_CPUACCT]->version == 1) {
		uint64_t ns;

		r = read_u64_in(dir, "cpuacct.usage", &ns);
		if (r < 0)
			return r;
		*usage_us = ns / 1000;
		return 0;
	}
	r = read_in(dir, "cpu.stat", &text);
	if (r < 0)
		return r;
	return kv_find_u64(text, "usage_usec", usage_us);
}

/*
 * v2: cpu.stat user_usec and system_usec, which the kernel scales so that
 * they add up to usage_usec and never decrease (kernel/sched/cputime.c,
 * cputime_adjust). v1: cpuacct.usage_user and cpuacct.usage_sys (ns,
 * kernel/sched/cpuacct.c; each only grows); kernels before 4.7 lack them,
 * and there cpuacct.usage is split in the ratio of cpuacct.stat's user and
 * system ticks (a split that can move back: view.c keeps every shown value
 * from falling).
 */
int cgroup_cpu_times(const struct cgroup_layout *layout, const struct cgroup_membership *m,
		     struct cpu_times *out)
{
	g_autofree char *dir = NULL;
	g_autofree char *text = NULL;
	uint64_t usage_us, user, system;
	int r = cgroup_dir(layout, CG_CPUACCT, m->path[CG_CPUACCT], &dir);

	if (r < 0)
		return r;
	if (layout->ctrl[CG_CPUACCT]->version == 2) {
		r = read_in(dir, "cpu.stat", &text);
		if (r >= 0)
			r = kv_find_u64(text, "user_usec", &out->user_us);
		if (r >= 0)
			r = kv_find_u64(text, "system_usec", &out->system_us);
		return r;
	}
	r = read_u64_in(dir, "cpuacct.usage_user", &user);
	if (r >= 0)
		r = read_u64_in(dir, "cpuacct.usage_sys", &system);
	if (r >= 0) {
		out->user_us = user / 1000;
		out->system_us = system / 1000;
		return 0;
	}
	if (r != -ENOENT)
		return r;
	r = cgroup_cpu_usage(layout, m, &usage_us);
	if (r >= 0)
		r = read_in(dir, "cpuacct.stat", &text);
	if (r >= 0)
		r = kv_find_u64(text, "user", &user);
	if (r >= 0)
		r = kv_find_u64(text, "system", &system);
	if (r < 0)
		return r;
	out->system_us =
		user + system ? (uint64_t)((unsigned __int128)usage_us * system / (user + system))
			      : 0;
	out->user_us = usage_us - out->system_us;
	return 0;
}

/* Appends the ids listed in file of dir and of every cgroup below it: a v2
 * cgroup's processes may sit in children (init.scope), and a v1 "tasks"
 * lists the cgroup's own threads only. */
static int list_below(const char *dir, const char *file, int depth, unsigned int *cgroups,
		      GArray *tids)
{
	g_autofree char *text = NULL;
	struct dirent *e;
	DIR *d;
	int r = read_in(dir, file, &text);

	if (r < 0)
		return r;
	/* One id a line; read in place: a list can hold tens of thousands. */
	for (const char *p = text; *p;) {
		unsigned long tid;
		char *end;

		if (*p == '\n') {
			p++;
			continue;
		}
		pid_t t;

		errno = 0;
		tid = strtoul(p, &end, 10);
		if (end == p || errno || tid == 0 || tid > INT_MAX || (*end && *end != '\n'))
			return -EINVAL;
		t = (pid_t)tid;
		g_array_append_val(tids, t);
		p = end;
	}
	if (depth >= 64)
		return 0;
	d = opendir(dir);
	if (!d)
		return 0;
	/* Child cgroups by the directory entry's type, which cgroupfs gives:
	 * no stat of each of the cgroup's twenty-odd files. */
	while (r >= 0 && *cgroups > 0 && (e = readdir(d))) {
		g_autofree char *sub = NULL;
		struct stat st;
		bool is_dir = e->d_type == DT_DIR;

		if (e->d_type == DT_UNKNOWN)
			is_dir = fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
				 S_ISDIR(st.st_mode);
		if (!is_dir || strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		sub = g_build_filename(dir, e->d_name, NULL);
		(*cgroups)--;
		r = list_below(sub, file, depth + 1, cgroups, tids);
		/* A child removed meanwhile is no error. */
		if (r == -ENOENT)
			r = 0;
	}
	closedir(d);
	return r < 0 ? r : 0;
}

/* The ids listed in file (v1) or file_v2 of the cgroup and those below it. */
static int ids_below(const struct cgroup_layout *layout, const struct cgroup_membership *m,
		     unsigned int max_cgroups, const char *file, const char *file_v2, GArray **ids)
{
	g_autofree char *dir = NULL;
	unsigned int cgroups = max_cgroups;
	int r = cgroup_dir(layout, CG_CPUACCT, m->path[CG_CPUACCT], &dir);

	if (r < 0)
		return r;
	*ids = g_array_new(FALSE, FALSE, sizeof(pid_t));
	r = list_below(dir, layout->ctrl[CG_CPUACCT]->version == 2 ? file_v2 : file, 0, &cgroups,
		       *ids);
	if (r < 0)
		g_clear_pointer(ids, g_array_unref);
	return r;
}

int cgroup_threads(const struct cgroup_layout *layout, const struct cgroup_membership *m,
		   unsigned int max_cgroups, GArray **tids)
{
	return ids_below(layout, m, max_cgroups, "tasks", "cgroup.threads", tids);
}

int cgroup_processes(const struct cgroup_layout *layout, const struct cgroup_membership *m,
		     unsigned int max_cgroups, GArray **pids)
{
	return ids_below(layout, m, max_cgroups, "cgroup.procs", "cgroup.procs", pids);
}

/* A file of the cgroup at path in controller c's hierarchy: -EOPNOTSUPP
 * when the cgroup is there and the file is not (the kernel keeps no such
 * file for it); a vanished cgroup stays -ENOENT. */
static int read_if_kept(const struct cgroup_layout *layout, enum cg_controller c, const char *path,
			const char *file, char **text)
{
	g_autofree char *dir = NULL;
	int r = cgroup_dir(layout, c, path, &dir);

	if (r < 0)
		return r;
	r = read_in(dir, file, text);
	if (r == -ENOENT && g_file_test(dir, G_FILE_TEST_IS_DIR))
		return -EOPNOTSUPP;
	return r;
}

int cgroup_pressure(const struct cgroup_layout *layout, const struct cgroup_membership *m,
		    const char *kind, char **text)
{
	g_autofree char *file = g_strconcat(kind, ".pressure", NULL);

	/* No unified hierarchy: no pressure files anywhere. */
	if (!layout->ctrl[CG_UNIFIED] || !m->path[CG_UNIFIED])
		return -EOPNOTSUPP;
	/* -EOPNOTSUPP: a kernel without PSI. */
	return read_if_kept(layout, CG_UNIFIED, m->path[CG_UNIFIED], file, text);
}

int cgroup_pressure_open(const struct cgroup_layout *layout, const struct cgroup_membership *m,
			 const char *kind)
{
	const uint64_t beneath =
		RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;
	const struct cgroup_hierarchy *h = layout->ctrl[CG_UNIFIED];
	g_autofree char *dir = NULL;
	g_autofree char *file = g_strconcat(kind, ".pressure", NULL);
	autoclose int top = -1, cg = -1;
	const char *rel;
	int fd, r;

	if (!h || !m->path[CG_UNIFIED])
		return -EOPNOTSUPP;
	r = cgroup_hierarchy_dir(h, m->path[CG_UNIFIED], &dir);
	if (r < 0)
		return r;
	/* dir is h->dir and the cgroup's path below the mount's root. */
	rel = dir + strlen(h->dir);
	while (*rel == '/')
		rel++;
	top = open(h->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (top < 0)
		return -errno;
	cg = openat2_in(top, *rel ? rel : ".", O_PATH | O_DIRECTORY, beneath);
	if (cg < 0)
		return cg;
	fd = openat2_in(cg, file, O_RDWR | O_NONBLOCK | O_NOCTTY, beneath);
	/* The cgroup is there, the file is not: a kernel without PSI. */
	return fd == -ENOENT ? -EOPNOTSUPP : fd;
}

int cgroup_mems(const struct cgroup_layout *layout, const struct cgroup_membership *m,
		struct cpuset **out)
{
	static const char *const files[2][2] = { { "cpuset.effective_mems", "cpuset.mems" },
						 { "cpuset.mems.effective", NULL } };
	g_autofree char *dir = NULL, *text = NULL;
	int r;

	*out = NULL;
	if (!layout->ctrl[CG_CPUSET] || !m->path[CG_CPUSET])
		return 0;
	r = cgroup_dir(layout, CG_CPUSET, m->path[CG_CPUSET], &dir);
	if (r < 0)
		return r;
	r = -ENOENT;
	for (int i = 0; i < 2 && r == -ENOENT; i++) {
		const char *file = files[layout->ctrl[CG_CPUSET]->version - 1][i];

		r = file ? read_in(dir, file, &text) : -ENOENT;
	}
	if (r == -ENOENT && g_file_test(dir, G_FILE_TEST_IS_DIR))
		return 0; /* no cpuset controller in this subtree (v2) */
	if (r < 0)
		return r;
	r = cpuset_parse(text, out);
	if (r == 0 && cpuset_count(*out) == 0)
		g_clear_pointer(out, cpuset_free);
	return r;
}

int cgroup_memory_file(const struct cgroup_layout *layout, const char *path, const char *file,
		       char **text)
{
	if (!layout->ctrl[CG_MEMORY] || !path)
		return -ENOENT;
	return read_if_kept(layout, CG_MEMORY, path, file, text);
}

/* v1: the _recursive files count the descendants too, like v2's io.stat;
 * kernels before 4.x have only the others. */
static int read_throttle(const char *dir, const char *name, char **text)
{
	g_autofree char *recursive = g_strconcat(name, "_recursive", NULL);
	int r = read_in(dir, recursive, text);

	return r == -ENOENT ? read_in(dir, name, text) : r;
}

int cgroup_io(const struct cgroup_layout *layout, const struct cgroup_membership *m, GArray **devs)
{
	g_autofree char *dir = NULL;
	g_autofree char *ios = NULL, *bytes = NULL;
	g_autoptr(GArray) out = g_array_new(FALSE, TRUE, sizeof(struct io_dev));
	int r;

	r = cgroup_dir(layout, CG_BLKIO, m->path[CG_BLKIO], &dir);
	if (r < 0)
		return r;
	if (layout->ctrl[CG_BLKIO]->version == 2) {
		r = read_in(dir, "io.stat", &ios);
		if (r >= 0)
			r = io_stat_parse(ios, out);
	} else {
		r = read_throttle(dir, "blkio.throttle.io_serviced", &ios);
		if (r >= 0)
			r = read_throttle(dir, "blkio.throttle.io_service_bytes", &bytes);
		if (r >= 0)
			r = blkio_throttle_parse(ios, false, out);
		if (r >= 0)
			r = blkio_throttle_parse(bytes, true, out);
	}
	/* No io controller in this subtree (v2), or no counters (v1): no I/O
	 * to show, while the cgroup itself is there. */
	if (r == -ENOENT && g_file_test(dir, G_FILE_TEST_IS_DIR)) {
		g_array_set_size(out, 0);
		r = 0;
	}
	if (r < 0)
		return r;
	*devs = g_steal_pointer(&out);
	return 0;
}
