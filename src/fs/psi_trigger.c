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
 * any cgroup the host keeps no pressure for.
 */
static int open_for(struct lensfs_ctx *ctx, const struct viewer *v, const char *kind)
{
	const char *path = v->cg.path[CG_UNIFIED];
	g_autofree char *file = NULL;
	int fd;

	if (path ? strcmp(path, "/") != 0 : !cgroup_membership_is_root(&v->cg))
		return cgroup_pressure_open(ctx->layout, &v->cg, kind);
	if (!cgroup_membership_is_root(&v->cg))
		return -EOPNOTSUPP;
	file = g_strdup_printf("%s/pressure/%s", ctx->proc_root, kind);
	fd = open(file, O_RDWR | O_NONBLOCK | O_NOCTTY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -EOPNOTSUPP : -errno;
	return fd;
}

int psi_trigger_open(struct lensfs_ctx *ctx, const struct viewer *v, const char *kind)
{
	int r = caps_thread_effective(false);
	int fd = r < 0 ? r : open_for(ctx, v, kind);

	caps_thread_effective(true);
	return fd;
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
