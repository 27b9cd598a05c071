/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sys/devices/system/cpu, a reader-dependent directory: cpuN for each CPU
 * the reader sees, numbered from 0, each passing its host CPU's directory
 * through (render/cpu_dir.h maps the names and translates CPU lists).
 */
#include "config.h"

#include "cpu_view.h"
#include "host.h"
#include "ptree.h"
#include "view.h"

#include <errno.h>
#include <string.h>

static int cpu_dir_resolve_for(struct lensfs_ctx *ctx, const struct viewer *v, const char *name,
			       char **hpath)
{
	struct cpu_map m;
	int r = view_cpu_map(ctx, v, &m);

	if (r < 0)
		return r;
	r = cpu_dir_resolve(&m, name, hpath);
	cpu_map_clear(&m);
	return r;
}

static int cpu_dir_list_for(struct lensfs_ctx *ctx, const struct viewer *v, GPtrArray *names)
{
	g_autoptr(GPtrArray) host = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) shown = NULL;
	struct cpu_map m;
	int r = host_list(ctx->sys_root, "devices/system/cpu", host, NULL);

	if (r < 0)
		return r;
	r = view_cpu_map(ctx, v, &m);
	if (r < 0)
		return r;
	g_ptr_array_add(host, NULL);
	shown = cpu_dir_names(&m, (const char *const *)host->pdata);
	cpu_map_clear(&m);
	for (guint i = 0; i < shown->len; i++)
		g_ptr_array_add(names, g_steal_pointer(&shown->pdata[i]));
	return 0;
}

static int cpu_dir_read_for(struct lensfs_ctx *ctx, const struct viewer *v, const struct pnode *p,
			    const char *host, GString *out)
{
	const char *name = strrchr(p->hpath, '/') + 1;
	struct cpu_map m;
	int r = view_cpu_map(ctx, v, &m);

	if (r < 0)
		return r;
	r = cpu_text_translate(&m, name, host, out);
	cpu_map_clear(&m);
	return r;
}

/* Below cpuN: only the CPUs v sees. */
static int cpu_dir_may_read(struct lensfs_ctx *ctx, const struct viewer *v, const struct pnode *p)
{
	const char *rest = p->hpath + strlen("devices/system/cpu/");
	g_autofree char *name = g_strndup(rest, strcspn(rest, "/"));
	int host = cpu_dir_name_number(name), r;
	struct cpu_map m;

	if (host < 0)
		return 0;
	r = view_cpu_map(ctx, v, &m);
	if (r < 0)
		return r;
	r = cpu_map_shown(&m, (unsigned int)host) < 0 ? -ENOENT : 0;
	cpu_map_clear(&m);
	return r;
}

const struct vdir_ops cpu_view_dir = {
	.resolve = cpu_dir_resolve_for,
	.list = cpu_dir_list_for,
	.read = cpu_dir_read_for,
	.may_read = cpu_dir_may_read,
};
