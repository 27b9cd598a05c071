/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sys/devices/system/node/nodeN's meminfo and distance for a cgroup.
 *
 * meminfo imitates drivers/base/node.c (node_read_meminfo): "Node N Key:",
 * blanks, the value, " kB"; the host's file of the same node gives the
 * lines, their order and their spacing (which is not the same on every
 * line: 6.1's FileHugePages has one blank less).
 * Inputs: the host node's meminfo; the cgroup's memory.numa_stat, whose
 * lines are "key N0=value N1=value ..." (v2: bytes, Documentation/
 * admin-guide/cgroup-v2.rst "memory.numa_stat"; v1: pages, the
 * hierarchical_* lines counting the descendants, mm/memcontrol-v1.c
 * memcg_numa_stat_show); the container's MemTotal and MemFree (its
 * proc/meminfo's).
 * Formula (kB, on host node M, every subtraction saturating at 0):
 *   used      = v2: anon + file + kernel_stack + pagetables + sec_pagetables
 *                   + slab_reclaimable + slab_unreclaimable of N<M>
 *               v1: hierarchical_total of N<M>
 *   MemTotal  = min(host node MemTotal, container MemTotal)
 *   MemFree   = min(MemTotal - used, container MemFree, host node MemFree)
 *   MemUsed   = MemTotal - MemFree
 *   v2: Active(anon), Inactive(anon), Active(file), Inactive(file),
 *     Unevictable, SwapCached, Dirty (file_dirty), Writeback
 *     (file_writeback), FilePages (file), Mapped (file_mapped), AnonPages
 *     (anon), Shmem, KernelStack, PageTables, SecPageTables, KReclaimable
 *     and SReclaimable (slab_reclaimable), SUnreclaim, Slab (both),
 *     AnonHugePages (anon_thp), ShmemHugePages (shmem_thp), FileHugePages
 *     (file_thp) = numa_stat's; Active and Inactive their sums
 *   v1: FilePages, AnonPages, Unevictable = hierarchical_file, _anon,
 *     _unevictable (or file, anon, unevictable on kernels without them)
 *   HugePages_* keep the host node's (a pool of the machine's); every
 *   other line, with no per-cgroup count, is 0.
 * Each node shows all of the container's free memory it could hold: a
 * container on two nodes has MemFree counted on both.
 *
 * distance imitates node_read_distance: one column per online node, in
 * node order; the container's row keeps the columns of its nodes.
 */
#include "config.h"

#include "render.h"
#include "util.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The number at the start of s, up to a blank or the end. */
static int first_u64(const char *s, uint64_t *out)
{
	g_autofree char *token = g_strndup(s, strcspn(s, " \n"));

	return parse_u64(token, out);
}

/* Node node's value of key in a numa_stat text; 0 when absent. */
static uint64_t numa_value(const char *text, const char *key, unsigned int node)
{
	g_autofree char *token = g_strdup_printf(" N%u=", node);
	size_t klen = strlen(key);

	for (const char *line = text; *line;) {
		const char *eol = strchrnul(line, '\n');

		if ((size_t)(eol - line) > klen && strncmp(line, key, klen) == 0 &&
		    (line[klen] == ' ' || line[klen] == '=')) {
			g_autofree char *copy = g_strndup(line, (size_t)(eol - line));
			const char *at = strstr(copy, token);
			uint64_t v;

			if (at && first_u64(at + strlen(token), &v) == 0)
				return v;
			return 0;
		}
		line = *eol ? eol + 1 : eol;
	}
	return 0;
}

struct node_line {
	const char *key;
	const char *v2[2]; /* numa_stat keys added, v2 */
	const char *v1; /* v1's hierarchical_ key */
};

static const struct node_line node_lines[] = {
	{ "SwapCached", { "swapcached" }, NULL },
	{ "Active", { "active_anon", "active_file" }, NULL },
	{ "Inactive", { "inactive_anon", "inactive_file" }, NULL },
	{ "Active(anon)", { "active_anon" }, NULL },
	{ "Inactive(anon)", { "inactive_anon" }, NULL },
	{ "Active(file)", { "active_file" }, NULL },
	{ "Inactive(file)", { "inactive_file" }, NULL },
	{ "Unevictable", { "unevictable" }, "unevictable" },
	{ "Dirty", { "file_dirty" }, NULL },
	{ "Writeback", { "file_writeback" }, NULL },
	{ "FilePages", { "file" }, "file" },
	{ "Mapped", { "file_mapped" }, NULL },
	{ "AnonPages", { "anon" }, "anon" },
	{ "Shmem", { "shmem" }, NULL },
	{ "KernelStack", { "kernel_stack" }, NULL },
	{ "PageTables", { "pagetables" }, NULL },
	{ "SecPageTables", { "sec_pagetables" }, NULL },
	{ "KReclaimable", { "slab_reclaimable" }, NULL },
	{ "Slab", { "slab_reclaimable", "slab_unreclaimable" }, NULL },
	{ "SReclaimable", { "slab_reclaimable" }, NULL },
	{ "SUnreclaim", { "slab_unreclaimable" }, NULL },
	{ "AnonHugePages", { "anon_thp" }, NULL },
	{ "ShmemHugePages", { "shmem_thp" }, NULL },
	{ "FileHugePages", { "file_thp" }, NULL },
};

/* v1's count of key on node (pages), in kB: the hierarchical line, or the
 * cgroup's own on kernels without it. */
