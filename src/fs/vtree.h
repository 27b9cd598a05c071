/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The one table of everything lensfs serves. Lookup, readdir, getattr,
 * open and read, and lensfs-show, all go through it. */

#include "node.h"

#include <glib.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

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
