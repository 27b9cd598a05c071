/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "hook.h"
#include "mountinfo.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

#define FUSE_SUPER_MAGIC 0x65735546 /* fs/fuse/inode.c */

int hook_lensfs_mounted(const char *mountinfo, const char *mountpoint, const char *type)
{
	g_autofree char *fstype = mountinfo_fstype_at(mountinfo, mountpoint);
	struct statfs sfs;

	if (g_strcmp0(fstype, type) != 0)
		return -ENODEV;
	if (statfs(mountpoint, &sfs) < 0)
		return -errno; /* ENOTCONN: a dead lensfs */
	return sfs.f_type == FUSE_SUPER_MAGIC ? 0 : -ENODEV;
}

/*
 * What a lensfs serves that a container can have bound over its own, in
 * the node table's order (fs/vtree.c; test-oci checks that the two agree):
 * the hook links no part of the daemon. A file in a reader-dependent
 * directory is bound only when asked for by name: the directory is bound
 * whole by default.
 */
#define CGROUP_VIEW "sys/fs/cgroup"
static const struct hook_bindable bindable[] = {
	{ "proc/cpuinfo" },
	{ "proc/diskstats" },
	{ "proc/loadavg" },
	{ "proc/meminfo" },
	{ "proc/pressure/cpu" },
	{ "proc/pressure/io" },
	{ "proc/pressure/memory" },
	{ "proc/slabinfo" },
	{ "proc/stat" },
	{ "proc/swaps" },
	{ "proc/uptime" },
	{ "proc/vmstat" },
	{ CGROUP_VIEW, .dir = true, .opt_in = true },
	{ "sys/devices/system/cpu", .dir = true },
	{ "sys/devices/system/cpu/online", .inside = true },
	{ "sys/devices/system/cpu/possible", .inside = true },
	{ "sys/devices/system/cpu/present", .inside = true },
	{ "sys/devices/system/node", .dir = true },
	{ "sys/devices/system/node/has_cpu", .inside = true },
	{ "sys/devices/system/node/has_memory", .inside = true },
	{ "sys/devices/system/node/has_normal_memory", .inside = true },
	{ "sys/devices/system/node/online", .inside = true },
	{ "sys/devices/system/node/possible", .inside = true },
};

const struct hook_bindable *hook_bindable(unsigned int i)
{
	return i < G_N_ELEMENTS(bindable) ? &bindable[i] : NULL;
}

const struct hook_bindable *hook_bindable_by_path(const char *path)
{
	path = path_below(path);
	for (size_t i = 0; i < G_N_ELEMENTS(bindable); i++) {
		if (strcmp(bindable[i].path, path) == 0)
			return &bindable[i];
	}
	return NULL;
}

int hook_files_check(const char *const *files, const char **bad)
{
	for (; files && *files; files++) {
		if (!hook_bindable_by_path(*files)) {
			*bad = *files;
			return -EINVAL;
		}
	}
	return 0;
}

char **hook_default_files(void)
{
	GStrvBuilder *b = g_strv_builder_new();
	char **files;

	for (size_t i = 0; i < G_N_ELEMENTS(bindable); i++) {
		if (!bindable[i].opt_in && !bindable[i].inside)
			g_strv_builder_add(b, bindable[i].path);
	}
	files = g_strv_builder_end(b);
	g_strv_builder_unref(b);
	return files;
}

char **hook_files_add_cgroup_view(char **files)
{
	guint n = g_strv_length(files);

	if (g_strv_contains((const char *const *)files, CGROUP_VIEW))
		return files;
	files = g_renew(char *, files, n + 2);
	files[n] = g_strdup(CGROUP_VIEW);
	files[n + 1] = NULL;
	return files;
}

static void view_free(gpointer p)
{
	struct hook_view *v = p;

	if (v->mount_fd >= 0)
		close(v->mount_fd);
	g_free(v->file);
	g_free(v->target);
	g_free(v);
}

int hook_make_view(const char *views_dir, pid_t pid, char **view)
{
	g_autofree char *dir = g_strdup_printf("%s/%d", views_dir, (int)pid);
	int made = mkdir(dir, 0555) == 0;

	if (!made && errno != EEXIST)
		return -errno;
	*view = g_steal_pointer(&dir);
	return made;
}

