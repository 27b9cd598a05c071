/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>

/* The pass-through nodes (ptree.h) the workers gave out, logged in the
 * handover record (handover.h) after its INIT part, so that a successor
 * knows a node the kernel still holds from its predecessor (a file open
 * below the cpu directory, a working directory in the cgroup view). Appending takes a lock; a worker
 * killed while appending leaves nothing half-written behind. The log starts
 * over when it outgrows 64 MiB. */
int node_log_put(int record_fd, uint64_t ino, uint64_t root, const char *vpath, const char *hpath);
/* -ENOENT when the log has no node ino. Found with an index of the log per
 * record, built by one pass and brought up to date with the log's tail on
 * a miss: a successor reads the log once, not once per inode it meets. */
int node_log_find(int record_fd, uint64_t ino, uint64_t *root, char **vpath, char **hpath);
/* The highest inode number the log holds (0 for none). */
int node_log_max_ino(int record_fd, uint64_t *max);
