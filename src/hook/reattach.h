/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * lensfs-hook reattach (docs/hook.md, "Re-attach"): after lensfs was stopped
 * and started again, each running container still has the old daemon's
 * files bound, and every read of them fails with ENOTCONN. For each mount
 * namespace but the host's, the mounts of a lensfs that no longer answers
 * are replaced by the same file of the live one, each in one step
 * (move_mount(2) MOVE_MOUNT_BENEATH under the dead mount, which is then
 * detached; on kernels before 6.5, over it), without restarting anything.
 * Only mounts of a lensfs (fuse.lensfs, fuse.lensfs-views) that bind a file
 * lensfs serves are touched, and only those whose filesystem answers
 * ENOTCONN.
 */

#include <glib.h>
#include <stdint.h>
#include <sys/types.h>

/* A container's binding of a lensfs file: a line of its mountinfo. */
struct reattach_mount {
	char *target; /* the mount point, from the namespace's root */
	char *file; /* what it binds, by path from the mount point: "proc/meminfo" */
	pid_t view; /* from a per-container view: the view's name, its first process */
	uint64_t attr; /* MOUNT_ATTR_RDONLY, _NOSUID, _NODEV, _NOEXEC as it had them */
};

/* The bindings of mountinfo (a process's) to replace: the top mount at each
 * mount point (none mounted on it there), where that is a fuse.lensfs
 * mount of a file lensfs serves (root "/FILE") or a fuse.lensfs-views one
 * of a view's file ("/PID/FILE"), of a filesystem whose "MAJ:MIN" is not
 * in live (the mounts of the lensfs that serves now). An array of struct
 * reattach_mount, empty when there is none. */
GPtrArray *reattach_find(const char *mountinfo, const char *const *live);

/* What reattach_all did in one mount namespace. */
struct reattach_result {
	pid_t pid; /* the process it was entered by */
	unsigned int bound; /* files bound again */
	unsigned int alive; /* lensfs mounts that answer (another daemon's): left alone */
	int error; /* 0, -ESRCH: the container went meanwhile, -EFBIG: its
		    * mountinfo is too large to read, or -errno */
	const char *failed; /* with error: which file, or NULL */
};

typedef void (*reattach_report)(const struct reattach_result *res, void *data);

/* Every mount namespace of a running process but this process's own, once
 * each (mountinfo: this process's): its dead bindings replaced from the
 * lensfs on mountpoint, and,
 * where views_dir is not NULL (a lensfs --views there answers), a view's
 * from that container's own view made again. report is called for each
 * namespace that had bindings to replace. 0 when none failed (a container
 * that went meanwhile is no failure), else the first error. */
int reattach_all(const char *mountinfo, const char *mountpoint, const char *views_dir,
		 reattach_report report, void *data);
