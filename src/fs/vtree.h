/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The one table of everything lensfs serves. Lookup, readdir, getattr,
 * open and read, and lensfs-show, all go through it. */

#include "context.h"

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
};

struct vnode;
/* A renderer's inputs: the node (some serve several, by name) and whose view. */
typedef int (*view_fn)(struct lensfs_ctx *ctx, const struct vnode *n, const struct viewer *v,
		       GString *out);

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

const struct vnode *vnode_by_ino(uint64_t ino);
const struct vnode *vnode_lookup(uint64_t parent, const char *name);
/* "proc/meminfo", "/proc/meminfo" and "./proc/meminfo" name the same node. */
const struct vnode *vnode_by_path(const char *path);
/* The children of a directory, in table order; i counts from 0. */
const struct vnode *vnode_child(uint64_t parent, unsigned int i);
unsigned int vnode_nlink(const struct vnode *n);
void vnode_stat(const struct vnode *n, struct stat *st);
/* Every regular file, for lensfs-show's default list. */
const struct vnode *vnode_file(unsigned int i);
/* What lensfs-hook mounts by default: every regular file, except those in
 * a reader-dependent directory, which is mounted whole instead. */
const struct vnode *vnode_mounted(unsigned int i);

/* Renders a file as v sees it. */
int vnode_render(struct lensfs_ctx *ctx, const struct vnode *n, const struct viewer *v,
		 GString *out);
/* Renders a file as process pid sees it, and says whose view that was (v is
 * filled even on failure; viewer_clear it): resolved with resolve
 * (viewer_of_pid or viewer_peek_pid). A container found in the cache whose
 * cgroup has since vanished is resolved afresh, once. */
typedef int (*viewer_resolve_fn)(struct lensfs_ctx *ctx, pid_t pid, struct viewer *out);
int vnode_render_for_pid(struct lensfs_ctx *ctx, const struct vnode *n, pid_t pid,
			 viewer_resolve_fn resolve, struct viewer *v, GString *out);
