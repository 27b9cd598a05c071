/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What a node of the table is (vtree.h holds the table): the types the
 * reader-dependent directories (cpu_view.h, cgroup_view.h) and the
 * pass-through nodes below them (ptree.h) share with it. */

#include "context.h"
#include "view.h"

#include <glib.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

/* Inode numbers are part of the interface: a restarted daemon serves the
 * mounts its predecessor left with the same numbers. Append, never renumber. */
enum vnode_ino {
	INO_ROOT = 1,
	INO_PROC = 2,
	INO_PROC_MEMINFO = 3,
	INO_PROC_CPUINFO = 4,
	INO_PROC_UPTIME = 5,
	INO_SYS = 6,
	INO_SYS_DEVICES = 7,
	INO_SYS_DEVICES_SYSTEM = 8,
	INO_SYS_CPU = 9,
	INO_SYS_CPU_ONLINE = 10,
	INO_PROC_SWAPS = 11,
	INO_PROC_STAT = 12,
	INO_PROC_PRESSURE = 13,
	INO_PRESSURE_CPU = 14,
	INO_PRESSURE_MEMORY = 15,
	INO_PRESSURE_IO = 16,
	INO_PROC_LOADAVG = 17,
	INO_PROC_DISKSTATS = 18,
	INO_SYS_CPU_POSSIBLE = 19,
	INO_SYS_CPU_PRESENT = 20,
	INO_SYS_FS = 21,
	INO_SYS_FS_CGROUP = 22,
	INO_PROC_VMSTAT = 23,
	INO_PROC_SLABINFO = 24,
	INO_SYS_NODE = 25,
	INO_SYS_NODE_ONLINE = 26,
	INO_SYS_NODE_POSSIBLE = 27,
	INO_SYS_NODE_HAS_CPU = 28,
	INO_SYS_NODE_HAS_MEMORY = 29,
	INO_SYS_NODE_HAS_NORMAL_MEMORY = 30,
};

struct pnode;

/* A directory whose entries beyond the table's depend on the reader, and
 * pass host entries through (ptree.h). */
struct vdir_ops {
	/* The host entry (below the sys root) name stands for in v's view;
	 * -ENOENT when there is none. */
	int (*resolve)(struct lensfs_ctx *ctx, const struct viewer *v, const char *name,
		       char **hpath);
	/* Every name v sees there (the table's are left out by the caller). */
	int (*list)(struct lensfs_ctx *ctx, const struct viewer *v, GPtrArray *names);
	/* What v reads in the file p below it, whose host text is host. */
	int (*read)(struct lensfs_ctx *ctx, const struct viewer *v, const struct pnode *p,
		    const char *host, GString *out);
	/* Writes; NULL where the directory takes none. 0 when v may open p
	 * for writing; else -EPERM, or -EROFS when writing is off. */
	int (*may_write)(struct lensfs_ctx *ctx, const struct viewer *v, const struct pnode *p);
	/* Writes buf to fd (p's host file, opened for writing) as v means
	 * it; the bytes taken, or -errno. */
	ssize_t (*write)(struct lensfs_ctx *ctx, const struct viewer *v, const struct pnode *p,
			 int fd, const char *buf, size_t len);
	/* 0 when v may create or remove the directory hpath (host side). */
	int (*may_mkdir)(struct lensfs_ctx *ctx, const struct viewer *v, const char *hpath);
	/* 0 when p is in v's view (NULL: every node below is); -ENOENT when
	 * it is another reader's. */
	int (*may_read)(struct lensfs_ctx *ctx, const struct viewer *v, const struct pnode *p);
	/* Whether reading p costs work whose size the reader's container
	 * controls (NULL: nothing does): not done on a serving thread
	 * (lanes.h). */
	bool (*costly)(const struct viewer *v, const struct pnode *p);
	/* Whether the host entry hpath, below a directory passed through, is
	 * left out of the view (NULL: none is): neither listed nor found. */
	bool (*hides)(const char *hpath);
};

struct vnode {
	uint64_t ino;
	uint64_t parent;
	const char *name;
	const char *path; /* from the mount point, e.g. "proc/meminfo" */
	mode_t mode;
	off_t size; /* what stat says: 0 like procfs, 4096 like sysfs */
	view_fn view; /* NULL for directories */
	bool per_cgroup; /* the text depends only on the viewer's cgroups */
	const struct vdir_ops *dyn; /* a directory with reader-dependent entries */
	bool opt_in; /* lensfs-hook mounts it only when asked */
};
