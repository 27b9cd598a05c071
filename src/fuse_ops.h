/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The FUSE side of lensfs: libfuse low-level handlers over the vtree. */

#include "context.h"

#include <fuse_lowlevel.h>
#include <stdbool.h>

struct lensfs_fs;

struct lensfs_fs *lensfs_fs_new(struct lensfs_ctx *ctx);
void lensfs_fs_free(struct lensfs_fs *fs);
/* A libfuse session serving fs, mounted on mountpoint. */
struct fuse_session *lensfs_fs_mount(struct lensfs_fs *fs, const char *mountpoint, bool debug);