int hook_clone_mount(const char *src, uint64_t attr_set)
{
	struct mount_attr attr = { .attr_set = attr_set };
	int fd =
		open_tree(AT_FDCWD, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_SYMLINK_NOFOLLOW);

	if (fd < 0)
		return -errno;
	if (mount_setattr(fd, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	return fd;
}

static int prepare_one(const char *mountpoint, const char *view, const struct hook_bindable *b,
		       bool delegated, struct hook_plan *plan)
{
	const char *file = b->path;
	uint64_t attr =
		MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;
	g_autofree char *src = NULL;
	struct hook_view *v;
	struct statvfs sv;
	int fd;

	/* The cgroup view is writable for a container granted delegation,
	 * where the daemon delegates (its mount is read-write then: lensfs
	 * --cgroup-delegate); lensfs checks each write, on the caller-based
	 * mount (a view takes no write). The pressure files are writable
	 * where they come from the caller-based mount (no view): a write
	 * there is a PSI trigger on the container's own cgroup, which a view
	 * cannot hold. Everything else is read-only, and the container's
	 * view serves it. */
	if (strcmp(file, CGROUP_VIEW) == 0 && delegated && statvfs(mountpoint, &sv) == 0 &&
	    !(sv.f_flag & ST_RDONLY))
		attr &= ~(uint64_t)MOUNT_ATTR_RDONLY;
	if (!view && g_str_has_prefix(file, "proc/pressure/") && statvfs(mountpoint, &sv) == 0 &&
	    !(sv.f_flag & ST_RDONLY))
		attr &= ~(uint64_t)MOUNT_ATTR_RDONLY;
	src = g_build_filename(view && (attr & MOUNT_ATTR_RDONLY) ? view : mountpoint, file, NULL);
	fd = hook_clone_mount(src, attr);
	if (fd < 0)
		return fd == -ENOENT ? 0 : fd;
	v = g_new0(struct hook_view, 1);
	v->file = g_strdup(file);
	v->dir = b->dir;
	v->mount_fd = fd;
	g_ptr_array_add(plan->views, v);
	return 0;
}

int hook_prepare(const char *mountpoint, const char *view, const char *const *files, bool delegated,
		 struct hook_plan *plan)
{
	int r = 0;

	plan->views = g_ptr_array_new_with_free_func(view_free);
	for (; r == 0 && *files; files++) {
		const struct hook_bindable *b = hook_bindable_by_path(*files);

		r = b ? prepare_one(mountpoint, view, b, delegated, plan) : -EINVAL;
	}
	if (r < 0)
		hook_plan_clear(plan);
	return r;
}

void hook_plan_clear(struct hook_plan *plan)
{
	g_clear_pointer(&plan->views, g_ptr_array_unref);
}

/* This process's descriptors in the host's /proc, kept across setns: in a
 * container's mount namespace that has pivoted (LXC's start-host), /proc
 * is the container's, where this process has no entry. */
static int own_fds = -1;
/* The mount namespace the hook started in, once it has entered another. */
static int home_ns = -1;

int hook_enter_mount_ns(pid_t pid)
{
	autoclose int pidfd = pidfd_of(pid);
	g_autofree char *path = g_strdup_printf("/proc/%d/ns/mnt", (int)pid);
	struct stat theirs, ours;

	if (pidfd < 0)
		return pidfd;
	/* The pidfd pins the process: the namespace checked is the one entered. */
	if (stat(path, &theirs) < 0 || stat("/proc/self/ns/mnt", &ours) < 0)
		return -errno;
	if (theirs.st_ino == ours.st_ino && theirs.st_dev == ours.st_dev)
		return -EPERM;
	if (own_fds < 0)
		own_fds = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (home_ns < 0)
		home_ns = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	if (own_fds < 0 || home_ns < 0)
		return -errno;
	if (setns(pidfd, CLONE_NEWNS) < 0)
		return -errno;
	return 0;
}

int hook_leave_mount_ns(void)
{
	if (home_ns < 0)
		return 0;
	return setns(home_ns, CLONE_NEWNS) < 0 ? -errno : 0;
}

int hook_fd_path(int fd, char **path)
{
	g_autofree char *name =
		own_fds >= 0 ? g_strdup_printf("%d", fd) : g_strdup_printf("/proc/self/fd/%d", fd);

	return link_read_at(own_fds >= 0 ? own_fds : AT_FDCWD, name, path);
}

static void detach_all(struct hook_plan *plan)
{
	for (guint i = 0; i < plan->views->len; i++) {
		struct hook_view *v = g_ptr_array_index(plan->views, i);

		if (v->target && umount2(v->target, MNT_DETACH | UMOUNT_NOFOLLOW) == 0)
			g_clear_pointer(&v->target, g_free);
	}
}

static int attach_one(int rootfd, struct hook_view *v)
{
	/* The target inside rootfs, resolved as the container will resolve it. */
	autoclose int tfd = openat2_in(rootfd, v->file, O_PATH | O_NOFOLLOW,
				       RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
	g_autofree char *link = NULL;
	struct stat st;

	if (tfd == -ENOENT)
		return 0; /* the image has no such file: nothing to cover */
	if (tfd < 0)
		return tfd;
	if (fstat(tfd, &st) < 0)
		return -errno;
	if (v->dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode))
		return 0;
	if (hook_fd_path(tfd, &link) < 0)
		return -EIO;
	if (move_mount(v->mount_fd, "", tfd, "",
		       MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return -errno;
	v->target = g_steal_pointer(&link);
	return 0;
}

int hook_attach(struct hook_plan *plan, const char *rootfs, const char **failed)
{
	autoclose int rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (rootfd < 0) {
		*failed = rootfs;
		return -errno;
	}
	for (guint i = 0; i < plan->views->len; i++) {
		struct hook_view *v = g_ptr_array_index(plan->views, i);
		int r = attach_one(rootfd, v);

		if (r < 0) {
			*failed = v->file;
			detach_all(plan);
			return r;
		}
	}
	return 0;
}
