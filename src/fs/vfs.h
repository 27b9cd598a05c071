/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Nodes by inode number, the table's and the pass-through ones alike: what
 * the FUSE handlers and lensfs-show ask. */

#include "context.h"
#include "ptree.h"
#include "vtree.h"

#include <glib.h>
#include <sys/stat.h>

/* The table never changes: names and attributes are kept a day. */
#define VFS_FIXED_TIMEOUT 86400.0
/* Pass-through entries and attributes follow the host's within a second. */
#define VFS_HOST_TIMEOUT 1.0
/* A view file's attributes (its size for the caller, changed now) hold a
 * second; a lookup's hold none, for it does not know the caller's size. */
#define VFS_VIEW_ATTR_TIMEOUT 1.0

/* Who asks: the process of a request, or a view given (lensfs-show). The
 * viewer is resolved at the first need, once. */
struct vfs_caller {
	pid_t pid;
	bool peek; /* a stat(2)'s: resolved with viewer_peek_pid */
	const struct viewer *given;
	struct viewer own;
	bool resolved;
};

void vfs_caller_clear(struct vfs_caller *c);
/* c's viewer, resolved now if it was not yet. */
int vfs_caller_viewer(struct lensfs_ctx *ctx, struct vfs_caller *c, const struct viewer **v);

struct vfs_entry {
	uint64_t ino;
	struct stat st;
	double entry_timeout; /* also for a name that is not there */
	double attr_timeout;
};

/* name in directory parent, as c sees it; -ENOENT with out->entry_timeout
 * set for how long that answer holds. A node found is counted in t (the
 * kernel's lookup), when t is not NULL. */
int vfs_lookup(struct lensfs_ctx *ctx, struct ptree *t, struct vfs_caller *c, uint64_t parent,
	       const char *name, struct vfs_entry *out);
int vfs_getattr(struct lensfs_ctx *ctx, struct ptree *t, uint64_t ino, struct stat *st,
		double *timeout);
int vfs_readlink(struct lensfs_ctx *ctx, struct ptree *t, struct vfs_caller *c, uint64_t ino,
		 char **out);

struct vfs_dirent {
	char *name;
	uint64_t ino;
	mode_t type; /* S_IFDIR, S_IFREG, S_IFLNK... */
};
/* A list of struct vfs_dirent, and an entry added to it. */
GArray *vfs_dirents_new(void);
void vfs_dirents_add(GArray *list, const char *name, uint64_t ino, mode_t type);
/* A directory's entries as c sees it, "." and ".." first. */
int vfs_list(struct lensfs_ctx *ctx, struct ptree *t, struct vfs_caller *c, uint64_t ino,
	     GArray **out);
/* Whether ino is a directory; -ENOENT/-ESTALE when it is not a node. */
int vfs_is_dir(struct ptree *t, uint64_t ino);
/* Writing (the cgroup view with --cgroup-delegate; everything else is
 * refused): whether c may open ino to write, and one write(2) of c's, to
 * the host file opened for it alone (no descriptor is held between
 * writes). */
int vfs_may_write(struct lensfs_ctx *ctx, struct ptree *t, struct vfs_caller *c, uint64_t ino);
ssize_t vfs_write(struct lensfs_ctx *ctx, struct ptree *t, struct vfs_caller *c, uint64_t ino,
		  const char *buf, size_t len);
/* A directory made (its entry in out, counted in t) or removed. */
int vfs_mkdir(struct lensfs_ctx *ctx, struct ptree *t, struct vfs_caller *c, uint64_t parent,
	      const char *name, mode_t mode, struct vfs_entry *out);
int vfs_rmdir(struct lensfs_ctx *ctx, struct ptree *t, struct vfs_caller *c, uint64_t parent,
	      const char *name);

/* The text c reads in file ino. Below a reader-dependent directory, the
 * host's errors as they are; -EBADMSG for a host text that cannot be shown. */
int vfs_render(struct lensfs_ctx *ctx, struct ptree *t, struct vfs_caller *c, uint64_t ino,
	       GString *out);
