/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sys/devices/system/node, a reader-dependent directory: nodeN for each
 * memory node the reader's cpuset allows, numbered from 0, each passing its
 * host node's directory through, with meminfo, distance, cpulist and
 * cpumap as the reader sees them (view_node_file). The node's links to CPUs
 * and memory blocks, named with the host's numbers, are left out.
 */
#include "config.h"

#include "host.h"
#include "node_view.h"
#include "ptree.h"
#include "view.h"

#include <errno.h>
#include <string.h>

#define NODE_DIR "devices/system/node/"

/* N for a name prefix N (decimal, no leading zero, below 2^20); -EINVAL
 * for any other name. */
static int name_number(const char *name, const char *prefix)
{
	const char *p = name + strlen(prefix);
	unsigned int n = 0;

	if (!g_str_has_prefix(name, prefix) || !g_ascii_isdigit(*p) || (p[0] == '0' && p[1]))
		return -EINVAL;
	for (; *p; p++) {
		if (!g_ascii_isdigit(*p) || n >= 1u << 20)
			return -EINVAL;
		n = n * 10 + (unsigned int)(*p - '0');
	}
	return (int)n;
}

static int node_number(const char *name)
{
	return name_number(name, "node");
}

static int node_resolve(struct lensfs_ctx *ctx, const struct viewer *v, const char *name,
			char **hpath)
{
	struct cpu_map m;
	int shown = node_number(name), host, r;

	if (shown < 0)
		return -ENOENT;
	r = view_node_map(ctx, v, &m, NULL);
	if (r < 0)
		return r;
	host = cpu_map_host(&m, (unsigned int)shown);
	cpu_map_clear(&m);
	if (host < 0)
		return -ENOENT;
	*hpath = g_strdup_printf(NODE_DIR "node%d", host);
	return 0;
}

static int node_list(struct lensfs_ctx *ctx, const struct viewer *v, GPtrArray *names)
{
	struct cpu_map m;
	int r = view_node_map(ctx, v, &m, NULL);

	if (r < 0)
		return r;
	for (unsigned int i = 0; i < m.nshown; i++)
		g_ptr_array_add(names, g_strdup_printf("node%u", i));
	cpu_map_clear(&m);
	return 0;
}

/* The host node number of a path below NODE_DIR, and the rest after it. */
static int node_of(const char *hpath, const char **rest)
{
	const char *p = hpath + strlen(NODE_DIR);
	g_autofree char *name = g_strndup(p, strcspn(p, "/"));

	*rest = p + strlen(name) + (p[strlen(name)] == '/');
	return node_number(name);
}

static int node_read(struct lensfs_ctx *ctx, const struct viewer *v, const struct pnode *p,
		     const char *host, GString *out)
{
	const char *rest;
	int node = node_of(p->hpath, &rest);

	if (node < 0)
		return -ENOENT;
	/* Below the node's own files (hugepages/, ...): as they are. */
	if (strchr(rest, '/')) {
		g_string_append(out, host);
		return 0;
	}
	return view_node_file(ctx, v, (unsigned int)node, rest, host, out);
}

static int node_may_read(struct lensfs_ctx *ctx, const struct viewer *v, const struct pnode *p)
{
	const char *rest;
	int node = node_of(p->hpath, &rest), r;
	struct cpu_map m;

	if (node < 0)
		return 0;
	r = view_node_map(ctx, v, &m, NULL);
	if (r < 0)
		return r;
	r = cpu_map_shown(&m, (unsigned int)node) < 0 ? -ENOENT : 0;
	cpu_map_clear(&m);
	return r;
}

/* nodeM/cpuN and nodeM/memoryN: links named with host numbers. */
static bool node_hides(const char *hpath)
{
	const char *rest;

	if (!g_str_has_prefix(hpath, NODE_DIR) || node_of(hpath, &rest) < 0 || strchr(rest, '/'))
		return false;
	return name_number(rest, "cpu") >= 0 || name_number(rest, "memory") >= 0;
}

const struct vdir_ops node_view_dir = {
	.resolve = node_resolve,
	.list = node_list,
	.read = node_read,
	.may_read = node_may_read,
	.hides = node_hides,
};
