/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The FUSE side of lensfs: libfuse low-level handlers over the vtree. */

#include "context.h"

#include <fuse_lowlevel.h>
#include <stdbool.h>
#include <stdint.h>

struct lensfs_fs;

/* generation: this worker's number (handover.h), so that its file handles
 * differ from every other worker's on the same connection; lane_threads:
 * the threads that answer what waits in containers' lanes (lanes.h). */
struct lensfs_fs *lensfs_fs_new(struct lensfs_ctx *ctx, uint32_t generation,
				unsigned int lane_threads);
/* The handover record whose node log this worker shares (handover.h). */
void lensfs_fs_set_record(struct lensfs_fs *fs, int record_fd);
/* Answers every request waiting in a lane, then stops the lanes: before
 * the session goes. */
void lensfs_fs_drain(struct lensfs_fs *fs);
void lensfs_fs_free(struct lensfs_fs *fs);
/* A libfuse session serving fs on an open /dev/fuse descriptor (the
 * supervisor mounted it); the session closes its copy when destroyed. */
struct fuse_session *lensfs_fs_session(struct lensfs_fs *fs, int fuse_fd, bool debug);
/* Whether the session has taken its FUSE_INIT. */
bool lensfs_fs_initialized(const struct lensfs_fs *fs);
