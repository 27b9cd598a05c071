/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "reattach.h"
#include "hook.h"
#include "mountinfo.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

/* A container with a few thousand mounts has a mountinfo of some
 * hundreds of KiB. */
#define REATTACH_MOUNTINFO_MAX (16u << 20)

#ifndef MOVE_MOUNT_BENEATH
#define MOVE_MOUNT_BENEATH 0x00000200 /* Linux 6.5, include/uapi/linux/mount.h */
#endif

static void mount_free(gpointer p)
{
	struct reattach_mount *m = p;

	g_free(m->target);
	g_free(m->file);
	g_free(m);
}

/* The flags a mount had that its replacement keeps (mountinfo's field 6). */
static uint64_t mount_attr(const char *opts)
{
	static const struct {
		const char *name;
		uint64_t attr;
	} flags[] = {
		{ "ro", MOUNT_ATTR_RDONLY },
		{ "nosuid", MOUNT_ATTR_NOSUID },
		{ "nodev", MOUNT_ATTR_NODEV },
		{ "noexec", MOUNT_ATTR_NOEXEC },
	};
	g_auto(GStrv) words = g_strsplit(opts, ",", -1);
	uint64_t attr = 0;

	for (char **w = words; *w; w++) {
		for (size_t i = 0; i < G_N_ELEMENTS(flags); i++) {
			if (strcmp(*w, flags[i].name) == 0)
				attr |= flags[i].attr;
		}
	}
	return attr;
}

/* The file a lensfs mount binds, from its root: "/proc/meminfo" on the
 * caller-based mount, "/PID/proc/meminfo" on the views'; NULL for anything
 * else (the mount point itself, a file lensfs does not serve). */
static const char *bound_file(const struct mountinfo_entry *e, pid_t *view)
{
	const char *file = e->root;

	*view = 0;
	if (file[0] != '/')
		return NULL;
	if (strcmp(e->fstype, LENSFS_VIEWS_FSTYPE) == 0) {
		const char *slash = strchr(file + 1, '/');
		g_autofree char *name = NULL;
		uint64_t pid;

		if (!slash)
			return NULL;
		name = g_strndup(file + 1, (gsize)(slash - file - 1));
		if (parse_u64(name, &pid) < 0 || pid == 0 || pid > INT32_MAX)
			return NULL;
		*view = (pid_t)pid;
		file = slash;
	} else if (strcmp(e->fstype, LENSFS_FSTYPE) != 0) {
		return NULL;
	}
	return hook_bindable_by_path(file) ? path_below(file) : NULL;
}

GPtrArray *reattach_find(const char *mountinfo, const char *const *live)
{
	g_auto(GStrv) lines = g_strsplit(mountinfo, "\n", -1);
	g_autoptr(GArray) entries = g_array_new(FALSE, FALSE, sizeof(struct mountinfo_entry));
	/* mount id -> its entry's index; and the mounts another is mounted
	 * on, at the same mount point: covered, not what a lookup reaches */
	g_autoptr(GHashTable) by_id = g_hash_table_new(g_direct_hash, g_direct_equal);
	g_autoptr(GHashTable) covered = g_hash_table_new(g_direct_hash, g_direct_equal);
	GPtrArray *found = g_ptr_array_new_with_free_func(mount_free);

	for (char **l = lines; *l; l++) {
		struct mountinfo_entry e;

		if (mountinfo_entry_parse(*l, &e) < 0)
			continue;
		g_hash_table_insert(by_id, GUINT_TO_POINTER(e.id), GUINT_TO_POINTER(entries->len));
		g_array_append_val(entries, e);
	}
	for (guint i = 0; i < entries->len; i++) {
		const struct mountinfo_entry *e =
			&g_array_index(entries, struct mountinfo_entry, i);
		gpointer at;

		if (e->parent != e->id &&
		    g_hash_table_lookup_extended(by_id, GUINT_TO_POINTER(e->parent), NULL, &at) &&
		    strcmp(g_array_index(entries, struct mountinfo_entry, GPOINTER_TO_UINT(at))
				   .mountpoint,
			   e->mountpoint) == 0)
			g_hash_table_add(covered, GUINT_TO_POINTER(e->parent));
	}
	for (guint i = 0; i < entries->len; i++) {
		struct mountinfo_entry *e = &g_array_index(entries, struct mountinfo_entry, i);
		struct reattach_mount *m;
		const char *file;
		pid_t view;

		file = bound_file(e, &view);
		if (file && !g_strv_contains(live, e->dev) &&
		    !g_hash_table_contains(covered, GUINT_TO_POINTER(e->id))) {
			m = g_new0(struct reattach_mount, 1);
			m->target = g_strdup(e->mountpoint);
			m->file = g_strdup(file);
			m->view = view;
			m->attr = mount_attr(e->mount_opts);
			g_ptr_array_add(found, m);
		}
		mountinfo_entry_clear(e);
	}
	return found;
}

