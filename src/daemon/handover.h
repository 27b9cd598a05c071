/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * What one worker leaves to the next on the same FUSE connection. The
 * kernel sends FUSE_INIT once per connection, and a libfuse session answers
 * EIO to everything until it has seen one; so the first worker keeps the
 * kernel's INIT request in a small record (a memfd the supervisor owns) and
 * every successor replays it to its own session. The record also numbers
 * the workers, so that file handles of different workers never collide.
 * docs/design.md, "Restarts", tells the whole story.
 */

#include <fuse_lowlevel.h>
#include <stdint.h>

/* A new, empty record (supervisor). Returns the fd or -errno. */
int handover_create(void);
/* The number of the next worker, counted in the record (supervisor). */
int handover_next_generation(int record_fd, uint32_t *generation);
/* Brings a worker's session to the initialized state: on a fresh
 * connection by answering the kernel's INIT (and recording it), on an
 * initialized one by replaying the recorded INIT. Returns 0, or -errno
 * (-ENODEV: the connection is gone). */
int handover_start(struct fuse_session *se, int record_fd);
/* The record also logs the pass-through nodes the workers gave out, after
 * the INIT part: node_log.h. */

/* Asks the kernel to queue again every request that was read and not
 * answered (FUSE_NOTIFY_RESEND, Linux 6.9; -EINVAL before): what a worker
 * that died had taken. A live worker's requests are queued again too, and
 * its late answers refused (ENOENT): harmless for requests that only read. */
int handover_resend(int fuse_fd);
