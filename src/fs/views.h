/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Per-container views (docs/design.md, "Views"): the table's files, fixed
 * to one container, found once from the container's first process when the
 * view is made (viewer_of_process), served on a FUSE connection of their
 * own whose texts the kernel's page cache holds.
 *
 * The connection's root lists the views by name: the host pid of the
 * container's first process, in decimal (what a hook knows). A view's
 * inode numbers are its slot (never reused) in the top bits and the
 * table's node below, so no two containers share an inode, a page or an
 * attribute. A file's text is rendered at most once per its period
 * (views_period_us): a GETATTR after that renders it again, and gives it a
 * new mtime only when the text changed, which is when the kernel drops its
 * pages (FUSE_CAP_AUTO_INVAL_DATA); a READ reads the text its GETATTR
 * sized (a READ from offset 0 of a text past its period renders it again,
 * whose length the kernel takes from the short read).
 *
 * The cpu directory and the cgroup view pass host entries through, as on
 * the caller-based mount (vfs.h), resolved for the view's viewer: their
 * numbers carry the view's slot too (ptree_new_based), their names are
 * held a second, their files are read-only texts like the table's.
 *
 * A view lives while the kernel holds one of its inodes, or while its
 * name is there and its process runs: no timer, no work for a view nobody
 * reads. Only a caller in the daemon's pid namespace with uid 0 makes or
 * removes names, and only one in that namespace looks them up.
 */

#include "context.h"
#include "vfs.h"

#include <glib.h>
#include <stdint.h>
#include <sys/types.h>

#define VIEWS_ROOT	 1 /* FUSE_ROOT_ID */
#define VIEWS_SLOT_SHIFT 32

struct views;

struct views *views_new(struct lensfs_ctx *ctx);
void views_free(struct views *s);
/* Tells the kernel that name in directory parent, inode child, is gone
 * (FUSE_NOTIFY_DELETE): called under the views' lock, it must only queue. */
typedef void (*views_gone_fn)(void *data, uint64_t parent, uint64_t child, const char *name);
void views_set_gone(struct views *s, views_gone_fn fn, void *data);

/* Views are logged in record_fd (a handover record, node_log.h): a
 * successor serves the views whose inodes the kernel holds from its
 * predecessor, and gives out slots after theirs. */
void views_set_log(struct views *s, int record_fd);

/* Who asks to make or remove a name: the request's pid and uid. */
int views_make(struct views *s, pid_t caller, uid_t uid, const char *name, struct vfs_entry *out);
int views_remove(struct views *s, pid_t caller, uid_t uid, const char *name);

/* caller: the request's pid; only the host's look names up in the root. */
int views_lookup(struct views *s, pid_t caller, uint64_t parent, const char *name,
		 struct vfs_entry *out);
/* The kernel forgets n lookups of ino (a FORGET). */
void views_forget(struct views *s, uint64_t ino, uint64_t n);
int views_getattr(struct views *s, uint64_t ino, struct stat *st, double *timeout);
/* The slice [off, off + size) of the text ino's last GETATTR sized, or
 * from offset 0, of a fresh one if that is past its period. */
int views_read(struct views *s, uint64_t ino, size_t size, off_t off, char **slice, size_t *len);
/* A directory's entries (struct vfs_dirent), "." and ".." first. */
int views_list(struct views *s, pid_t caller, uint64_t ino, GArray **out);
int views_is_dir(struct views *s, uint64_t ino);
/* A symbolic link's target (below the cpu directory). */
int views_readlink(struct views *s, uint64_t ino, char **out);

/* Views alive now: named and running, or held by the kernel (also the
 * views root's link count, less 2). */
unsigned int views_live(struct views *s);

/* How long a text of node n holds: a tick of the clock it prints for
 * proc/uptime and proc/stat (10 ms), refresh_us for every other. */
uint64_t views_period_us(const struct vnode *n, uint64_t refresh_us);
