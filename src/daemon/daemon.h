/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The lensfs process tree (docs/design.md, "Restarts"): a supervisor that
 * mounts, holds the /dev/fuse descriptor for the life of the mount and
 * (re)starts workers; workers, each a fresh exec of the binary on disk, that
 * drop their capabilities and serve the connection.
 */

#include "context.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct lensfs_mount_opts {
	const char *mountpoint;
	bool foreground;
	bool debug;
	unsigned int threads; /* 1: one serving thread */
	unsigned int spin_us; /* one thread: poll this long before sleeping */
	unsigned int lane_threads; /* threads for the containers' lanes (lanes.h) */
	bool writable; /* mounted read-write (PSI triggers, delegation) */
	const char *views_dir; /* where per-container views are mounted; NULL: none */
	unsigned int views_threads; /* threads that serve them */
	const char *sysinfo_socket; /* the sysinfo agent's socket; NULL: none */
	const char *sysinfo_handed; /* an upgraded supervisor's: its predecessor's */
	const char *reattach; /* lensfs-hook, run as "reattach" after a fresh mount; NULL: not */
};

/* What a supervisor hands a worker, or its own successor, on the command
 * line: descriptors it keeps open across exec. */
struct lensfs_handed {
	int fuse_fd; /* the connection */
	int record_fd; /* handover.h */
	int ready_fd; /* worker: written once serving; -1 for none */
	uint32_t generation; /* worker: its number */
	pid_t worker; /* supervisor: the worker it adopts */
	int views_fuse_fd; /* the views connection, or -1 */
	int views_record_fd; /* its record, or -1 */
	int sysinfo_chan; /* worker: the sysinfo agent's channel, or -1 */
};

/* "--worker=FUSE,RECORD,READY,GENERATION[,VIEWS_FUSE,VIEWS_RECORD]" and
 * "--takeover=FUSE,RECORD,WORKER[,VIEWS_FUSE,VIEWS_RECORD]" (hidden
 * options). */
int lensfs_handed_parse_worker(const char *s, struct lensfs_handed *h);
int lensfs_handed_parse_takeover(const char *s, struct lensfs_handed *h);

/* Serves the connection h->fuse_fd until it ends or a signal stops it.
 * Returns the process exit status: 0 only when the connection is gone. */
int lensfs_worker_main(struct lensfs_ctx *ctx, const struct lensfs_mount_opts *opts,
		       const struct lensfs_handed *h);

/* Mounts (or, with takeover, adopts a predecessor's mount and worker) and
 * supervises workers run as exe with args (the options, without argv[0])
 * until stopped. Returns the process exit status. */
int lensfs_supervisor_main(const struct lensfs_mount_opts *opts, const char *exe, char *const *args,
			   const struct lensfs_handed *takeover);