static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

/* The "MAJ:MIN" of the lensfs mounted on path (the last mount there, of
 * type), appended to devs. */
static void live_dev(const char *mountinfo, const char *path, const char *type, GPtrArray *devs)
{
	struct mountinfo_entry e;

	if (mountinfo_entry_at(mountinfo, path, &e) < 0)
		return;
	if (strcmp(e.fstype, type) == 0)
		g_ptr_array_add(devs, g_steal_pointer(&e.dev));
	mountinfo_entry_clear(&e);
}

struct reattach {
	const char *mountpoint;
	const char *views_dir; /* NULL: no views */
	bool writable; /* the caller-based mount is read-write (--cgroup-delegate) */
	const char *const *live;
};

/* Step 1, in this mount namespace: a detached copy of what each binding of
 * the container of pid ns_path's namespace gets now, in fds (-1: none).
 * A view's file comes from the container's view made again, where its
 * first process is still in that namespace (the view's name is that
 * process's pid), else from the caller-based mount. */
static int prepare(const struct reattach *ra, GPtrArray *mounts, const char *ns_path, int *fds,
		   const char **failed)
{
	for (guint i = 0; i < mounts->len; i++) {
		const struct reattach_mount *m = g_ptr_array_index(mounts, i);
		g_autofree char *first_ns = NULL, *view = NULL, *src = NULL;
		uint64_t attr = m->attr;

		if (!ra->writable)
			attr |= MOUNT_ATTR_RDONLY;
		if (m->view && ra->views_dir && (attr & MOUNT_ATTR_RDONLY)) {
			first_ns = g_strdup_printf("/proc/%d/ns/mnt", (int)m->view);
			if (same_file(first_ns, ns_path) &&
			    hook_make_view(ra->views_dir, m->view, &view) >= 0)
				src = g_build_filename(view, m->file, NULL);
		}
		if (!src)
			src = g_build_filename(ra->mountpoint, m->file, NULL);
		fds[i] = hook_clone_mount(src, attr);
		if (fds[i] < 0) {
			*failed = m->file;
			return fds[i];
		}
	}
	return 0;
}

/* Step 3, in the container's mount namespace: the copy under the dead
 * mount at m->target, which then goes; 1 when the mount there answers (not
 * a dead one: left alone). */
