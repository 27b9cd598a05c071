/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What the two FUSE connections' adapters (fuse_ops.c: the caller-based
 * mount; views_ops.c: per-container views) share. */

#include "vfs.h"

#include <fuse_lowlevel.h>
#include <glib.h>
#include <stdbool.h>

/* Replies to a READDIR with the entries of list (struct vfs_dirent) from
 * offset off that fit in size: offset i + 1 follows the i-th entry. */
void fuse_reply_dirents(fuse_req_t req, const GArray *list, size_t size, off_t off);
/* Replies to an OPENDIR: is_dir is 1 for a directory, 0 for another node,
 * or -errno. */
void fuse_reply_opendir(fuse_req_t req, struct fuse_file_info *fi, int is_dir);
/* The kernel's entry for a node found: a name that is not there is an
 * entry with inode 0, which the kernel keeps for entry_timeout too. */
struct fuse_entry_param fuse_entry_of(const struct vfs_entry *found, bool there);
/* A session with ops serving the open /dev/fuse descriptor fuse_fd. */
struct fuse_session *fuse_session_on_fd(const struct fuse_lowlevel_ops *ops, size_t ops_size,
					void *userdata, int fuse_fd, bool debug);
