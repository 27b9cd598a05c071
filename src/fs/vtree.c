/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "cgroup_view.h"
#include "cpu_view.h"
#include "node_view.h"
#include "util.h"
#include "view.h"
#include "vtree.h"

#include <errno.h>
#include <string.h>

#define DIR_MODE  (S_IFDIR | 0555)
#define FILE_MODE (S_IFREG | 0444)
/* The kernel's /proc/pressure files are 0666 (since 6.5: anyone may write
 * a trigger, within the unprivileged limits): so are lensfs's, which pass
 * a trigger to the reader's own cgroup (docs/design.md, "PSI triggers"). */
#define PRESSURE_MODE (S_IFREG | 0666)

static const struct vnode vtree[] = {
	{ INO_ROOT, INO_ROOT, "", "", DIR_MODE, 0, NULL, false },
	{ INO_PROC, INO_ROOT, "proc", "proc", DIR_MODE, 0, NULL, false },
	{ INO_PROC_CPUINFO, INO_PROC, "cpuinfo", "proc/cpuinfo", FILE_MODE, 0, view_cpuinfo, true },
	{ INO_PROC_DISKSTATS, INO_PROC, "diskstats", "proc/diskstats", FILE_MODE, 0, view_diskstats,
	  true },
	/* loadavg moves with every sample: rendered afresh for each open */
	{ INO_PROC_LOADAVG, INO_PROC, "loadavg", "proc/loadavg", FILE_MODE, 0, view_loadavg,
	  false },
	{ INO_PROC_MEMINFO, INO_PROC, "meminfo", "proc/meminfo", FILE_MODE, 0, view_meminfo, true },
	{ INO_PROC_PRESSURE, INO_PROC, "pressure", "proc/pressure", DIR_MODE, 0, NULL, false },
	/* Pressure moves every two seconds: rendered afresh for each open. */
	{ INO_PRESSURE_CPU, INO_PROC_PRESSURE, "cpu", "proc/pressure/cpu", PRESSURE_MODE, 0,
	  view_pressure, false },
	{ INO_PRESSURE_IO, INO_PROC_PRESSURE, "io", "proc/pressure/io", PRESSURE_MODE, 0,
	  view_pressure, false },
	{ INO_PRESSURE_MEMORY, INO_PROC_PRESSURE, "memory", "proc/pressure/memory", PRESSURE_MODE,
	  0, view_pressure, false },
	/* stat and uptime depend on the container's init too, and on the clock:
	 * rendered afresh for each open */
	{ INO_PROC_SLABINFO, INO_PROC, "slabinfo", "proc/slabinfo", FILE_MODE, 0, view_slabinfo,
	  true },
	{ INO_PROC_STAT, INO_PROC, "stat", "proc/stat", FILE_MODE, 0, view_stat, false },
	{ INO_PROC_SWAPS, INO_PROC, "swaps", "proc/swaps", FILE_MODE, 0, view_swaps, true },
	{ INO_PROC_UPTIME, INO_PROC, "uptime", "proc/uptime", FILE_MODE, 0, view_uptime, false },
	/* vmstat's counters, like meminfo's, are reused for --refresh-ms: a
	 * tool's rate over a second (sar -B, vmstat 1) then covers a second
	 * give or take the refresh time */
	{ INO_PROC_VMSTAT, INO_PROC, "vmstat", "proc/vmstat", FILE_MODE, 0, view_vmstat, true },
	{ INO_SYS, INO_ROOT, "sys", "sys", DIR_MODE, 0, NULL, false },
	{ INO_SYS_DEVICES, INO_SYS, "devices", "sys/devices", DIR_MODE, 0, NULL, false },
	{ INO_SYS_FS, INO_SYS, "fs", "sys/fs", DIR_MODE, 0, NULL, false },
	/* the reader's cgroups as the root of each hierarchy */
	{ INO_SYS_FS_CGROUP, INO_SYS_FS, "cgroup", "sys/fs/cgroup", DIR_MODE, 0, NULL, false,
	  &cgroup_view_dir, true },
	{ INO_SYS_DEVICES_SYSTEM, INO_SYS_DEVICES, "system", "sys/devices/system", DIR_MODE, 0,
	  NULL, false },
	/* online, possible and present, then cpuN and the host's other entries */
	{ INO_SYS_CPU, INO_SYS_DEVICES_SYSTEM, "cpu", "sys/devices/system/cpu", DIR_MODE, 0, NULL,
	  false, &cpu_view_dir },
	{ INO_SYS_CPU_ONLINE, INO_SYS_CPU, "online", "sys/devices/system/cpu/online", FILE_MODE,
	  4096, view_cpu_list, true },
	{ INO_SYS_CPU_POSSIBLE, INO_SYS_CPU, "possible", "sys/devices/system/cpu/possible",
	  FILE_MODE, 4096, view_cpu_list, true },
	{ INO_SYS_CPU_PRESENT, INO_SYS_CPU, "present", "sys/devices/system/cpu/present", FILE_MODE,
	  4096, view_cpu_list, true },
	/* the node lists, then nodeN of the nodes the reader's cpuset allows */
	{ INO_SYS_NODE, INO_SYS_DEVICES_SYSTEM, "node", "sys/devices/system/node", DIR_MODE, 0,
	  NULL, false, &node_view_dir },
	{ INO_SYS_NODE_HAS_CPU, INO_SYS_NODE, "has_cpu", "sys/devices/system/node/has_cpu",
	  FILE_MODE, 4096, view_node_list, true },
	{ INO_SYS_NODE_HAS_MEMORY, INO_SYS_NODE, "has_memory", "sys/devices/system/node/has_memory",
	  FILE_MODE, 4096, view_node_list, true },
	{ INO_SYS_NODE_HAS_NORMAL_MEMORY, INO_SYS_NODE, "has_normal_memory",
	  "sys/devices/system/node/has_normal_memory", FILE_MODE, 4096, view_node_list, true },
	{ INO_SYS_NODE_ONLINE, INO_SYS_NODE, "online", "sys/devices/system/node/online", FILE_MODE,
	  4096, view_node_list, true },
	{ INO_SYS_NODE_POSSIBLE, INO_SYS_NODE, "possible", "sys/devices/system/node/possible",
	  FILE_MODE, 4096, view_node_list, true },
};

