/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * What lensfs-hook does, in three steps a container start can survive
 * failing at any point:
 *   1. hook_prepare, in the hook's own mount namespace: a detached,
 *      read-only, nosuid, nodev, noexec copy of each view the lensfs on the
 *      mount point serves (open_tree(2), mount_setattr(2)). Nothing is
 *      visible anywhere yet.
 *   2. hook_enter_mount_ns: into the container's mount namespace.
 *   3. hook_attach: each copy over <rootfs>/<file> where that file exists
 *      (move_mount(2)); on an error, what was attached is detached again.
 */

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct hook_view {
	char *file; /* "proc/meminfo", or a directory: "sys/devices/system/cpu" */
	bool dir;
	int mount_fd; /* the detached copy */
	char *target; /* once attached: where, in the container's mount namespace */
};

struct hook_plan {
	GPtrArray *views; /* struct hook_view */
};

/* 0 when a lensfs serves mountpoint (the last mount on it is of type, and
 * it answers: LENSFS_FSTYPE for the caller-based mount, LENSFS_VIEWS_FSTYPE
 * for the views), -ENODEV when another filesystem is there, -ENOTCONN when
 * its daemon is gone. mountinfo is this process's /proc/self/mountinfo. */
int hook_lensfs_mounted(const char *mountinfo, const char *mountpoint, const char *type);

/* The view of the container whose first process is pid, made in views_dir
 * (lensfs --views; views.h) if it is not there yet: its directory; 1 when
 * it was made now, 0 when it was there (another stage's). */
int hook_make_view(const char *views_dir, pid_t pid, char **view);

/* A view a container can have bound, by path from the mount point. */
struct hook_bindable {
	const char *path;
	bool dir;
	bool opt_in; /* bound only when asked for (--cgroup-view) */
	bool inside; /* in a directory bound whole by default */
};
/* The i-th (from 0), NULL past the last. */
const struct hook_bindable *hook_bindable(unsigned int i);
/* The one path names ("proc/meminfo" or "/proc/meminfo"), or NULL. */
const struct hook_bindable *hook_bindable_by_path(const char *path);

/* files: views lensfs can serve ("proc/meminfo", or the directory
 * "sys/devices/system/cpu"), NULL for none; -EINVAL for a name that is not
 * one (*bad set). */
int hook_files_check(const char *const *files, const char **bad);

/* What is mounted without --files: every file, and the cpu directory. */
char **hook_default_files(void);
/* files (a GStrv) with the sys/fs/cgroup view, once (--cgroup-view). */
char **hook_files_add_cgroup_view(char **files);

/* Step 1, for files (a list hook_files_check accepts): from view (the
 * container's own, hook_make_view) where there is one, and the
 * reader-dependent directories from mountpoint. Files the mount does not
 * serve are left out (an older daemon). The sys/fs/cgroup view is
 * read-write when delegated (the container is granted delegation,
 * delegate.h) and the daemon's mount is. */
int hook_prepare(const char *mountpoint, const char *view, const char *const *files, bool delegated,
		 struct hook_plan *plan);
void hook_plan_clear(struct hook_plan *plan);
typedef struct hook_plan hook_plan;
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(hook_plan, hook_plan_clear)

/* Step 2. -EPERM when pid shares this process's mount namespace (mounting
 * there would change the host). */
int hook_enter_mount_ns(pid_t pid);
/* Back in the mount namespace the hook started in (after a namespace that
 * has pivoted, whose /proc is not the hook's: what reads /proc/self at
 * exit, a sanitizer's leak check, needs its own). */
int hook_leave_mount_ns(void);

/* Step 3. Targets are resolved inside rootfs (symlinks cannot lead out of
 * it); a missing target, or one of another type than its view (a regular
 * file, or a directory), is skipped. On
 * failure everything attached is detached and *failed names the file. */
int hook_attach(struct hook_plan *plan, const char *rootfs, const char **failed);

/* A detached copy of the tree at src (open_tree(2) OPEN_TREE_CLONE) with
 * the MOUNT_ATTR_* flags attr_set: an fd for move_mount(2), or -errno. */
int hook_clone_mount(const char *src, uint64_t attr_set);
/* Where fd is, as a path in this mount namespace: for an undo by path
 * (umount2 takes no fd). */
int hook_fd_path(int fd, char **path);
