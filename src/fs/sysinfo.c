/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "sysinfo.h"
#include "procfs.h"
#include "vtree.h"

#include <errno.h>
#include <string.h>

/* meminfo's key in bytes. */
static int bytes_of(const char *meminfo, const char *key, unsigned long *out)
{
	uint64_t kb = 0;
	int r = meminfo_find_kb(meminfo, key, &kb);

	if (r == 0 && kb > G_MAXULONG / 1024)
		r = -ERANGE;
	if (r == 0)
		*out = (unsigned long)(kb * 1024);
	return r;
}

int sysinfo_from_texts(const char *meminfo, const char *uptime, const char *loadavg,
		       struct sysinfo *out)
{
	static const char *const keys[] = { "MemTotal", "MemFree",   "Shmem",
					    "Buffers",	"SwapTotal", "SwapFree" };
	unsigned long *fields[] = { &out->totalram,  &out->freeram,   &out->sharedram,
				    &out->bufferram, &out->totalswap, &out->freeswap };
	uint64_t up_cs, idle_cs, load_cs[3], running, threads;
	int r;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < G_N_ELEMENTS(keys); i++) {
		r = bytes_of(meminfo, keys[i], fields[i]);
		if (r < 0)
			return r;
	}
	r = uptime_parse(uptime, &up_cs, &idle_cs);
	if (r == 0)
		r = loadavg_parse(loadavg, load_cs, &running, &threads);
	if (r < 0)
		return r;
	out->uptime = (long)(up_cs / 100 + (up_cs % 100 ? 1 : 0));
	for (int i = 0; i < 3; i++)
		out->loads[i] = (unsigned long)((load_cs[i] << SYSINFO_LOAD_SHIFT) / 100);
	out->procs = (unsigned short)MIN(threads, (uint64_t)G_MAXUSHORT);
	out->mem_unit = 1;
	return 0;
}

static int render_path(struct lensfs_ctx *ctx, const struct viewer *v, const char *path,
		       GString *out)
{
	return vnode_render(ctx, vnode_by_path(path), v, out);
}

int sysinfo_of_view(struct lensfs_ctx *ctx, const struct viewer *v, struct sysinfo *out)
{
	g_autoptr(GString) meminfo = g_string_new(NULL);
	g_autoptr(GString) uptime = g_string_new(NULL);
	g_autoptr(GString) loadavg = g_string_new(NULL);
	int r = render_path(ctx, v, "proc/meminfo", meminfo);

	if (r == 0)
		r = render_path(ctx, v, "proc/uptime", uptime);
	if (r == 0)
		r = render_path(ctx, v, "proc/loadavg", loadavg);
	return r < 0 ? r : sysinfo_from_texts(meminfo->str, uptime->str, loadavg->str, out);
}
