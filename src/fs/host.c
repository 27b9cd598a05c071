/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "host.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define HOST_READ_MAX (1 << 20) /* host_read's limit */

static int open_beneath(const char *root, const char *hpath, int flags)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_NOFOLLOW | O_CLOEXEC),
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	autoclose int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	int fd;

	if (rootfd < 0)
		return -errno;
	fd = (int)syscall(SYS_openat2, rootfd, *hpath ? hpath : ".", &how, sizeof(how));
	return fd < 0 ? -errno : fd;
}

/* The directory holding hpath's last component, and that component. */
static int open_parent(const char *root, const char *hpath, const char **name)
{
	const char *slash = strrchr(hpath, '/');
	g_autofree char *dir = slash ? g_strndup(hpath, (gsize)(slash - hpath)) : g_strdup("");

	*name = slash ? slash + 1 : hpath;
	return open_beneath(root, dir, O_PATH | O_DIRECTORY);
}

int host_lstat(const char *root, const char *hpath, struct stat *st)
{
	const char *name;
	autoclose int dirfd = open_parent(root, hpath, &name);

	if (dirfd < 0)
		return dirfd;
	return fstatat(dirfd, name, st, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
}

int host_readlink(const char *root, const char *hpath, char **out)
{
	const char *name;
	autoclose int dirfd = open_parent(root, hpath, &name);
	char buf[4096];
	ssize_t n;

	if (dirfd < 0)
		return dirfd;
	n = readlinkat(dirfd, name, buf, sizeof(buf) - 1);
	if (n < 0)
		return -errno;
	*out = g_strndup(buf, (gsize)n);
	return 0;
}

int host_read(const char *root, const char *hpath, char **out)
{
	autoclose int fd = open_beneath(root, hpath, O_RDONLY);

	if (fd < 0)
		return fd;
	return fd_read_all(fd, HOST_READ_MAX, out, NULL);
}

int host_open_write(const char *root, const char *hpath)
{
	return open_beneath(root, hpath, O_WRONLY);
}

int host_mkdir(const char *root, const char *hpath, mode_t mode)
{
	const char *name;
	autoclose int dirfd = open_parent(root, hpath, &name);

	if (dirfd < 0)
		return dirfd;
	return mkdirat(dirfd, name, mode) < 0 ? -errno : 0;
}

int host_rmdir(const char *root, const char *hpath)
{
	const char *name;
	autoclose int dirfd = open_parent(root, hpath, &name);

	if (dirfd < 0)
		return dirfd;
	return unlinkat(dirfd, name, AT_REMOVEDIR) < 0 ? -errno : 0;
}

static gint compare_entries(gconstpointer a, gconstpointer b)
{
	return strcmp((*(struct dirent *const *)a)->d_name, (*(struct dirent *const *)b)->d_name);
}

int host_list(const char *root, const char *hpath, GPtrArray *names, GArray *types)
{
	int fd = open_beneath(root, hpath, O_RDONLY | O_DIRECTORY);
	g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func(g_free);
	struct dirent *d;
	DIR *dir;

	if (fd < 0)
		return fd;
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return -ENOMEM;
	}
	while ((d = readdir(dir))) {
		if (strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0)
			g_ptr_array_add(entries, g_memdup2(d, sizeof(*d)));
	}
	closedir(dir);
	g_ptr_array_sort(entries, compare_entries);
	for (guint i = 0; i < entries->len; i++) {
		struct dirent *e = entries->pdata[i];
		unsigned char type = e->d_type;

		g_ptr_array_add(names, g_strdup(e->d_name));
		if (types)
			g_array_append_val(types, type);
	}
	return 0;
}