static int replace(int rootfd, const struct reattach_mount *m, int fd)
{
	autoclose int tfd = openat2_in(rootfd, m->target, O_PATH | O_NOFOLLOW,
				       RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
	g_autofree char *path = NULL;
	struct statfs sfs;

	if (tfd < 0)
		return tfd;
	/* A FUSE filesystem whose daemon is gone answers nothing but this. */
	if (fstatfs(tfd, &sfs) == 0)
		return 1;
	if (errno != ENOTCONN)
		return -errno;
	if (hook_fd_path(tfd, &path) < 0)
		return -EIO;
	if (move_mount(fd, "", tfd, "",
		       MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH | MOVE_MOUNT_BENEATH) == 0)
		return umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW) < 0 ? -errno : 0;
	/* Before Linux 6.5, or a mount that cannot have one beneath: on top. */
	if (errno != EINVAL)
		return -errno;
	if (move_mount(fd, "", tfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return -errno;
	return 0;
}

/* A container's mountinfo, at most REATTACH_MOUNTINFO_MAX bytes (-EFBIG). */
static int read_mountinfo(const char *path, char **text)
{
	autoclose int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	return fd_read_all(fd, REATTACH_MOUNTINFO_MAX, text, NULL);
}

/* One mount namespace, entered by pid. */
static void reattach_ns(const struct reattach *ra, pid_t pid, struct reattach_result *res)
{
	g_autofree char *path = g_strdup_printf("/proc/%d/mountinfo", (int)pid);
	g_autofree char *ns_path = g_strdup_printf("/proc/%d/ns/mnt", (int)pid);
	g_autofree char *mountinfo = NULL;
	g_autoptr(GPtrArray) mounts = NULL;
	autoclose int pidfd = pidfd_of(pid);
	autoclose int rootfd = -1;
	g_autofree int *fds = NULL;
	int r;

	res->pid = pid;
	if (pidfd < 0) {
		res->error = -ESRCH;
		return;
	}
	/* Its size is the container's to choose (thousands of mounts): one
	 * beyond the bound is reported and left alone. */
	r = read_mountinfo(path, &mountinfo);
	if (r < 0) {
		res->error = r == -EFBIG ? r : -ESRCH;
		return;
	}
	mounts = reattach_find(mountinfo, ra->live);
	/* What was read is that process's: it had not gone (and its pid been
	 * given to another) before. */
	if (mounts->len == 0 || !pidfd_alive(pidfd)) {
		res->error = mounts->len ? -ESRCH : 0;
		return;
	}
	fds = g_new(int, mounts->len);
	for (guint i = 0; i < mounts->len; i++)
		fds[i] = -1;
	r = prepare(ra, mounts, ns_path, fds, &res->failed);
	/* The mount points are as that process sees them: from its root. */
	if (r == 0) {
		g_autofree char *root = g_strdup_printf("/proc/%d/root", (int)pid);

		rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
		r = rootfd < 0 ? -errno : 0;
	}
	if (r == 0)
		r = hook_enter_mount_ns(pid);
	for (guint i = 0; r == 0 && i < mounts->len; i++) {
		const struct reattach_mount *m = g_ptr_array_index(mounts, i);
		int one = replace(rootfd, m, fds[i]);

		if (one < 0) {
			r = one;
			res->failed = m->file;
		} else if (one == 1) {
			res->alive++;
		} else {
			res->bound++;
		}
	}
	for (guint i = 0; i < mounts->len; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
	}
	if (hook_leave_mount_ns() < 0 && r == 0)
		r = -errno;
	/* A process that went meanwhile took its namespace with it. */
	res->error = r < 0 && !pidfd_alive(pidfd) ? -ESRCH : r;
	if (res->error == -ESRCH)
		res->failed = NULL;
}

int reattach_all(const char *mountinfo, const char *mountpoint, const char *views_dir,
		 reattach_report report, void *data)
{
	g_autoptr(GPtrArray) devs = g_ptr_array_new_with_free_func(g_free);
	/* the mount namespaces visited, by inode number */
	g_autoptr(GHashTable) seen =
		g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
	struct reattach ra = { .mountpoint = mountpoint, .views_dir = views_dir };
	struct statvfs sv;
	struct stat own;
	struct dirent *d;
	DIR *proc;
	int first = 0;

	live_dev(mountinfo, mountpoint, LENSFS_FSTYPE, devs);
	if (views_dir)
		live_dev(mountinfo, views_dir, LENSFS_VIEWS_FSTYPE, devs);
	g_ptr_array_add(devs, NULL);
	ra.live = (const char *const *)devs->pdata;
	ra.writable = statvfs(mountpoint, &sv) == 0 && !(sv.f_flag & ST_RDONLY);
	if (stat("/proc/self/ns/mnt", &own) < 0)
		return -errno;
	proc = opendir("/proc");
	if (!proc)
		return -errno;
	while ((d = readdir(proc))) {
		g_autofree char *ns_path = NULL;
		struct reattach_result res = { 0 };
		uint64_t pid;
		struct stat st;
		gint64 ino;

		if (parse_u64(d->d_name, &pid) < 0 || pid == 0 || pid > INT32_MAX)
			continue;
		ns_path = g_strdup_printf("/proc/%s/ns/mnt", d->d_name);
		if (stat(ns_path, &st) < 0 || (st.st_dev == own.st_dev && st.st_ino == own.st_ino))
			continue; /* gone, or the host's */
		ino = (gint64)st.st_ino;
		if (g_hash_table_contains(seen, &ino))
			continue;
		g_hash_table_add(seen, g_memdup2(&ino, sizeof(ino)));
		reattach_ns(&ra, (pid_t)pid, &res);
		if (res.bound || res.alive || res.error)
			report(&res, data);
		if (res.error && res.error != -ESRCH && !first)
			first = res.error;
	}
	closedir(proc);
	return first;
}
