/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "caps.h"
#include "cgroup.h"
#include "node.h"
#include "psi_trigger.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

bool psi_trigger_node(uint64_t ino, const char **kind)
{
	switch (ino) {
	case INO_PRESSURE_CPU:
		*kind = "cpu";
		return true;
	case INO_PRESSURE_MEMORY:
		*kind = "memory";
		return true;
	case INO_PRESSURE_IO:
		*kind = "io";
		return true;
	default:
		return false;
	}
}

/*
 * The root cgroup's pressure is the machine's, for a reader in the root of
 * every hierarchy. A reader in the unified root whose other cgroups are
 * its own (a container on a v1 host with a unified hierarchy beside) reads
 * the machine's pressure too (view_pressure), which is not its own: a
 * trigger there would fire for its neighbours' stalls; EOPNOTSUPP, as for
 * any cgroup the host keeps no pressure for. *proc: the file is procfs's.
 */
static int open_for(struct lensfs_ctx *ctx, const struct viewer *v, const char *kind, bool *proc)
{
	const char *path = v->cg.path[CG_UNIFIED];
	g_autofree char *file = NULL;
	int fd;

	*proc = false;
	if (path ? strcmp(path, "/") != 0 : !cgroup_membership_is_root(&v->cg))
		return cgroup_pressure_open(ctx->layout, &v->cg, kind);
	if (!cgroup_membership_is_root(&v->cg))
		return -EOPNOTSUPP;
	*proc = true;
	file = g_strdup_printf("%s/pressure/%s", ctx->proc_root, kind);
	fd = open(file, O_RDWR | O_NONBLOCK | O_NOCTTY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -EOPNOTSUPP : -errno;
	return fd;
}

int psi_trigger_open(struct lensfs_ctx *ctx, const struct viewer *v, const char *kind, bool *proc)
{
	int r = caps_thread_effective(false);
	int fd = r < 0 ? r : open_for(ctx, v, kind, proc);

	caps_thread_effective(true);
	return fd;
}

int psi_trigger_check(const char *buf, size_t len, bool proc)
{
	g_autofree char *text = NULL;
	unsigned int threshold_us, window_us;

	if (len == 0)
		return -EINVAL;
	/* kernel/sched/psi.c, psi_write: at most 31 bytes, the last byte
	 * written taken for the terminator; kernfs hands cgroup files the
	 * whole text (kernel/cgroup/cgroup.c, pressure_write). */
	text = proc ? g_strndup(buf, MIN(len, PSI_PROC_WRITE_MAX) - 1) : g_strndup(buf, len);
	if (sscanf(text, "some %u %u", &threshold_us, &window_us) != 2 &&
	    sscanf(text, "full %u %u", &threshold_us, &window_us) != 2)
		return -EINVAL;
	return window_us % PSI_WINDOW_UNIT_US ? -EINVAL : 0;
}

ssize_t psi_trigger_set(struct lensfs_ctx *ctx, const struct viewer *v, const char *kind,
			const char *buf, size_t len, int *fd_out)
{
	bool proc = false;
	/* How the text is read depends on the file: opened first. */
	int fd = psi_trigger_open(ctx, v, kind, &proc);
	ssize_t r;

	if (fd < 0)
		return fd;
	r = psi_trigger_check(buf, len, proc);
	if (r == 0) {
		r = caps_thread_effective(false);
		if (r == 0 && write(fd, buf, len) < 0)
			r = -errno;
		caps_thread_effective(true);
	}
	if (r < 0) {
		close(fd);
		return r;
	}
	*fd_out = fd;
	return (ssize_t)len;
}

GHashTable *psi_counts_new(void)
{
	return g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
}

/* Container names are "pid:[N]": the host's cannot be mistaken for one. */
static const char *count_key(const char *owner)
{
	return owner ? owner : "host";
}

unsigned int psi_count_of(GHashTable *counts, const char *owner)
{
	return GPOINTER_TO_UINT(g_hash_table_lookup(counts, count_key(owner)));
}

int psi_count_take(GHashTable *counts, const char *owner, unsigned int max)
{
	unsigned int n = psi_count_of(counts, owner);

	if (n >= max)
		return -EMFILE;
	g_hash_table_insert(counts, g_strdup(count_key(owner)), GUINT_TO_POINTER(n + 1));
	return 0;
}

void psi_count_put(GHashTable *counts, const char *owner)
{
	unsigned int n = psi_count_of(counts, owner);

	if (n > 1)
		g_hash_table_insert(counts, g_strdup(count_key(owner)), GUINT_TO_POINTER(n - 1));
	else
		g_hash_table_remove(counts, count_key(owner));
}

unsigned int psi_poll_answer(bool armed, bool fired, unsigned int fd_revents)
{
	if (!armed)
		return POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM | POLLERR | POLLPRI;
	return fd_revents | (fired ? POLLPRI : 0);
}