static uint64_t v1_kb(const struct node_meminfo_input *in, const char *key)
{
	g_autofree char *hier = g_strconcat("hierarchical_", key, NULL);
	const char *k = strstr(in->numa_stat, hier) ? hier : key;

	return numa_value(in->numa_stat, k, in->host_node) * (in->page_size / 1024);
}

static uint64_t line_kb(const struct node_line *l, const struct node_meminfo_input *in)
{
	uint64_t bytes = 0;

	if (in->version == 1)
		return l->v1 ? v1_kb(in, l->v1) : 0;
	for (size_t i = 0; i < G_N_ELEMENTS(l->v2) && l->v2[i]; i++)
		bytes += numa_value(in->numa_stat, l->v2[i], in->host_node);
	return bytes / 1024;
}

static uint64_t used_kb(const struct node_meminfo_input *in)
{
	static const char *const parts[] = { "anon",
					     "file",
					     "kernel_stack",
					     "pagetables",
					     "sec_pagetables",
					     "slab_reclaimable",
					     "slab_unreclaimable" };
	uint64_t bytes = 0;

	if (in->version == 1)
		return v1_kb(in, "total");
	for (size_t i = 0; i < G_N_ELEMENTS(parts); i++)
		bytes += numa_value(in->numa_stat, parts[i], in->host_node);
	return bytes / 1024;
}

/* "Node M Key:    value kB": the key (without its colon) and the value. */
static int node_line_parse(const char *line, size_t len, char *key, size_t keysz, uint64_t *kb)
{
	g_autofree char *copy = g_strndup(line, len);
	char *p = copy, *colon;

	if (!g_str_has_prefix(p, "Node "))
		return -EINVAL;
	p += 5;
	p += strspn(p, "0123456789");
	if (*p != ' ')
		return -EINVAL;
	p++;
	colon = strchr(p, ':');
	if (!colon || (size_t)(colon - p) >= keysz)
		return -EINVAL;
	memcpy(key, p, (size_t)(colon - p));
	key[colon - p] = '\0';
	return first_u64(colon + 1 + strspn(colon + 1, " "), kb);
}

int node_meminfo_render(const char *host, const struct node_meminfo_input *in, GString *out)
{
	uint64_t host_total = 0, host_free = 0, total, free_kb;
	const char *line;
	char key[64];
	uint64_t kb;

	if (!in->host_values && in->version != 1 && in->version != 2)
		return -EINVAL;
	for (line = host; *line;) {
		const char *eol = strchrnul(line, '\n');

		if (node_line_parse(line, (size_t)(eol - line), key, sizeof(key), &kb) < 0)
			return -EINVAL;
		if (strcmp(key, "MemTotal") == 0)
			host_total = kb;
		else if (strcmp(key, "MemFree") == 0)
			host_free = kb;
		line = *eol ? eol + 1 : eol;
	}
	total = in->host_values ? host_total : MIN(host_total, in->total_kb);
	free_kb = in->host_values ? host_free
				  : MIN(MIN(sat_sub(total, used_kb(in)), in->free_kb), host_free);
	for (line = host; *line;) {
		const char *eol = strchrnul(line, '\n');
		const char *from, *num, *tail;
		uint64_t value = 0;
		int width;

		node_line_parse(line, (size_t)(eol - line), key, sizeof(key), &kb);
		/* The host's spacing kept: the number right-aligned where the
		 * host's ended, with at least one blank before it. */
		from = strchr(line, ':') - strlen(key);
		num = strchr(line, ':') + 1;
		tail = num + strspn(num, " ");
		tail += strspn(tail, "0123456789");
		width = (int)(tail - num);
		if (in->host_values || g_str_has_prefix(key, "HugePages_"))
			value = kb;
		else if (strcmp(key, "MemTotal") == 0)
			value = total;
		else if (strcmp(key, "MemFree") == 0)
			value = free_kb;
		else if (strcmp(key, "MemUsed") == 0)
			value = total - free_kb;
		else
			for (size_t i = 0; i < G_N_ELEMENTS(node_lines); i++)
				if (strcmp(node_lines[i].key, key) == 0)
					value = line_kb(&node_lines[i], in);
		g_string_append_printf(out, "Node %u %.*s", in->shown_node, (int)(num - from),
				       from);
		g_string_append_printf(out,
				       snprintf(NULL, 0, "%" PRIu64, value) < width ? "%*" PRIu64
										    : " %*" PRIu64,
				       width, value);
		g_string_append_len(out, tail, eol - tail);
		g_string_append_c(out, '\n');
		line = *eol ? eol + 1 : eol;
	}
	return 0;
}

int node_distance_render(const char *host, const struct cpuset *online, const struct cpuset *shown,
			 GString *out)
{
	g_autofree char *copy = g_strstrip(g_strdup(host));
	g_auto(GStrv) cols = g_strsplit(copy, " ", -1);
	unsigned int limit = cpuset_limit(online), col = 0;
	bool first = true;

	for (unsigned int node = 0; node < limit; node++) {
		if (!cpuset_test(online, node))
			continue;
		if (!cols[col] || !*cols[col])
			return -EINVAL;
		if (cpuset_test(shown, node)) {
			g_string_append_printf(out, first ? "%s" : " %s", cols[col]);
			first = false;
		}
		col++;
	}
	if (cols[col])
		return -EINVAL;
	g_string_append_c(out, '\n');
	return 0;
}
