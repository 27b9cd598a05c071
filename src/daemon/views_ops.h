/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The FUSE adapter of per-container views (views.h). */

#include "views.h"

#include <fuse_lowlevel.h>
#include <stdbool.h>

struct views_fs;

struct views_fs *views_fs_new(struct views *views);
/* false, and nothing freed, while a notification to the kernel is under
 * way: what it uses must then live until the process ends. */
bool views_fs_free(struct views_fs *fs);
/* The session has taken FUSE_INIT, the kernel's or replayed. */
bool views_fs_initialized(const struct views_fs *fs);
struct fuse_session *views_fs_session(struct views_fs *fs, int fuse_fd, bool debug);