const struct vnode *vnode_by_ino(uint64_t ino)
{
	for (size_t i = 0; i < G_N_ELEMENTS(vtree); i++)
		if (vtree[i].ino == ino)
			return &vtree[i];
	return NULL;
}

const struct vnode *vnode_lookup(uint64_t parent, const char *name)
{
	for (size_t i = 1; i < G_N_ELEMENTS(vtree); i++)
		if (vtree[i].parent == parent && strcmp(vtree[i].name, name) == 0)
			return &vtree[i];
	return NULL;
}

const struct vnode *vnode_by_path(const char *path)
{
	path = path_below(path);
	for (size_t i = 0; i < G_N_ELEMENTS(vtree); i++)
		if (strcmp(vtree[i].path, path) == 0)
			return &vtree[i];
	return NULL;
}

const struct vnode *vnode_child(uint64_t parent, unsigned int n)
{
	for (size_t i = 1; i < G_N_ELEMENTS(vtree); i++)
		if (vtree[i].parent == parent && n-- == 0)
			return &vtree[i];
	return NULL;
}

const struct vnode *vnode_file(unsigned int n)
{
	for (size_t i = 0; i < G_N_ELEMENTS(vtree); i++)
		if (vtree[i].view && n-- == 0)
			return &vtree[i];
	return NULL;
}

const struct vnode *vnode_mounted(unsigned int n)
{
	for (size_t i = 0; i < G_N_ELEMENTS(vtree); i++) {
		const struct vnode *dir = vnode_by_ino(vtree[i].parent);
		bool whole = vtree[i].dyn || (vtree[i].view && !dir->dyn);

		if (whole && !vtree[i].opt_in && n-- == 0)
			return &vtree[i];
	}
	return NULL;
}

unsigned int vnode_nlink(const struct vnode *n)
{
	unsigned int links = 2;

	if (!S_ISDIR(n->mode))
		return 1;
	for (size_t i = 1; i < G_N_ELEMENTS(vtree); i++)
		if (vtree[i].parent == n->ino && S_ISDIR(vtree[i].mode))
			links++;
	return links;
}

void vnode_stat(const struct vnode *n, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = n->ino;
	st->st_mode = n->mode;
	st->st_nlink = vnode_nlink(n);
	st->st_size = n->size;
	st->st_blksize = 4096;
}

int vnode_render(struct lensfs_ctx *ctx, const struct vnode *n, const struct viewer *v,
		 GString *out)
{
	if (!n->view)
		return -EISDIR;
	/* A container's text is reused for --refresh-ms, like the counters it
	 * comes from; the host's pid namespace always gets a fresh render. */
	if (n->per_cgroup && !v->host_pidns)
		return view_cached(ctx, n->path, n->view, n->name, v, out);
	return n->view(ctx, n->name, v, out);
}

int vnode_render_for_pid(struct lensfs_ctx *ctx, const struct vnode *n, pid_t pid,
			 viewer_resolve_fn resolve, struct viewer *v, GString *out)
{
	int r = resolve(ctx, pid, v);

	if (r < 0)
		return r;
	r = vnode_render(ctx, n, v, out);
	if (r == -ENOENT && v->cached) {
		viewer_forget(ctx, v);
		viewer_clear(v);
		g_string_truncate(out, 0);
		r = resolve(ctx, pid, v);
		if (r >= 0)
			r = vnode_render(ctx, n, v, out);
	}
	return r;
}
