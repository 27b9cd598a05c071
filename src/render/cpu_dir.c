/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sys/devices/system/cpu for a container (docs/design.md, "The cpu
 * directory"). The visible CPUs are the ones proc/cpuinfo and cpu/online
 * show (cpu_online.c); the k-th lowest of them is cpuk. Each cpuk passes the
 * real CPU's directory through (drivers/base/cpu.c, topology.c, cacheinfo.c),
 * and the files that name CPUs are renumbered the same way:
 *   - lists in the kernel's list format ("%*pbl", cpumap_print_list_to_buf):
 *     topology/ *_list, cache/index* /shared_cpu_list, and the directory's
 *     own enabled, offline, isolated, nohz_full;
 *   - masks in the kernel's bitmap format ("%*pb", cpumap_print_bitmask_to_buf:
 *     32-bit hex groups, comma separated, highest first): topology/core_cpus,
 *     thread_siblings, core_siblings, package_cpus, die_cpus, cluster_cpus,
 *     book_siblings, drawer_siblings, cache/index* /shared_cpu_map;
 *   - cpufreq's affected_cpus and related_cpus, space separated
 *     (drivers/cpufreq/cpufreq.c, show_cpus).
 * CPUs the container does not see are left out of them.
 */
#include "config.h"

#include "cpu_dir.h"

#include <errno.h>
#include <string.h>

void cpu_map_init(struct cpu_map *m, const struct cpuset *visible, bool identity)
{
	unsigned int limit = cpuset_limit(visible), n = 0;

	m->identity = identity;
	m->nshown = cpuset_count(visible);
	m->host = g_new(unsigned int, MAX(m->nshown, 1));
	for (unsigned int cpu = 0; cpu < limit; cpu++)
		if (cpuset_test(visible, cpu))
			m->host[n++] = cpu;
}

void cpu_map_clear(struct cpu_map *m)
{
	g_clear_pointer(&m->host, g_free);
	m->nshown = 0;
}

int cpu_map_host(const struct cpu_map *m, unsigned int shown)
{
	if (m->identity)
		return (int)shown;
	return shown < m->nshown ? (int)m->host[shown] : -ENOENT;
}

int cpu_map_shown(const struct cpu_map *m, unsigned int host)
{
	unsigned int lo = 0, hi = m->nshown;

	if (m->identity)
		return (int)host;
	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (m->host[mid] == host)
			return (int)mid;
		if (m->host[mid] < host)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -ENOENT;
}

int cpu_dir_name_number(const char *name)
{
	const char *p = name + 3;
	unsigned int n = 0;

	if (strncmp(name, "cpu", 3) != 0 || !g_ascii_isdigit(*p) || (p[0] == '0' && p[1]))
		return -EINVAL;
	for (; *p; p++) {
		if (!g_ascii_isdigit(*p) || n > CPUSET_MAX_CPU)
			return -EINVAL;
		n = n * 10 + (unsigned int)(*p - '0');
	}
	return n > CPUSET_MAX_CPU ? -EINVAL : (int)n;
}

enum cpu_text { TEXT_OTHER, TEXT_LIST, TEXT_MASK, TEXT_SPACED };

static enum cpu_text text_kind(const char *name)
{
	/* cpulist and cpumap: a memory node's CPUs (node/nodeN) */
	static const char *const lists[] = { "enabled", "offline", "isolated", "nohz_full",
					     "cpulist" };
	static const char *const masks[] = { "core_cpus",     "thread_siblings", "core_siblings",
					     "package_cpus",  "die_cpus",	 "cluster_cpus",
					     "book_siblings", "drawer_siblings", "shared_cpu_map",
					     "cpumap" };

	if (g_str_has_suffix(name, "_list"))
		return TEXT_LIST;
	if (strcmp(name, "affected_cpus") == 0 || strcmp(name, "related_cpus") == 0)
		return TEXT_SPACED;
	for (size_t i = 0; i < G_N_ELEMENTS(lists); i++)
		if (strcmp(name, lists[i]) == 0)
			return TEXT_LIST;
	for (size_t i = 0; i < G_N_ELEMENTS(masks); i++)
		if (strcmp(name, masks[i]) == 0)
			return TEXT_MASK;
	return TEXT_OTHER;
}

/* The bitmap format: "00000000,00000003\n". Also says how many groups and
 * how wide the first one is, to write the answer in the same shape. */
static int mask_parse(const char *text, struct cpuset *set, unsigned int *groups,
		      unsigned int *first_width)
{
	g_auto(GStrv) parts = NULL;
	g_autofree char *line = g_strdup(text);
	unsigned int n;

	g_strchomp(line);
	parts = g_strsplit(line, ",", -1);
	n = g_strv_length(parts);
	if (n == 0 || n > (CPUSET_MAX_CPU + 1) / 32)
		return -EINVAL;
	for (unsigned int i = 0; i < n; i++) {
		size_t len = strlen(parts[i]);
		uint64_t v = 0;

		if (len == 0 || len > 8)
			return -EINVAL;
		for (const char *p = parts[i]; *p; p++) {
			if (!g_ascii_isxdigit(*p))
				return -EINVAL;
			v = v << 4 | (uint64_t)g_ascii_xdigit_value(*p);
		}
		for (unsigned int bit = 0; bit < 32; bit++)
			if (v >> bit & 1)
				cpuset_set(set, (n - 1 - i) * 32 + bit);
	}
	*groups = n;
	*first_width = (unsigned int)strlen(parts[0]);
	return 0;
}

static void mask_format(const struct cpuset *set, unsigned int groups, unsigned int first_width,
			GString *out)
{
	for (unsigned int i = 0; i < groups; i++) {
		unsigned int base = (groups - 1 - i) * 32;
		uint32_t v = 0;

		for (unsigned int bit = 0; bit < 32; bit++)
			if (cpuset_test(set, base + bit))
				v |= UINT32_C(1) << bit;
		if (i)
			g_string_append_printf(out, ",%08x", v);
		else
			g_string_append_printf(out, "%0*x", (int)first_width, v);
	}
	g_string_append_c(out, '\n');
}

struct cpuset *cpu_map_renumber(const struct cpu_map *m, const struct cpuset *host)
{
	struct cpuset *shown = cpuset_new();
	unsigned int limit = cpuset_limit(host);

	for (unsigned int cpu = 0; cpu < limit; cpu++) {
		int s = cpuset_test(host, cpu) ? cpu_map_shown(m, cpu) : -ENOENT;

		if (s >= 0)
			cpuset_set(shown, (unsigned int)s);
	}
	return shown;
}

int cpu_text_translate(const struct cpu_map *m, const char *name, const char *host, GString *out)
{
	enum cpu_text kind = m->identity ? TEXT_OTHER : text_kind(name);
	g_autoptr(cpuset) set = NULL, shown = NULL;
	unsigned int groups, width;
	int r;

	switch (kind) {
	case TEXT_OTHER:
		g_string_append(out, host);
		return 0;
	case TEXT_MASK:
		set = cpuset_new();
		r = mask_parse(host, set, &groups, &width);
		if (r < 0)
			return r;
		shown = cpu_map_renumber(m, set);
		mask_format(shown, groups, width, out);
		return 0;
	case TEXT_LIST:
	case TEXT_SPACED:
		r = cpuset_parse(host, &set);
		if (r < 0)
			return r;
		shown = cpu_map_renumber(m, set);
		if (kind == TEXT_LIST) {
			cpuset_format(shown, out);
		} else {
			unsigned int limit = cpuset_limit(shown);
			bool first = true;

			for (unsigned int cpu = 0; cpu < limit; cpu++) {
				if (!cpuset_test(shown, cpu))
					continue;
				g_string_append_printf(out, first ? "%u" : " %u", cpu);
				first = false;
			}
		}
		g_string_append_c(out, '\n');
		return 0;
	}
	return -EINVAL;
}

int cpu_dir_resolve(const struct cpu_map *m, const char *name, char **hpath)
{
	int n = cpu_dir_name_number(name);

	if (n >= 0) {
		n = cpu_map_host(m, (unsigned int)n);
		if (n < 0)
			return n;
		*hpath = g_strdup_printf("devices/system/cpu/cpu%d", n);
		return 0;
	}
	*hpath = g_strconcat("devices/system/cpu/", name, NULL);
	return 0;
}

static gint compare_names(gconstpointer a, gconstpointer b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

GPtrArray *cpu_dir_names(const struct cpu_map *m, const char *const *host_names)
{
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) rest = g_ptr_array_new();
	g_autoptr(cpuset) host_cpus = cpuset_new();
	unsigned int limit;

	for (const char *const *p = host_names; *p; p++) {
		int n = cpu_dir_name_number(*p);

		if (n >= 0)
			cpuset_set(host_cpus, (unsigned int)n);
		else
			g_ptr_array_add(rest, (gpointer)*p);
	}
	/* The host's own names when it is the host's view, gaps included. */
	limit = m->identity ? cpuset_limit(host_cpus) : m->nshown;
	for (unsigned int cpu = 0; cpu < limit; cpu++)
		if (!m->identity || cpuset_test(host_cpus, cpu))
			g_ptr_array_add(names, g_strdup_printf("cpu%u", cpu));
	g_ptr_array_sort(rest, compare_names);
	for (guint i = 0; i < rest->len; i++)
		g_ptr_array_add(names, g_strdup(rest->pdata[i]));
	return names;
}
